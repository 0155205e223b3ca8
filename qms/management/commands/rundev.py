"""Start the web server and a Celery worker with beat together, for the embedded default (``make run``).

Ctrl-C (or SIGTERM) stops both. The worker uses whatever broker the settings give: kombu's
filesystem transport when no REDIS_URL is set, so the scheduled jobs really run without Redis.

Each child runs in a process group of its own and is stopped as a group: runserver's autoreloader and
its server, the worker and its pool. Stopping does not depend on how this command was started (a
shell that starts a job in the background makes it ignore SIGINT; this command listens anyway).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server and a Celery worker with beat; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        python = sys.executable
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        commands = {
            "web": [python, "manage.py", "runserver", options["addrport"]],
            "celery": [
                python,
                "-m",
                "celery",
                "-A",
                "qms",
                "worker",
                "--beat",
                "--schedule",
                schedule,
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
            ],
        }
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        processes = {name: subprocess.Popen(command, start_new_session=True) for name, command in commands.items()}
        self.stdout.write(
            f"Web server on http://{options['addrport']}/ and Celery worker + beat started. Ctrl-C stops."
        )
        if settings.EMAIL_BACKEND == "qms.mail.FileEmailBackend":
            self.stdout.write(f"E-mails are written to {settings.EMAIL_FILE_PATH}/ (one line each here).")
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping...")
        finally:
            # A second Ctrl-C or SIGTERM does not cut the stopping short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for process in processes.values():
                signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes.values():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                signal_group(process, signal.SIGKILL)  # whatever of the group is left


def stop(signum, frame):
    raise KeyboardInterrupt


def signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(process.pid, signum)
