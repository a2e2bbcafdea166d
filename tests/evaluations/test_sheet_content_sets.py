"""The batch builds sheets set-based (evaluations.selectors.sheets.SheetContext): the same lines as the
member's activity ledger (volunteering.selectors.member_ledger, what the ledger page shows), and a number
of queries that does not grow with the number of members."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import services
from evaluations.models import FeedbackSheet, SheetBatch
from evaluations.selectors import sheets as selectors
from tests.evaluations.employer_world import build_ledger
from tests.volunteering.factories import at, registered_member
from volunteering.selectors import hours_of, member_ledger

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 10, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ledger_lines(person, viewer) -> dict:
    """The sheet's numbers read off member_ledger, the one-member reference."""
    ledger = member_ledger(person=person, year=2026, viewer=viewer)
    cases = next(s for s in ledger.sections if s.key == "cases")
    return {
        "community_name": ledger.community.name,
        "posts": [c.post.name for c in ledger.claims if c.status == "approved"],
        "items": [(e.item.title, str(hours_of(e.record.minutes))) for e in ledger.entries if e.counts],
        "done": (ledger.items_done, str(ledger.hours_done), ledger.progress["status_label"]),
        "cumulative_hours": str(ledger.cumulative_hours),
        "cases": [[str(v) for v in row] for row in cases.rows],
    }


def sheet_lines(content: dict) -> dict:
    return {
        "community_name": content["community_name"],
        "posts": content["posts"],
        "items": [(i["title"], i["hours"]) for i in content["items"]],
        "done": (content["done"]["items"], content["done"]["hours"], content["done"]["status"]),
        "cumulative_hours": content["cumulative_hours"],
        "cases": content["cases"]["rows"],
    }


def test_a_chunk_says_what_each_members_ledger_says(cast):
    world = build_ledger(cast)  # approved, pending and rejected records, a claim, a zone, a case
    idle = registered_member(cast.beijie)  # nothing this year
    people = list(selectors.members_for_sheets(cast.beijie.pk))
    assert {world.person.pk, idle.pk} <= {p.pk for p in people}

    context = selectors.SheetContext.load(people=people, year=2026, viewer=cast.secretary)

    for person in people:
        content = context.content(person, evaluation=None)
        assert sheet_lines(content) == ledger_lines(person, cast.secretary), person.name
    ma = next(p for p in people if p.pk == world.person.pk)
    assert sheet_lines(context.content(ma, evaluation=None))["done"] == (3, "6.5", "达到目标")


def _batch_queries(cast) -> int:
    batch = SheetBatch.objects.create(community=cast.beijie, year=2026, started_by=cast.secretary)
    with CaptureQueriesContext(connection) as queries:
        services.sheet_batch_run(batch_id=batch.pk)
    assert (
        FeedbackSheet.objects.filter(batch=batch).count()
        == selectors.members_for_sheets(cast.beijie.pk).count()
    )
    return len(queries)


def test_the_batchs_queries_do_not_grow_with_the_members(cast):
    build_ledger(cast)
    few = _batch_queries(cast)
    FeedbackSheet.objects.all().update(is_current=False, state="superseded")
    for _ in range(12):
        registered_member(cast.beijie)

    many = _batch_queries(cast)

    # per chunk: the chunk, written-already, current sheets (locked), versions, registrations, communities,
    # policies, zones, claims, team, records, year totals, cumulative, cases, the appraisal, the sheets and
    # their events (bulk), the audit summary, the progress count; around it the claim, the batch, the total
    assert many == few, (few, many)
    assert many < 40
