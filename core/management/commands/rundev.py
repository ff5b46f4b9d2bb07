"""Run the web server, a Celery worker and beat together for development.

`make run` uses this. Ctrl-C (or SIGTERM) stops all three: each child gets
SIGTERM, and whatever is still running a few seconds later is killed.
Unless SITE_URL is set, the three get the address served here as SITE_URL,
so links in mail (sent by the worker) point at this server and port.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


def site_url(addrport):
    """The address runserver serves for ``addrport`` ("9000", "0.0.0.0:9000", "[::1]:9000")."""
    host, _, port = addrport.rpartition(":")
    if host in ("", "0.0.0.0", "0"):  # noqa: S104 - every interface: link to this machine
        host = "127.0.0.1"
    elif host in ("[::]", "::"):
        host = "[::1]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Serve the site with a Celery worker and beat; Ctrl-C stops all of them."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        python = sys.executable
        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL") or site_url(addrport)}
        commands = {
            "worker": [python, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
            "web": [python, "manage.py", "runserver", addrport],
        }
        # Fixed commands built from this interpreter; no user input.
        children = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}  # noqa: S603
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            if stopping:
                return
            stopping = True
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 8
            for child in children.values():
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                exited = [name for name, child in children.items() if child.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
        self.stdout.write("Stopped the web server, the worker and beat.")
