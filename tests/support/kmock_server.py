#!/usr/bin/env python3
"""The Kubernetes test peer: kmock's KubernetesEmulator with the bundled built-in resources,
taught what the cockpit's clients need of a real API server (kmock_emulator.py).

    python3 kmock_server.py --port P [--host 127.0.0.1] [--token T] [--deny rules.json]
                            [--parent-pid PID] [--bookmark-interval 5] [--log-size 5000]

State lives in memory only: a restart starts empty. Test controls live under /_kmock/
(kmock_admin.py). With --parent-pid the server exits when that process is gone, so a test run
that is killed leaves no server behind. Loopback only: --host must be a loopback address.
"""
import argparse
import asyncio
import ipaddress
import os
import pathlib
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources in the work tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import kmock  # noqa: E402

from kmock_admin import load_json_file  # noqa: E402
from kmock_emulator import CockpitEmulator  # noqa: E402
from kmock_store import Store  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--token', default=None, help='refuse any other bearer token (kubectl sends none over http)')
    p.add_argument('--deny', default=None, help='a JSON file: a list of deny rules (see kmock_admin.py)')
    p.add_argument('--parent-pid', type=int, default=None, help='exit when this process is gone')
    p.add_argument('--bookmark-interval', type=float, default=5.0)
    p.add_argument('--log-size', type=int, default=5000, help='watch events kept for resuming')
    args = p.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        p.error('--host must be a loopback address')
    return args


async def watch_parent(pid: int) -> None:
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        await asyncio.sleep(0.5)


async def main(args: argparse.Namespace) -> None:
    emu = CockpitEmulator(token=args.token, bookmark_interval=args.bookmark_interval,
                          store=Store(log_size=args.log_size))
    emu.resources.load_bundled()
    emu.denials.add(load_json_file(args.deny) or [])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with emu, kmock.Server(emu, host=args.host, port=args.port) as server:
        print(f'kmock listening on http://{server.host}:{server.port}', flush=True)
        waiters = [asyncio.ensure_future(stop.wait())]
        if args.parent_pid:
            waiters.append(asyncio.ensure_future(watch_parent(args.parent_pid)))
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        emu.store.close_watches()
        await asyncio.sleep(0.05)


if __name__ == '__main__':
    asyncio.run(main(parse_args(sys.argv[1:])))
