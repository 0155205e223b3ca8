"""Start the web server and a Celery worker with beat together, for the embedded default (``make run``).

Ctrl-C stops both. The worker uses whatever broker the settings give: kombu's filesystem transport
when no REDIS_URL is set, so the scheduled jobs really run without Redis.
"""

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
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}
        self.stdout.write(
            f"Web server on http://{options['addrport']}/ and Celery worker + beat started. Ctrl-C stops."
        )
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping...")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    process.kill()
