"""`make bench`, feedback sheets (反馈单): the real batch path (`evaluations.services.sheet_batch_run`, what the
Celery task calls) for N in-service members, against the floor: one bare sheet made N times.

The floor is one bare sheet made and stored: its content built from rows already in memory, its row and
its event written one at a time, with none of the batch's work. The batch adds reading every member's
ledger (a constant number of queries per chunk of 200 members), the idempotency check, the chunk
transactions and the progress count, and saves by writing each chunk in bulk. Target: the batch costs at
most 1.5× the floor per sheet, and its peak memory (tracemalloc, Python allocations during the run) does
not grow with the community: 2N members need no more than N do (±25 %). The content alone (no query, no
write) is printed too, for information: what the database costs on top of building the sheet.

Times are CPU seconds of this process (`time.process_time`; SQLite runs inside it), so a box shared with
other jobs measures the same as an idle one; on PostgreSQL the server's own time is not in them.

Synthetic data is written in bulk (not through the API): a community of N members and one of 2N, each
member with a confirmed registration, an employer, two or three approved service records of the year, a
claimed post for one in three and a responsibility zone for one in four; a closed 民主评议 is not needed
(the sheet then says 尚未评议, which costs the same).

Scale: `--scale 0.1` (or BENCH_SCALE=0.1) runs it with 1,000 members, for CI (the smallest size it runs:
below five chunks the peak memory is still the warm-up).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

YEAR = 2025  # a past year: the batch refuses the future, and this one is complete
ITEMS = 40  # the pool of service items of the year, per community
FLOOR_TARGET = 1.5  # batch per sheet ≤ 1.5 × the bare sheet
MEMORY_GROWTH_TARGET = 1.25  # peak at 2N ≤ 1.25 × peak at N


@dataclass
class Measured:
    sheets: int
    seconds: float
    queries: int
    peak_bytes: int = 0

    @property
    def per_sheet_ms(self) -> float:
        return 1000 * self.seconds / max(self.sheets, 1)


def seed_community(*, town, name: str, code: str, employers, members: int, rng: random.Random, by):
    """A community with `members` registered in-service members and their year's ledger, in bulk."""
    from members.models import (
        Community,
        MemberCategory,
        PartyMembership,
        Person,
        Registration,
        RegistrationChannel,
        RegistrationStatus,
        ResponsibilityZone,
        ZoneAssignment,
    )
    from volunteering.models import (
        ClaimStatus,
        PostClaim,
        RecordSource,
        RecordStatus,
        ServiceItem,
        ServicePost,
        ServiceRecord,
    )

    community = Community.objects.create(town=town, name=name, code=code, officer_quota=4)
    tz = timezone.get_current_timezone()
    people = Person.objects.bulk_create(
        [Person(community=community, name=f"党员{i:05d}") for i in range(members)], batch_size=2000
    )
    PartyMembership.objects.bulk_create(
        [
            PartyMembership(person=p, category=MemberCategory.IN_SERVICE, employer=rng.choice(employers))
            for p in people
        ],
        batch_size=2000,
    )
    decided = timezone.make_aware(dt.datetime(YEAR, 3, 1, 10), tz)
    Registration.objects.bulk_create(
        [
            Registration(
                person=p,
                community=community,
                status=RegistrationStatus.CONFIRMED,
                channel=RegistrationChannel.ONLINE,
                decided_at=decided,
            )
            for p in people
        ],
        batch_size=2000,
    )
    posts = ServicePost.objects.bulk_create(
        [ServicePost(community=community, name=f"服务岗位{k + 1}") for k in range(10)]
    )
    items = []
    for k in range(ITEMS):
        start = timezone.make_aware(dt.datetime(YEAR, 1 + k % 12, 1 + k % 27, 9), tz)
        items.append(
            ServiceItem(
                community=community,
                title=f"志愿服务活动{k + 1}",
                place="社区服务站",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=4),
                post=posts[k % len(posts)],
                capacity=500,
            )
        )
    items = ServiceItem.objects.bulk_create(items)
    records = []
    for p in people:
        for item in rng.sample(items, rng.choice((2, 2, 3))):
            minutes = rng.choice((60, 90, 120, 180))
            records.append(
                ServiceRecord(
                    item=item,
                    person=p,
                    started_at=item.starts_at,
                    ended_at=item.starts_at + dt.timedelta(minutes=minutes),
                    minutes=minutes,
                    content=item.title,
                    source=RecordSource.ON_SITE,
                    status=RecordStatus.APPROVED,
                    recorded_by=by,
                    approved_by=by,
                )
            )
    ServiceRecord.objects.bulk_create(records, batch_size=2000)
    PostClaim.objects.bulk_create(
        [
            PostClaim(
                community=community,
                post=rng.choice(posts),
                person=p,
                year=YEAR,
                status=ClaimStatus.APPROVED,
                created_by=by,
            )
            for p in people[::3]
        ],
        batch_size=2000,
    )
    zones = ResponsibilityZone.objects.bulk_create(
        [ResponsibilityZone(community=community, name=f"第{z + 1}党员责任区") for z in range(8)]
    )
    ZoneAssignment.objects.bulk_create(
        [ZoneAssignment(zone=rng.choice(zones), person=p) for p in people[::4]], batch_size=2000
    )
    return community


def run_batch(community, *, by, trace: bool = False) -> Measured:
    """The real path, as the worker runs it: sheet_batch_run on a queued batch of the community. Queries
    are counted on the timed run only (the query log itself would take memory under tracemalloc)."""
    from contextlib import nullcontext

    from evaluations import services
    from evaluations.models import FeedbackSheet, SheetBatch

    batch = SheetBatch.objects.create(community=community, year=YEAR, started_by=by, total=0)
    gc.collect()
    if trace:
        tracemalloc.start()
    counting = nullcontext() if trace else CaptureQueriesContext(connection)
    started = time.process_time()
    with counting:
        written = services.sheet_batch_run(batch_id=batch.pk)
    elapsed = time.process_time() - started
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert written == FeedbackSheet.objects.filter(batch=batch, is_current=True).count(), written
    queries = 0 if trace else len(counting.captured_queries)  # type: ignore[union-attr]
    return Measured(written, elapsed, queries, peak)


def bare_sheet(community, *, n: int, by) -> Measured:
    """One member's sheet content from rows already in memory, serialised as stored, `n` times (no query)."""
    from evaluations.selectors import sheets as selectors

    person = selectors.members_for_sheets(community.pk).first()
    context = selectors.SheetContext.load(people=[person], year=YEAR, viewer=by)
    started = time.process_time()
    for _ in range(n):
        json.dumps(context.content(person, evaluation=None))
    return Measured(n, time.process_time() - started, 0)


def stored_floor(community, *, n: int, by) -> Measured:
    """The floor of the ratio: one bare sheet made and stored, `n` times — its content from rows in memory,
    its row and its "生成" event written one at a time (as the one-sheet path writes them, audit included),
    with none of the batch's work: no ledger reads, no idempotency check, no chunking, no progress. The
    rows are old versions of one member (not current) and are removed afterwards."""
    from django.db import transaction

    from evaluations.models import FeedbackSheet, SheetEvent, SheetState
    from evaluations.selectors import sheets as selectors

    person = selectors.members_for_sheets(community.pk).first()
    context = selectors.SheetContext.load(people=[person], year=YEAR, viewer=by)
    started = time.process_time()
    with transaction.atomic():
        for version in range(1000, 1000 + n):
            sheet = FeedbackSheet.objects.create(
                community_id=community.pk,
                person=person,
                employer_id=person.membership.employer_id,
                year=YEAR,
                version=version,
                is_current=False,
                state=SheetState.SUPERSEDED,
                content=context.content(person, evaluation=None),
                generated_by=by,
            )
            SheetEvent.objects.create(sheet=sheet, to_state=SheetState.DRAFT, by=by, note="生成")
    elapsed = time.process_time() - started
    SheetEvent.objects.filter(sheet__person=person)._raw_delete(connection.alias)
    FeedbackSheet.objects.filter(person=person)._raw_delete(connection.alias)
    return Measured(n, elapsed, 0)


def run(*, scale: float, results: list) -> None:
    from members.models import Employer, Town, User

    rng = random.Random(13)
    # at least five chunks of 200: below that the peak is still the warm-up, not the steady state
    n = max(1000, int(10_000 * scale))
    town = Town.objects.first() or Town.objects.create(name="基准镇", code="bench")
    employers = list(Employer.objects.filter(town=town)) or Employer.objects.bulk_create(
        [Employer(town=town, name=f"单位{k}", party_org_name=f"中共单位{k}支部") for k in range(12)]
    )
    by = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench_sheets", password="bench-sheets-2026"
    )
    started = time.process_time()
    small = seed_community(
        town=town, name="基准社区甲", code="bench-a", employers=employers, members=n, rng=rng, by=by
    )
    large = seed_community(
        town=town, name="基准社区乙", code="bench-b", employers=employers, members=2 * n, rng=rng, by=by
    )
    seeded = time.process_time() - started
    results.append((f"seed {3 * n:,} in-service members with ledgers (bulk)", seeded, 90, "s CPU"))

    bare = bare_sheet(small, n=n, by=by)
    floor = stored_floor(small, n=n, by=by)
    batch = run_batch(small, by=by)
    results.append((f"bare sheet × {n:,}, content only, per sheet", bare.per_sheet_ms, 1, "ms CPU, no query"))
    results.append((f"bare sheet × {n:,}, made and stored (floor)", floor.per_sheet_ms, 5, "ms CPU"))
    results.append((f"sheet batch, {n:,} members, per sheet", batch.per_sheet_ms, 5, "ms CPU"))
    results.append(
        ("  … batch ÷ floor (stored bare sheet)", batch.per_sheet_ms / floor.per_sheet_ms, FLOOR_TARGET, "×")
    )
    results.append(
        ("  … batch ÷ content only (information)", batch.per_sheet_ms / bare.per_sheet_ms, 20, "×")
    )
    results.append(
        ("  … batch queries per 1,000 sheets", 1000 * batch.queries / batch.sheets, 200, "queries")
    )
    # memory: the N community again (its sheets cleared) and the 2N one, under tracemalloc
    from evaluations.models import FeedbackSheet, SheetBatch, SheetEvent

    SheetEvent.objects.filter(sheet__community=small)._raw_delete(connection.alias)
    FeedbackSheet.objects.filter(community=small)._raw_delete(connection.alias)
    SheetBatch.objects.filter(community=small)._raw_delete(connection.alias)
    at_n = run_batch(small, by=by, trace=True)
    at_2n = run_batch(large, by=by, trace=True)
    results.append((f"  … peak memory of the batch at N = {n:,}", at_n.peak_bytes / 2**20, 64, "MiB"))
    results.append((f"  … peak memory at 2N = {2 * n:,}", at_2n.peak_bytes / 2**20, 64, "MiB"))
    results.append(
        (
            "  … peak at 2N ÷ peak at N (flat)",
            at_2n.peak_bytes / max(at_n.peak_bytes, 1),
            MEMORY_GROWTH_TARGET,
            "×",
        )
    )
