"""Report whether the real services the tests use are reachable.

`python tests/services.py` checks PostgreSQL, Redis and Chromium; with
CI=true any missing one is an error (exit 1). `python tests/services.py NAME`
checks one and exits 0 when it is up.
"""

import os
import shutil
import socket
import sys

PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def postgres_up():
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def redis_up(host=REDIS_HOST, port=REDIS_PORT):
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


CHECKS = {"postgres": postgres_up, "redis": redis_up, "chromium": lambda: chromium_path() is not None}


def main(argv):
    names = argv[1:] or list(CHECKS)
    ci = os.environ.get("CI", "").lower() == "true"
    missing = [name for name in names if not CHECKS[name]()]
    for name in names:
        print(f"{name:<9} {'missing' if name in missing else 'ok'}")
    if missing and (ci or argv[1:]):
        if ci and not argv[1:]:
            print(f"CI=true: {', '.join(missing)} must be available; failing.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
