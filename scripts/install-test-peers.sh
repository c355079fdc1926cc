#!/usr/bin/env bash
# Install the real servers that the integration tests start on loopback ports (tests/support/):
# redis-server + redis-cli, PostgreSQL 15, kubectl, and from PyPI moto[server] and kmock.
# Idempotent: what is already there is left alone. For a fresh Debian (12) machine, run as root
# (or with sudo). Services that apt would start on their default ports are kept from starting:
# the tests start their own servers on their own ports.
#
#   scripts/install-test-peers.sh          # install what is missing
#   COCKPIT_TEST_PYTHON=python3.12 ...     # the python the tests will run (default: python3)
set -euo pipefail

log() { printf 'install-test-peers: %s\n' "$*" >&2; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        log "needs root (or sudo) for apt-get"
        exit 1
    fi
fi
PYTHON="${COCKPIT_TEST_PYTHON:-python3}"

# --- Debian packages ---------------------------------------------------------------------------
packages=()
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || packages+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || packages+=(postgresql-15)
command -v "$PYTHON" >/dev/null 2>&1 || packages+=(python3 python3-pip)
if [ "$PYTHON" = python3 ] && command -v python3 >/dev/null 2>&1 \
        && ! python3 -m pip --version >/dev/null 2>&1; then
    packages+=(python3-pip)
fi
need_kubectl=false
command -v kubectl >/dev/null 2>&1 || need_kubectl=true

if [ "${#packages[@]}" -gt 0 ] || $need_kubectl; then
    # Keep apt from starting redis and the default PostgreSQL cluster as services (port 6379,
    # 5432): a policy-rc.d that says 101 ("not allowed"), only for this install.
    added_policy=false
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
        "${SUDO[@]}" chmod +x /usr/sbin/policy-rc.d
        added_policy=true
    fi
    trap '$added_policy && "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 "${SUDO[@]}" apt-get update -q
    if $need_kubectl; then
        # kubectl 1.32 is what the tests were written with; Debian ships an older client as
        # kubernetes-client, which serves get/scale/patch/auth can-i well enough.
        if apt-cache show kubectl >/dev/null 2>&1; then
            packages+=(kubectl)
        elif apt-cache show kubernetes-client >/dev/null 2>&1; then
            log "kubectl is not packaged here: installing Debian's kubernetes-client (older than 1.32)"
            packages+=(kubernetes-client)
        else
            log "kubectl not found and no Debian package provides it: install kubectl (1.32)"
            log "by hand; the tests that run kubectl fail until then"
        fi
    fi
    if [ "${#packages[@]}" -gt 0 ]; then
        log "apt-get install ${packages[*]}"
        timeout 900 "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
    fi
    # Where systemd (or sysv init) started them anyway, stop what this run installed.
    for pair in redis-server:redis-server postgresql-15:postgresql; do
        [[ " ${packages[*]} " == *" ${pair%%:*} "* ]] || continue
        service="${pair##*:}"
        if [ -d /run/systemd/system ]; then
            "${SUDO[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true
        elif command -v service >/dev/null 2>&1; then
            "${SUDO[@]}" service "$service" stop >/dev/null 2>&1 || true
        fi
    done
fi

# --- PyPI packages -----------------------------------------------------------------------------
if "$PYTHON" -c 'import kmock, moto, yaml, flask' >/dev/null 2>&1 \
        && command -v moto_server >/dev/null 2>&1; then
    log "moto[server] and kmock already installed for $PYTHON"
else
    pip_args=(-m pip install -q 'moto[server]' kmock)
    # Debian's own python refuses pip installs (PEP 668) unless told otherwise.
    if "$PYTHON" -c 'import sys, sysconfig, os; sys.exit(0 if sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
        pip_args+=(--break-system-packages)
    fi
    log "$PYTHON ${pip_args[*]}"
    if [ "$(id -u)" -ne 0 ] && [ "$PYTHON" = python3 ] && [ "$(command -v python3)" = /usr/bin/python3 ]; then
        timeout 900 "${SUDO[@]}" "$PYTHON" "${pip_args[@]}"
    else
        timeout 900 "$PYTHON" "${pip_args[@]}"
    fi
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi

# --- check -------------------------------------------------------------------------------------
missing=()
for program in redis-server redis-cli kubectl moto_server; do
    command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(/usr/lib/postgresql/15/bin/initdb)
[ -e /usr/lib/postgresql/15/lib/pg_stat_statements.so ] || missing+=(pg_stat_statements)
"$PYTHON" -c 'import kmock, yaml' >/dev/null 2>&1 || missing+=("python: kmock")
if [ "${#missing[@]}" -gt 0 ]; then
    log "still missing: ${missing[*]}"
    exit 1
fi
log "ready: $(redis-server --version | cut -d' ' -f3), PostgreSQL $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}'), kubectl $(kubectl version --client 2>/dev/null | head -1 | awk '{print $3}'), kmock $("$PYTHON" -c 'import kmock; print(kmock.__version__)')"
