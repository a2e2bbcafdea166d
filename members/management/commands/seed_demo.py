"""Seed the demo town (城关镇 and its six communities) with people, volunteering and cases.

manage.py seed_demo            # refuses if the database already has a town
manage.py seed_demo --if-empty # what `make run` uses: seeds only an empty database
"""

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.demo import DEMO_PASSWORD, demo_seeds, seed_town
from members.models import Town


class Command(BaseCommand):
    help = "Create the demo town with one login per role (password printed at the end)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing if a town already exists")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same town)")
        parser.add_argument("--people", type=int, default=60, help="people per community")

    def handle(self, *args, if_empty=False, seed=2026, people=60, **options):
        if Town.objects.exists():
            if if_empty:
                self.stdout.write("Database already has data; demo seed skipped.")
                return
            raise CommandError("The database already has a town; seed_demo only fills an empty database.")
        rng = random.Random(seed)
        started = time.monotonic()
        today = timezone.localdate()
        with transaction.atomic():
            made = seed_town(rng=rng, people_per_community=people)
            extra = {}
            # the apps built on members registered their seeds (members.demo.register_demo_seed)
            for app_label, seed in demo_seeds():
                extra[app_label] = seed(town=made["town"], rng=rng, today=today)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo town {made['town'].name}: {made['communities']} communities, {made['people']} people, "
                f"{made['party_members']} party members, {made['registrations']} registrations, "
                f"{made['officers']} officers, {made['zones']} zones ({elapsed:.1f} s)."
            )
        )
        for app, counts in extra.items():
            summary = ", ".join(
                f"{k}={v}" for k, v in (counts or {}).items() if not isinstance(v, (list, dict))
            )
            self.stdout.write(f"  {app}: {summary}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label, name in made["logins"]:
            self.stdout.write(f"  {username:<22} {label}（{name}）")
        self.stdout.write(f"Seeded on {dt.date.today():%Y-%m-%d}.")
