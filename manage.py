#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A machine with no SECRET_KEY configured is a developer's: manage.py then runs in DEBUG with a dev key.
    # Production sets SECRET_KEY (gunicorn and Celery refuse to start without it), so this never applies there.
    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
