"""Writes the model receivers cannot see — `QuerySet.update()` bypasses the signals — still reach the trail.

(a) a per-object business change kept as an UPDATE for atomicity (compare-and-set on the status, an F()
    decrement of the stock) records its before/after and the acting user with `audit.record_update`;
(b) a set-based sweep (retention, erasure) records ONE summary event, never a row per object;
(c) bookkeeping that is no domain change records nothing.

The registry at the bottom lists every `.update(` call site of the apps with its class, so a future bare
update() fails `test_every_update_call_site_is_classified` until someone decides which of the three it is.
"""

import ast
import datetime as dt
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest
import time_machine

from cases import retention as case_retention
from cases.states import CaseState
from core import audit
from core.errors import Conflict
from core.models import AuditEvent
from members import services as member_services
from members.models import ImportStatus, OfficerEndReason, OfficerStatus, Person, RosterImport
from members.retention import purge_roster_imports
from tests import factories as f
from tests.audit.conftest import events, mark
from tests.cases.factories import make_case
from tests.volunteering.factories import GoodFactory, PairingFactory, ProgrammeFactory, SkillFactory
from volunteering import services as volunteering_services
from volunteering.models import PairingStatus, ProgrammeKind

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]


def only_update_of(start: int, obj) -> AuditEvent:
    [event] = events(start, action="update", object_type=obj._meta.label, object_id=str(obj.pk))
    return event


# ------------------------------------------------------------------ (a) per-object business changes


def test_ending_an_officer_records_status_date_and_reason_with_the_acting_secretary(cast):
    officer = member_services.officer_appoint(
        community=cast.beijie,
        person=f.PersonFactory(community=cast.beijie),
        by=cast.secretary,
        source="activist",
        appointed_on=dt.date(2026, 3, 2),
    )
    start = mark()

    member_services.officer_end(
        officer=officer, by=cast.secretary, reason=OfficerEndReason.MOVED, on=dt.date(2026, 6, 30)
    )

    event = only_update_of(start, officer)
    assert event.changes == {
        "status": [OfficerStatus.ACTIVE, OfficerStatus.ENDED],
        "ended_on": [None, "2026-06-30"],
        "end_reason": ["", OfficerEndReason.MOVED],
    }
    assert event.actor == cast.secretary and event.community_id == cast.beijie.pk


def test_ending_an_officer_twice_records_nothing_the_second_time(cast):
    officer = cast.officer_row
    member_services.officer_end(officer=officer, by=cast.secretary, reason=OfficerEndReason.RESIGNED)
    start = mark()

    with pytest.raises(Conflict):
        member_services.officer_end(officer=officer, by=cast.secretary, reason=OfficerEndReason.RESIGNED)

    assert events(start) == []


def test_ending_a_pairing_records_status_and_date_with_the_acting_secretary(cast):
    pairing = PairingFactory(
        programme=ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LEFT_BEHIND_CHILDREN),
        person=cast.member_person,
    )
    start = mark()

    volunteering_services.pairing_end(pairing=pairing, by=cast.secretary, ended_on=dt.date(2026, 3, 9))

    event = only_update_of(start, pairing)
    assert event.changes == {
        "status": [PairingStatus.ACTIVE, PairingStatus.ENDED],
        "ended_on": [None, "2026-03-09"],
    }
    assert event.actor == cast.secretary and event.community_id == cast.beijie.pk


def test_withdrawing_a_skill_records_it_with_the_member_who_withdrew_it(cast):
    listing = SkillFactory(
        programme=ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET),
        person=cast.member_person,
    )
    start = mark()

    volunteering_services.skill_withdraw(listing=listing, by=cast.member)

    event = only_update_of(start, listing)
    assert event.changes == {
        "is_active": [True, False],
        "withdrawn_at": [None, listing.withdrawn_at.isoformat()],
    }
    assert event.actor == cast.member and event.community_id == cast.beijie.pk


def test_a_hand_out_records_the_stock_before_and_after_with_the_staff_member(cast):
    good = GoodFactory(programme=ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET))
    start = mark()

    volunteering_services.good_hand_out(good=good, by=cast.staff, recipient_name="困难户王某", quantity=3)

    event = only_update_of(start, good)
    assert event.changes == {"quantity_left": [10, 7]}
    assert event.actor == cast.staff and event.community_id == cast.beijie.pk
    assert good.quantity_left == 7
    good.refresh_from_db()
    assert good.quantity_left == 7


def test_a_change_recorded_by_hand_is_masked_like_a_save(cast):
    person = f.PersonFactory(community=cast.beijie, mobile="13900000001")
    start = mark()

    Person.objects.filter(pk=person.pk).update(mobile="13712345678")
    person.refresh_from_db()
    audit.record_update(person, before={"mobile": "13900000001"}, actor=cast.secretary)

    assert only_update_of(start, person).changes == {"mobile": ["139****0001", "137****5678"]}


def test_a_change_recorded_by_hand_is_silent_inside_a_bulk_operation_and_when_nothing_changed(cast):
    person = f.PersonFactory(community=cast.beijie, note="")
    start = mark()

    with audit.bulk_operation():
        audit.record_update(person, before={"note": "旧"})
    audit.record_update(person, before={"note": ""})

    assert events(start) == []


# --------------------------------------------------------------------------- (b) set-based sweeps


def closed_case(community, by, on: dt.datetime):
    with time_machine.travel(on, tick=False):
        return make_case(community, by=by, state=CaseState.CLOSED, received_at=on)


def test_the_nightly_anonymisation_writes_one_summary_per_community_and_no_row_per_case(cast):
    for _ in range(3):
        closed_case(cast.beijie, cast.secretary, dt.datetime(2024, 3, 1, 10, tzinfo=SHANGHAI))
    start = mark()

    with audit.acting_as(label="celery:anonymise_closed_cases"):
        assert case_retention.anonymise_closed_cases(today=dt.date(2026, 10, 8)) == 3

    [summary] = events(start)
    assert summary.action == "retention_anonymised" and summary.community_id == cast.beijie.pk
    assert summary.extra["cases"] == 3 and summary.extra["closed_before"]
    assert summary.actor is None and summary.actor_label == "celery:anonymise_closed_cases"


def test_a_residents_erasure_writes_one_event_naming_every_case_and_the_acting_user(cast):
    first = make_case(cast.beijie, by=cast.secretary)
    second = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED)
    start = mark()

    case_retention.resident_erasure(by=cast.secretary, case=first, reason="居民来电申请删除")

    [summary] = events(start)
    assert summary.action == "resident_erasure" and summary.actor == cast.secretary
    assert summary.extra["cases"] == 2
    assert summary.extra["tracking_numbers"] == sorted([first.tracking_no, second.tracking_no])


def test_the_roster_upload_purge_writes_one_summary_and_no_row_per_upload(cast):
    for _ in range(2):
        with time_machine.travel(dt.datetime(2026, 1, 5, 10, tzinfo=SHANGHAI), tick=False):
            RosterImport.objects.create(
                town=cast.beijie.town,
                community=cast.beijie,
                filename="花名册.xlsx",
                status=ImportStatus.PREVIEW,
                rows=[{"name": "导入人员"}],
            )
    start = mark()

    with audit.acting_as(label="celery:purge_expired_personal_data"):
        purge_roster_imports(now=dt.datetime(2026, 11, 26, tzinfo=SHANGHAI))

    [summary] = events(start)
    assert summary.action == "bulk_roster_imports_purged" and summary.object_type == "members.RosterImport"
    assert summary.extra["roster_imports"] == 2 and summary.extra["cutoff"]
    assert summary.actor_label == "celery:purge_expired_personal_data"


# ---------------------------------------------------------------- the registry of `.update(` calls

CHANGE = "(a) per-object business change: recorded with audit.record_update in the same function"
SWEEP = "(b) set-based sweep: one summary audit event"
BOOKKEEPING = "(c) not a domain change: nothing to record"
NOT_A_QUERYSET = "dict.update with keyword arguments: not a database write"

# (file, function, what `.update(` is called on: the model, or the variable holding the queryset or dict)
# → class. No line numbers and no filters in the key, so edits around a call or to its filters do not
# disturb it; a new call, or one on another model or in another function, has to be classified. Where one
# function updates the same model more than once, the value is (class, number of calls).
UPDATE_CALLS = {
    # (a) Compare-and-set `UPDATE … WHERE status = active` (only one of two concurrent endings wins).
    ("members/services/officers.py", "officer_end", "InformationOfficer"): CHANGE,
    ("volunteering/services/programmes.py", "pairing_end", "Pairing"): CHANGE,
    ("volunteering/services/programmes.py", "skill_withdraw", "SkillListing"): CHANGE,
    # (a) F("quantity_left") - n under the row lock: the stock is read back and the decrement recorded.
    ("volunteering/services/programmes.py", "good_hand_out", "DonatedGood"): CHANGE,
    # (b) Nightly retention (anonymise_closed_cases → "retention_anonymised" per community) and a
    # resident's erasure request (resident_erasure → "resident_erasure" naming the tracking numbers):
    # both callers of _anonymise write the one summary.
    ("cases/retention.py", "_anonymise", "cases"): SWEEP,
    ("cases/retention.py", "_anonymise", "ReceptionItem"): SWEEP,
    ("cases/retention.py", "_anonymise", "ForumItem"): SWEEP,
    ("cases/retention.py", "_anonymise", "DiaryEntry"): SWEEP,
    # (b) Nightly anonymisation of diary entries and forum matters that never became a case (one UPDATE per
    # table and period, inside audit.bulk_operation) → "bulk_unlinked_visits_anonymised".
    ("cases/retention.py", "anonymise_unlinked_visits", "DiaryEntry"): SWEEP,
    ("cases/retention.py", "anonymise_unlinked_visits", "ForumItem"): SWEEP,
    # (b) Nightly purge of roster upload rows → "bulk_roster_imports_purged".
    ("members/retention.py", "purge_roster_imports", "RosterImport"): SWEEP,
    # (b) The morning 督办 sweep: orders of resolved cases closed, overdue orders escalated — one summary
    # each ("bulk_supervision_orders_closed" / "…_escalated"), plus the orders' own event rows.
    ("supervision/services/orders.py", "close_resolved", "SupervisionOrder"): SWEEP,
    ("supervision/services/orders.py", "escalate_overdue", "SupervisionOrder"): SWEEP,
    # (b) Nightly purges of volunteering's personal data (volunteering.retention, each inside
    # audit.bulk_operation with one summary): hand-out recipients and donors → "bulk_handout_names_purged",
    # ended pairings → "bulk_pairings_anonymised", withdrawn listings' phones → "bulk_skill_phones_purged".
    ("volunteering/retention.py", "purge_love_supermarket_names", "GoodHandout"): SWEEP,
    ("volunteering/retention.py", "purge_love_supermarket_names", "DonatedGood"): SWEEP,
    ("volunteering/retention.py", "purge_ended_pairings", "Pairing"): SWEEP,
    ("volunteering/retention.py", "purge_withdrawn_skill_phones", "SkillListing"): SWEEP,
    # (b) Nightly purges of the evaluations app (evaluations.retention, inside audit.bulk_operation with one
    # summary): old feedback sheets → "bulk_feedback_sheets_purged", old consultations →
    # "bulk_consultations_purged".
    ("evaluations/retention.py", "purge_feedback_sheets", "FeedbackSheet"): SWEEP,
    ("evaluations/retention.py", "purge_consultations", "old"): SWEEP,
    # (c) `capacity = capacity`: a no-op UPDATE that takes SQLite's write lock (it has no row locks);
    # no value changes.
    ("volunteering/services/_common.py", "_lock_item", "ServiceItem"): BOOKKEEPING,
    ("volunteering/services/_common.py", "_lock_post", "ServicePost"): BOOKKEEPING,
    # (c) A user's own notification inbox (read_at); core.Notification is not a domain model.
    ("core/notifications.py", "mark_read", "qs"): BOOKKEEPING,
    # (c) manage.py seed_demo backdates rows it has just bulk_created (not audited either): demo data,
    # no person's change.
    ("cases/demo.py", "_seed_community", "Mailbox"): BOOKKEEPING,
    ("cases/demo.py", "_seed_community", "Case"): BOOKKEEPING,
    # (c) employer: a sheet batch's progress record (claimed → running, the count done after each chunk,
    # finished); the sheets a chunk writes are summarised in one audit event (below).
    ("evaluations/services/sheets.py", "sheet_batch_run", "SheetBatch"): (BOOKKEEPING, 3),
    # (b) employer: a batch chunk supersedes the current drafts of its members at once (a compare-and-set
    # UPDATE … WHERE state = draft, with a SheetEvent each) → one "bulk_feedback_sheets_generated" per chunk.
    ("evaluations/services/sheets.py", "_write_chunk", "FeedbackSheet"): SWEEP,
    # Dictionaries, not querysets (QuerySet.update takes keyword arguments only, so these look alike).
    ("members/forms.py", "PersonForm.__init__", "initial"): NOT_A_QUERYSET,
    ("members/roster/parsing.py", "parse_roster", "result"): NOT_A_QUERYSET,
    ("volunteering/services/attendance.py", "record_approve", "extra"): NOT_A_QUERYSET,
    ("volunteering/views/items.py", "item_edit", "initial"): NOT_A_QUERYSET,
}


def classified(key) -> tuple[str, int]:
    value = UPDATE_CALLS[key]
    return value if isinstance(value, tuple) else (value, 1)


SCANNED_APPS = ("members", "volunteering", "cases", "evaluations", "supervision", "core")


def _root(node) -> str:
    """`Case.objects.filter(…).exclude(…)` → "Case"; `result.summary` → "result"."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ast.unparse(node)


class _UpdateCalls(ast.NodeVisitor):
    """`x.update(...)` with keyword arguments only (the only way to call QuerySet.update) and the function
    it is in; `obj.__dict__.update(...)` (refreshing an instance in memory) is left out."""

    def __init__(self, path: str):
        self.path, self.scope, self.found = path, [], []

    def _enter(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node):
        func = node.func
        in_memory = isinstance(func, ast.Attribute) and getattr(func.value, "attr", "") == "__dict__"
        if isinstance(func, ast.Attribute) and func.attr == "update" and not node.args and not in_memory:
            key = (self.path, ".".join(self.scope) or "<module>", _root(func.value))
            self.found.append((key, node.lineno))
        self.generic_visit(node)


def update_call_sites() -> list[tuple[tuple[str, str, str], int]]:
    found = []
    for app in SCANNED_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            visitor = _UpdateCalls(path.relative_to(ROOT).as_posix())
            visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
            found.extend(visitor.found)
    return found


def test_every_update_call_site_is_classified():
    found = update_call_sites()
    counts = Counter(key for key, _ in found)
    unclassified = [
        f"{key[0]}:{line} {key[1]}: {key[2]}.update(…)" for key, line in found if key not in UPDATE_CALLS
    ]
    assert not unclassified, (
        "QuerySet.update() bypasses the audit receivers. Classify each new call in UPDATE_CALLS "
        "(tests/audit/test_trail_bulk_writes.py): (a) record it with audit.record_update, (b) write one "
        "summary with audit.record, or (c) say why it is no domain change:\n" + "\n".join(unclassified)
    )
    miscounted = {key: n for key, n in counts.items() if n != classified(key)[1]}
    assert not miscounted, f"update() calls found ≠ classified, classify each one (class, n): {miscounted}"
    stale = sorted(set(UPDATE_CALLS) - set(counts))
    assert not stale, f"UPDATE_CALLS lists call sites that no longer exist, remove them: {stale}"


def test_each_per_object_change_is_recorded_in_the_function_that_makes_it():
    functions = {}
    changes = [key for key in UPDATE_CALLS if classified(key)[0] == CHANGE]
    for path in {path for path, _, _ in changes}:
        for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                functions[(path, node.name)] = node
    for path, function, _ in changes:
        calls = {
            ast.unparse(node.func)
            for node in ast.walk(functions[(path, function)])
            if isinstance(node, ast.Call)
        }
        assert "audit.record_update" in calls, f"{path} {function}: update() without audit.record_update"
