"""反馈单: generate (in batches, resumable), write the branch's opinion, issue, acknowledge, remind.

Every state change goes through `core.transitions` with the table below and a SheetEvent; regenerating
makes a new version (the old one moves to SUPERSEDED), so there is one current sheet per member and year
and an issued sheet is never edited in place.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core import audit, outbox, workdays
from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from core.transitions import apply_transition, table_targets
from members.models import Community, Person, RoleAssignment, Town
from members.permissions import require_manager, require_office, require_town_supervisor
from members.roles import Role, scope_for

from ..models import FeedbackSheet, SheetBatch, SheetBatchState, SheetEvent, SheetState
from ..selectors import sheets as selectors

ACK_WORKING_DAYS = 10  # the employer acknowledges within 10 working days, then is reminded

TRANSITIONS: dict[str, set[str]] = {
    SheetState.DRAFT: {SheetState.ISSUED, SheetState.SUPERSEDED},
    SheetState.ISSUED: {SheetState.ACKNOWLEDGED, SheetState.SUPERSEDED},
    SheetState.ACKNOWLEDGED: {SheetState.SUPERSEDED},
    SheetState.SUPERSEDED: set(),
}
_targets = table_targets(TRANSITIONS)
OPINION_MAX = 1000


def _refused(sheet: FeedbackSheet) -> Conflict:
    allowed = sorted(TRANSITIONS[sheet.state])
    labels = "、".join(SheetState(s).label for s in allowed) or "无"
    return Conflict(
        f"反馈单当前状态为「{sheet.get_state_display()}」，不能执行此操作（可转为：{labels}）",
        code="illegal_transition",
        fields={"state": [f"当前状态为「{sheet.get_state_display()}」"]},
        allowed=allowed,
    )


def _recorder(by, note: str = ""):
    def record(sheet, from_state, to_state):
        return SheetEvent.objects.create(
            sheet=sheet,
            from_state=from_state,
            to_state=to_state,
            by=by if by is not None and by.is_authenticated else None,
            note=note[:300],
        )

    return record


def _move(sheet: FeedbackSheet, to: str, *, by, note: str = "", **fields) -> FeedbackSheet:
    return apply_transition(
        sheet,
        to=to,
        targets=_targets,
        refused=_refused,
        record_event=_recorder(by, note),
        state_field="state",
        fields=fields,
    )


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not isinstance(year, int) or year < 2000 or year > this_year:
        raise DomainError(f"年度须在 2000 至 {this_year} 之间", fields={"year": ["年度无效"]})


# --------------------------------------------------------------------------------------- generation


def _write_version(
    *,
    person: Person,
    year: int,
    community_id: int,
    by,
    batch: SheetBatch | None,
    evaluation: dict | None,
    replace_sent: bool,
) -> FeedbackSheet | None:
    """The new current version of one member's sheet (the caller holds a transaction). Returns None when
    there is nothing to do: this batch already wrote it (a redelivery), or the current sheet was already
    sent and `replace_sent` is False (a batch never takes back what an employer holds)."""
    if batch is not None and FeedbackSheet.objects.filter(batch=batch, person=person).exists():
        return None
    current = (
        FeedbackSheet.objects.select_for_update().filter(person=person, year=year, is_current=True).first()
    )
    if current is not None and current.state != SheetState.DRAFT and not replace_sent:
        return None
    employer = person.membership.employer
    assert employer is not None  # callers pick in-service members with an employer
    content = selectors.sheet_content(person=person, year=year, viewer=by, evaluation=evaluation)
    last = FeedbackSheet.objects.filter(person=person, year=year).aggregate(v=Max("version"))["v"] or 0
    opinion = ""
    if current is not None:
        opinion = current.opinion
        _move(current, SheetState.SUPERSEDED, by=by, note=f"由第 {last + 1} 版替代", is_current=False)
    sheet = FeedbackSheet.objects.create(
        community_id=community_id,
        person=person,
        employer=employer,
        year=year,
        version=last + 1,
        content=content,
        opinion=opinion,
        batch=batch,
        generated_by=by if by is not None and by.is_authenticated else None,
    )
    SheetEvent.objects.create(sheet=sheet, to_state=SheetState.DRAFT, by=sheet.generated_by, note="生成")
    return sheet


@transaction.atomic
def sheet_regenerate(*, sheet: FeedbackSheet, by) -> FeedbackSheet:
    """A new version of one sheet from today's ledger (an issued one too: it is superseded, not edited)."""
    require_manager(by, sheet.community_id)
    if not sheet.is_current:
        raise Conflict("只能重新生成现行版本", fields={"version": ["这不是现行版本"]})
    person = Person.objects.select_related("membership__employer").get(pk=sheet.person_id)
    if getattr(person, "membership", None) is None or person.membership.employer_id is None:
        raise DomainError("该党员没有登记工作单位，不能生成反馈单", fields={"employer": ["未登记工作单位"]})
    results = selectors._evaluation_results(sheet.community_id, sheet.year, person_ids=[person.pk])
    new = _write_version(
        person=person,
        year=sheet.year,
        community_id=sheet.community_id,
        by=by,
        batch=None,
        evaluation=selectors.evaluation_for(results.get(person.pk)),
        replace_sent=True,
    )
    sheet.refresh_from_db()
    assert new is not None  # replace_sent: a version is always written
    return new


@transaction.atomic
def sheet_batch_start(*, community: Community, year: int, by) -> SheetBatch:
    """Generate the year's sheets of every in-service member registered in the community, in the
    background. While a batch of the community and year is unfinished (a worker died?), starting again
    enqueues that batch once more: it resumes where it stopped and writes no sheet twice."""
    require_manager(by, community.pk)
    _check_year(year)
    batch = (
        SheetBatch.objects.select_for_update()
        .filter(community=community, year=year, state__in=[SheetBatchState.QUEUED, SheetBatchState.RUNNING])
        .first()
    )
    if batch is None:
        batch = SheetBatch.objects.create(
            community=community,
            year=year,
            started_by=by,
            total=selectors.members_for_sheets(community.pk).count(),
        )
    _enqueue(batch.pk)
    return batch


def _enqueue(batch_id: int) -> None:
    from ..tasks import generate_feedback_sheets

    outbox.enqueue(generate_feedback_sheets, batch_id)  # published after commit, kept if the broker is down


@transaction.atomic
def sheet_batch_start_town(*, town: Town, year: int, by) -> list[SheetBatch]:
    """The town supervisor generates for the whole town: one batch (one task) per community."""
    require_town_supervisor(by, town.pk)
    return [
        sheet_batch_start(community=community, year=year, by=by)
        for community in Community.objects.filter(town=town).order_by("pk")
    ]


def _write_chunk(*, batch: SheetBatch, people: list[Person], by) -> int:
    """One chunk of a batch, set-based (the caller holds the transaction): a constant number of queries
    whatever the chunk's size. Members this batch already wrote are skipped (a redelivery); a current sheet
    already sent is kept (a batch never takes back what an employer holds); a current draft is superseded
    by a compare-and-set UPDATE (… WHERE state = draft) with its events. Returns the sheets written."""
    ids = [p.pk for p in people]
    done = set(
        FeedbackSheet.objects.filter(batch=batch, person_id__in=ids).values_list("person_id", flat=True)
    )
    currents = {
        s.person_id: s
        for s in FeedbackSheet.objects.select_for_update()
        .filter(person_id__in=ids, year=batch.year, is_current=True)
        .only("pk", "person_id", "state", "opinion", "version")
    }
    todo = [
        p
        for p in people
        if p.pk not in done and (p.pk not in currents or currents[p.pk].state == SheetState.DRAFT)
    ]
    if not todo:
        return 0
    todo_ids = [p.pk for p in todo]
    last = dict(
        FeedbackSheet.objects.filter(person_id__in=todo_ids, year=batch.year)
        .values("person_id")
        .annotate(v=Max("version"))
        .values_list("person_id", "v")
        .order_by()
    )
    context = selectors.SheetContext.load(people=todo, year=batch.year, viewer=by)
    results = selectors._evaluation_results(batch.community_id, batch.year, person_ids=todo_ids)
    replaced = [currents[pid] for pid in todo_ids if pid in currents]
    who = by if by is not None and by.is_authenticated else None
    with audit.bulk_operation():
        if replaced:
            moved = FeedbackSheet.objects.filter(
                pk__in=[s.pk for s in replaced], state=SheetState.DRAFT, is_current=True
            ).update(state=SheetState.SUPERSEDED, is_current=False)
            if moved != len(replaced):  # under the row locks this cannot happen; refuse rather than guess
                raise Conflict("反馈单正被他人修改，请稍后重试", fields={"state": ["状态已变化"]})
            SheetEvent.objects.bulk_create(
                SheetEvent(
                    sheet_id=s.pk,
                    from_state=SheetState.DRAFT,
                    to_state=SheetState.SUPERSEDED,
                    by=who,
                    note=f"由第 {(last.get(s.person_id) or 0) + 1} 版替代",
                )
                for s in replaced
            )
        sheets = FeedbackSheet.objects.bulk_create(
            FeedbackSheet(
                community_id=batch.community_id,
                person=person,
                employer_id=person.membership.employer_id,  # type: ignore[misc]  # members_for_sheets: never None
                year=batch.year,
                version=(last.get(person.pk) or 0) + 1,
                content=context.content(person, evaluation=selectors.evaluation_for(results.get(person.pk))),
                opinion=currents[person.pk].opinion if person.pk in currents else "",
                batch=batch,
                generated_by=who,
            )
            for person in todo
        )
        SheetEvent.objects.bulk_create(
            SheetEvent(sheet_id=sheet.pk, to_state=SheetState.DRAFT, by=who, note="生成") for sheet in sheets
        )
    audit.record(
        action="bulk_feedback_sheets_generated",
        actor=who,
        community_id=batch.community_id,
        object_type="evaluations.SheetBatch",
        object_id=str(batch.pk),
        reason=f"{batch.year} 年度反馈单批量生成",
        extra={
            "written": len(sheets),
            "superseded": len(replaced),
            "first_person": ids[0],
            "last_person": ids[-1],
        },
    )
    return len(sheets)


def _write_chunk_one_by_one(*, batch: SheetBatch, people: list[Person], by) -> int:
    """The fallback when a chunk's bulk insert collides with a concurrent write (another run of the same
    batch, a regeneration): member by member, each under a savepoint, the unique keys deciding."""
    results = selectors._evaluation_results(batch.community_id, batch.year, person_ids=[p.pk for p in people])
    written = 0
    for person in people:
        try:
            with transaction.atomic():
                sheet = _write_version(
                    person=person,
                    year=batch.year,
                    community_id=batch.community_id,
                    by=by,
                    batch=batch,
                    evaluation=selectors.evaluation_for(results.get(person.pk)),
                    replace_sent=False,
                )
        except IntegrityError:
            sheet = None  # another run of this batch wrote it a moment ago
        written += sheet is not None
    return written


def sheet_batch_run(*, batch_id: int) -> int:
    """Run (or resume) a batch: members in chunks by id (keyset), one transaction per chunk, each chunk
    read and written set-based (`_write_chunk`), so neither the queries nor the memory grow with the
    community. The unique (batch, member) key makes a redelivered or concurrent run skip what is written.
    Returns the number of sheets this run wrote."""
    claimed = SheetBatch.objects.filter(
        pk=batch_id, state__in=[SheetBatchState.QUEUED, SheetBatchState.RUNNING]
    ).update(state=SheetBatchState.RUNNING)
    if not claimed:
        return 0  # finished already: a late redelivery
    batch = SheetBatch.objects.select_related("started_by").get(pk=batch_id)
    by = batch.started_by
    written = 0
    for chunk in selectors.member_chunks(batch.community_id, size=selectors.CHUNK):
        try:
            with transaction.atomic():
                written += _write_chunk(batch=batch, people=chunk, by=by)
        except IntegrityError:
            with transaction.atomic():
                written += _write_chunk_one_by_one(batch=batch, people=chunk, by=by)
        done = selectors.members_for_sheets(batch.community_id).filter(pk__lte=chunk[-1].pk).count()
        SheetBatch.objects.filter(pk=batch_id).update(done=done)
    total = selectors.members_for_sheets(batch.community_id).count()
    SheetBatch.objects.filter(pk=batch_id, state=SheetBatchState.RUNNING).update(
        state=SheetBatchState.FINISHED, total=total, done=total, finished_at=timezone.now()
    )
    return written


# --------------------------------------------------------------------------------- opinion and issue


@transaction.atomic
def sheet_set_opinion(*, sheet: FeedbackSheet, opinion: str, by) -> FeedbackSheet:
    """社区党组织意见, written by the branch per member before the sheet is issued."""
    require_office(by, sheet.community_id)
    opinion = (opinion or "").strip()
    if len(opinion) > OPINION_MAX:
        raise DomainError(
            f"意见不能超过 {OPINION_MAX} 字", fields={"opinion": [f"不能超过 {OPINION_MAX} 字"]}
        )
    locked = FeedbackSheet.objects.select_for_update().get(pk=sheet.pk)
    if locked.state != SheetState.DRAFT:
        raise Conflict(
            "反馈单已发出，不能修改；如需更正请重新生成新版本",
            code="illegal_transition",
            fields={"opinion": ["已发出的反馈单不能修改"]},
        )
    locked.opinion = opinion
    locked.save(update_fields=["opinion"])
    sheet.opinion = opinion
    return locked


def _issue(sheet: FeedbackSheet, *, by, today: dt.date) -> FeedbackSheet:
    due = workdays.add_working_days(today, ACK_WORKING_DAYS, town=sheet.community.town_id)
    return _move(sheet, SheetState.ISSUED, by=by, issued_on=today, issued_by=by, ack_due_on=due)


@transaction.atomic
def sheet_issue(*, sheet: FeedbackSheet, by) -> FeedbackSheet:
    """Send one sheet to the employer (its content is fixed from now on)."""
    require_office(by, sheet.community_id)
    return _issue(sheet, by=by, today=timezone.localdate())


@transaction.atomic
def sheets_issue_all(*, community: Community, year: int, by) -> int:
    """Send every current draft of the community and year; returns how many."""
    require_office(by, community.pk)
    today = timezone.localdate()
    count = 0
    drafts = FeedbackSheet.objects.filter(
        community=community, year=year, is_current=True, state=SheetState.DRAFT
    ).select_related("community")
    for sheet in drafts.iterator(chunk_size=500):
        _issue(sheet, by=by, today=today)
        count += 1
    return count


# ---------------------------------------------------------------------------------- acknowledgement


@transaction.atomic
def sheet_acknowledge(*, sheet: FeedbackSheet, by) -> FeedbackSheet:
    """签收: the employer's liaison confirms receipt. Only a liaison of the sheet's employer may; the views
    find the sheet through `visible_to`, so another employer's sheet is a 404 before it gets here."""
    if sheet.employer_id not in scope_for(by).employer_ids:
        raise PermissionDenied("只有该党员所在单位的党组织联络人可以签收反馈单")
    if not sheet.is_current:
        raise Conflict("这份反馈单已被新版本替代，请签收现行版本", fields={"version": ["不是现行版本"]})
    return _move(sheet, SheetState.ACKNOWLEDGED, by=by, acknowledged_at=timezone.now(), acknowledged_by=by)


def acknowledgement_reminders_send(*, today: dt.date | None = None) -> int:
    """Daily: remind each liaison of an employer that has not acknowledged a community's sheets within 10
    working days of issue. Set-based (one grouped query, one for the liaisons); one reminder per liaison,
    community, year and employer ever (the dedupe key), however often the task runs."""
    today = today or timezone.localdate()
    late = list(
        FeedbackSheet.objects.filter(is_current=True, state=SheetState.ISSUED, ack_due_on__lt=today)
        .values_list("community_id", "community__name", "year", "employer_id")
        .distinct()
        .order_by()
    )
    if not late:
        return 0
    liaisons: dict[int, list] = {}
    for assignment in RoleAssignment.objects.filter(
        role=Role.EMPLOYER_LIAISON, employer_id__in={row[3] for row in late}
    ).select_related("user"):
        liaisons.setdefault(assignment.employer_id, []).append(assignment.user)
    sent = 0
    for community_id, community_name, year, employer_id in late:
        for user in liaisons.get(employer_id, []):
            with transaction.atomic():
                note = notify(
                    recipient=user,
                    kind="sheet_ack_reminder",
                    title=f"请签收{community_name} {year} 年度在职党员反馈单",
                    body=f"{community_name}发出的 {year} 年度在职党员小区活动情况反馈单已超过 "
                    f"{ACK_WORKING_DAYS} 个工作日未签收，请登录查看并签收。",
                    url=reverse("evaluations:employer_inbox"),
                    dedupe_key=f"sheet-ack:{community_id}:{year}:{employer_id}:{user.pk}",
                )
            sent += note is not None
    return sent
