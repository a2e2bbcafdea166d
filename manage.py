#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # No guessing from the environment: without SECRET_KEY (or SECRET_KEY_FILE) and without DJANGO_DEBUG=1
    # the settings refuse to load. `make migrate`, `make run` and the other targets pass the key kept in
    # var/secret_key; a developer who wants the debug pages asks for them (DJANGO_DEBUG=1, `make debug`).
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
