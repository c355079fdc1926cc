#!/usr/bin/env python3
"""Run one test peer as a child and make sure it dies with the test that started it.

    peer_guard.py [--parent-pid PID] [--user NAME] [--stop-signal TERM|INT|QUIT] [--stop-timeout S]
                  [--cleanup DIR]... -- PROGRAM ARGS...

The test harness (tests/support/process.rs) starts every peer through this guard. On SIGTERM
or SIGINT the guard sends the peer its --stop-signal (PostgreSQL wants INT for a fast
shutdown), waits --stop-timeout seconds, then kills it; SIGHUP does the same and then removes
the --cleanup directories (a peer dropped for good). When the process that started the guard
is gone (a test binary killed by a timeout or ^C never runs its Drop), the guard stops the
peer and removes the --cleanup directories too, so nothing is left behind.
With --user the peer runs as that user (initdb and postgres refuse to run as root).

    peer_guard.py --parent-pid PID --janitor LIST

The janitor (one per test process) closes the last gaps: once PID is gone it waits for the
guards to stop their peers, then removes every directory listed in the file LIST (one path a
line, appended by the harness as it creates them) and LIST itself.
"""
import argparse
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('--parent-pid', type=int, help='the process that started the guard '
                        '(by default the parent at start, which may already be gone)')
    parser.add_argument('--user')
    parser.add_argument('--stop-signal', default='TERM', choices=['TERM', 'INT', 'QUIT'])
    parser.add_argument('--stop-timeout', type=float, default=10.0,
                        help='then SIGKILL (keep it below the 15 s that process.rs waits)')
    parser.add_argument('--cleanup', action='append', default=[])
    parser.add_argument('--janitor', metavar='LIST')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    parent = args.parent_pid or os.getppid()
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)  # a group of its own: the final killpg must hit nothing else
    if args.janitor:
        return janitor(parent, args.janitor)
    if not command:
        parser.error('no command to run')

    kwargs: dict = {}
    if args.user:
        entry = pwd.getpwnam(args.user)
        kwargs = {'user': entry.pw_uid, 'group': entry.pw_gid, 'extra_groups': [],
                  'env': dict(os.environ, HOME=entry.pw_dir, USER=args.user, LOGNAME=args.user)}
    stop_requested: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _: stop_requested.append(signum))
    try:
        child = subprocess.Popen(command, **kwargs)
    except OSError as e:
        print(f'peer_guard: cannot start {command[0]}: {e}', file=sys.stderr, flush=True)
        return 127

    orphaned = stopped = False
    while child.poll() is None:
        orphaned = os.getppid() != parent
        if stop_requested or orphaned:
            child.send_signal(getattr(signal, f'SIG{args.stop_signal}'))
            try:
                child.wait(args.stop_timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            stopped = True
            break
        time.sleep(0.1)
    if orphaned or signal.SIGHUP in stop_requested:
        for path in args.cleanup:
            shutil.rmtree(path, ignore_errors=True)
    if stopped:
        # Whatever the peer left in this process group (its own children) goes with the guard.
        sys.stderr.flush()
        os.killpg(0, signal.SIGKILL)
    return child.returncode if child.returncode is not None else 0


def janitor(parent: int, listing: str) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while os.getppid() == parent:
        time.sleep(0.5)
    time.sleep(3)  # the guards stop their peers meanwhile (a fast shutdown takes ~1 s)
    try:
        with open(listing, encoding='utf-8') as f:
            paths = [line.strip() for line in f if line.strip()]
    except OSError:
        paths = []
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
    try:
        os.remove(listing)
    except OSError:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
