#!/usr/bin/env python
"""Django's command-line utility for the QMS."""

import os
import sys

# Production is configured by its environment (SECRET_KEY, DATABASE_URL...; see .env.example). An
# environment that sets none of these is a developer's checkout on the embedded default: commands
# such as `makemigrations` run there with DEBUG on, as `make run` does. The web and worker processes
# (wsgi.py, celery.py) make no such assumption and refuse to start without a SECRET_KEY.
PRODUCTION_VARIABLES = ("DEBUG", "SECRET_KEY", "DATABASE_URL")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    if not any(name in os.environ for name in PRODUCTION_VARIABLES):
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
