"""督办单: the morning sweep (set-based, idempotent per case and day) and the order's guarded transitions.

The daily run (`daily_sweep`), on a working day of each town's calendar, in four steps — each one
transaction, each safe to repeat:
  1. orders whose case has meanwhile been resolved are closed (销号) — one UPDATE and one INSERT of events;
  2. orders still `issued` past their deadline escalate one level (社区 → 镇投诉监督室 → 镇党委会议): the
     old order becomes `escalated`, the next level gets a new order pointing to it;
  3. cases past their deadline without an order for that deadline get one, addressed to the community's
     office director (else its secretary) — one SELECT and one `bulk_create(ignore_conflicts=True)` over
     the unique (case, level, day) and (case, level, deadline) keys, so a rerun or a concurrent run adds
     nothing;
  4. everyone who received orders today is told, one notice per recipient and batch (the dedupe key names
     the day and the newest order, so a rerun after a crash sends nothing twice).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.states import OPEN_STATES
from core import audit, workdays
from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from core.transitions import apply_transition, table_targets
from members.models import RoleAssignment, Town
from members.roles import Role, scope_for

from ..models import (
    OPEN_ORDER_STATES,
    ORDER_WORKING_DAYS,
    OrderLevel,
    OrderState,
    SupervisionOrder,
    SupervisionOrderEvent,
)

S = OrderState
TRANSITIONS: dict[str, set[str]] = {
    S.ISSUED: {S.ANSWERED, S.CLOSED, S.ESCALATED},
    S.ANSWERED: {S.ANSWERED, S.CLOSED, S.ESCALATED},
    S.CLOSED: set(),
    S.ESCALATED: set(),
}
_targets = table_targets(TRANSITIONS)
MIN_TEXT = 4


def _refused(order: SupervisionOrder) -> Conflict:
    allowed = sorted(TRANSITIONS[order.state])
    return Conflict(
        f"督办单当前状态为「{order.get_state_display()}」，不能再办理",
        code="illegal_transition",
        fields={"state": [f"当前状态为「{order.get_state_display()}」"]},
        allowed=allowed,
    )


def _recorder(action: str, by, note: str = ""):
    def record(order, from_state, to_state):
        return SupervisionOrderEvent.objects.create(
            order=order, action=action, from_state=from_state, to_state=to_state, by=by, note=note
        )

    return record


def order_due_on(issued_on: dt.date, *, town_id: int) -> dt.date:
    """An order's deadline: ORDER_WORKING_DAYS working days after issue on the town's calendar."""
    return workdays.add_working_days(issued_on, ORDER_WORKING_DAYS, town=town_id)


def working_town_ids(today: dt.date) -> list[int]:
    """The towns for which `today` is a working day (each town's calendar; a handful of rows)."""
    return [
        pk
        for pk in Town.objects.order_by("pk").values_list("pk", flat=True)
        if workdays.is_working_day(today, town=pk)
    ]


def _first_holder(role: str):
    return Subquery(
        RoleAssignment.objects.filter(community_id=OuterRef("community_id"), role=role)
        .order_by("pk")
        .values("user_id")[:1]
    )


def _record_issue_events(today: dt.date) -> int:
    """An `issue` event for every order issued today that has none yet (set-based; part of the caller's
    transaction, so an order never exists without its first event once committed)."""
    fresh = list(
        SupervisionOrder.objects.filter(issued_on=today)
        .exclude(Exists(SupervisionOrderEvent.objects.filter(order_id=OuterRef("pk"))))
        .values_list("pk", "level")
    )
    SupervisionOrderEvent.objects.bulk_create(
        [
            SupervisionOrderEvent(
                order_id=pk,
                action="issue",
                from_state="",
                to_state=S.ISSUED,
                note="民情件超期未办结，下发督办单"
                if level == OrderLevel.COMMUNITY
                else "督办单逾期未办结，升级督办",
            )
            for pk, level in fresh
        ],
        batch_size=500,
    )
    return len(fresh)


# ------------------------------------------------------------------------------------------ the sweep


@transaction.atomic
def close_resolved(*, today: dt.date) -> int:
    """Open orders whose case is no longer open (resolved, referred, fed back …) are closed: 自动销号."""
    ids = list(
        SupervisionOrder.objects.select_for_update()
        .filter(state__in=OPEN_ORDER_STATES)
        .exclude(case__state__in=OPEN_STATES)
        .values_list("pk", "state")
    )
    if not ids:
        return 0
    now = timezone.now()
    with audit.bulk_operation():
        SupervisionOrder.objects.filter(pk__in=[pk for pk, _ in ids]).update(
            state=S.CLOSED, closed_at=now, close_reason="民情件已办结，自动销号"
        )
        SupervisionOrderEvent.objects.bulk_create(
            [
                SupervisionOrderEvent(
                    order_id=pk,
                    action="close",
                    from_state=state,
                    to_state=S.CLOSED,
                    note="民情件已办结，自动销号",
                )
                for pk, state in ids
            ],
            batch_size=500,
        )
    audit.record(
        action="bulk_supervision_orders_closed",
        object_type="supervision.SupervisionOrder",
        reason="民情件已办结，督办单自动销号",
        extra={"orders": len(ids), "as_of": today.isoformat()},
    )
    return len(ids)


@transaction.atomic
def escalate_overdue(*, today: dt.date, town_ids: list[int] | None = None) -> int:
    """Orders still `issued` after their deadline climb one level; the top level stays and shows overdue."""
    town_ids = working_town_ids(today) if town_ids is None else town_ids
    rows = list(
        SupervisionOrder.objects.select_for_update()
        .filter(state=S.ISSUED, due_on__lt=today, level__lt=OrderLevel.TOWN_COMMITTEE, town_id__in=town_ids)
        .values("pk", "case_id", "community_id", "town_id", "level", "case_due_on")
    )
    if not rows:
        return 0
    due = {town: order_due_on(today, town_id=town) for town in {r["town_id"] for r in rows}}
    with audit.bulk_operation():
        SupervisionOrder.objects.filter(pk__in=[r["pk"] for r in rows]).update(state=S.ESCALATED)
        SupervisionOrderEvent.objects.bulk_create(
            [
                SupervisionOrderEvent(
                    order_id=r["pk"],
                    action="escalate",
                    from_state=S.ISSUED,
                    to_state=S.ESCALATED,
                    note=f"逾期未答复，升级至{OrderLevel(r['level'] + 1).label}",
                )
                for r in rows
            ],
            batch_size=500,
        )
        SupervisionOrder.objects.bulk_create(
            [
                SupervisionOrder(
                    case_id=r["case_id"],
                    community_id=r["community_id"],
                    town_id=r["town_id"],
                    level=r["level"] + 1,
                    parent_id=r["pk"],
                    addressee=None,
                    case_due_on=r["case_due_on"],
                    issued_on=today,
                    due_on=due[r["town_id"]],
                )
                for r in rows
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        _record_issue_events(today)
    audit.record(
        action="bulk_supervision_orders_escalated",
        object_type="supervision.SupervisionOrder",
        reason="督办单逾期未答复，自动升级督办",
        extra={"orders": len(rows), "as_of": today.isoformat()},
    )
    return len(rows)


@transaction.atomic
def issue_orders(*, today: dt.date, town_ids: list[int] | None = None) -> int:
    """A level-1 order for every case past its deadline that has no open order and none for that
    deadline; addressed to the community's office director, else its secretary."""
    town_ids = working_town_ids(today) if town_ids is None else town_ids
    if not town_ids:
        return 0
    ordered = SupervisionOrder.objects.filter(case_id=OuterRef("pk")).filter(
        Q(state__in=OPEN_ORDER_STATES) | Q(level=OrderLevel.COMMUNITY, case_due_on=OuterRef("due_on"))
    )
    rows = list(
        Case.objects.overdue(today)
        .filter(community__town_id__in=town_ids)
        .exclude(Exists(ordered))
        .annotate(
            order_town=F("community__town_id"),
            order_addressee=Coalesce(_first_holder(Role.OFFICE_DIRECTOR), _first_holder(Role.SECRETARY)),
        )
        .values_list("pk", "community_id", "order_town", "due_on", "order_addressee")
    )
    if rows:
        due = {town: order_due_on(today, town_id=town) for town in {r[2] for r in rows}}
        with audit.bulk_operation():
            SupervisionOrder.objects.bulk_create(
                [
                    SupervisionOrder(
                        case_id=case_id,
                        community_id=community_id,
                        town_id=town_id,
                        level=OrderLevel.COMMUNITY,
                        addressee_id=addressee_id,
                        case_due_on=case_due_on,
                        issued_on=today,
                        due_on=due[town_id],
                    )
                    for case_id, community_id, town_id, case_due_on, addressee_id in rows
                ],
                ignore_conflicts=True,
                batch_size=500,
            )
    with audit.bulk_operation():
        created = _record_issue_events(today)
    if created:
        audit.record(
            action="bulk_supervision_orders_issued",
            object_type="supervision.SupervisionOrder",
            reason="民情件超期未办结，下发督办单",
            extra={"orders": created, "as_of": today.isoformat()},
        )
    return created


def notify_issued(*, today: dt.date) -> int:
    """Tell each recipient of today's orders once: a level-1 order's addressee; for the town levels, every
    supervisor of the town (镇投诉监督室). One notice per recipient and batch; a rerun sends nothing new."""
    batches: dict[int, list[tuple[int, str, int]]] = defaultdict(list)  # user → [(order, tracking_no, level)]
    orders = list(
        SupervisionOrder.objects.filter(issued_on=today).values_list(
            "pk", "case__tracking_no", "level", "addressee_id", "town_id"
        )
    )
    town_levels = [o for o in orders if o[2] != OrderLevel.COMMUNITY]
    supervisors: dict[int, list] = defaultdict(list)
    for town_id, user_id in RoleAssignment.objects.filter(
        role=Role.TOWN_SUPERVISOR, town_id__in={o[4] for o in town_levels}
    ).values_list("town_id", "user_id"):
        supervisors[town_id].append(user_id)
    for pk, tracking_no, level, addressee_id, town_id in orders:
        for user_id in [addressee_id] if level == OrderLevel.COMMUNITY else supervisors[town_id]:
            if user_id:
                batches[user_id].append((pk, tracking_no, level))
    from members.models import User

    users = User.objects.in_bulk(list(batches))
    sent = 0
    for user_id, items in batches.items():
        newest = max(pk for pk, _, _ in items)
        town = any(level != OrderLevel.COMMUNITY for _, _, level in items)
        with transaction.atomic():
            note = notify(
                recipient=users.get(user_id),
                kind="supervision_order",
                title=f"收到 {len(items)} 张督办单" + ("（含升级督办）" if town else ""),
                body="超期未办结的民情件：" + "、".join(t for _, t, _ in items[:50]),
                url=reverse("supervision:orders") + ("?scope=town" if town else "?mine=1"),
                dedupe_key=f"supervision-orders:{user_id}:{today:%Y%m%d}:{newest}",
            )
        sent += note is not None
    return sent


def daily_sweep(*, today: dt.date | None = None) -> dict:
    """The morning run (see the module docstring); nothing on a day that is no town's working day."""
    today = today or timezone.localdate()
    town_ids = working_town_ids(today)
    if not town_ids:
        return {"skipped": "not a working day", "issued": 0, "escalated": 0, "closed": 0, "notified": 0}
    closed = close_resolved(today=today)
    escalated = escalate_overdue(today=today, town_ids=town_ids)
    issued = issue_orders(today=today, town_ids=town_ids)
    return {
        "closed": closed,
        "escalated": escalated,
        "issued": issued,
        "notified": notify_issued(today=today),
    }


# ------------------------------------------------------------------------------------ one order at a time


def can_answer(user, order: SupervisionOrder) -> bool:
    if order.level == OrderLevel.COMMUNITY:
        return order.addressee_id is not None and order.addressee_id == getattr(user, "pk", None)
    return scope_for(user).supervises_town(order.town_id)


def can_close(user, order: SupervisionOrder) -> bool:
    return scope_for(user).supervises_town(order.town_id) or (
        order.level == OrderLevel.COMMUNITY and order.addressee_id == getattr(user, "pk", None)
    )


def can_escalate(user, order: SupervisionOrder) -> bool:
    return scope_for(user).supervises_town(order.town_id) and order.level < OrderLevel.TOWN_COMMITTEE


def _text(value: str, field: str, label: str, *, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) < MIN_TEXT:
        raise DomainError(
            f"请填写{label}（至少 {MIN_TEXT} 个字）",
            fields={field: [f"请填写{label}（至少 {MIN_TEXT} 个字）"]},
        )
    if len(value) > max_length:
        raise DomainError(f"{label}不能超过 {max_length} 字", fields={field: [f"不能超过 {max_length} 字"]})
    return value


@transaction.atomic
def order_answer(*, order: SupervisionOrder, answer: str, by) -> SupervisionOrder:
    """The addressee answers (what was done, when the case will be settled). Level 1: only the office
    director the order was sent to; the town levels: a supervisor of the town."""
    if not can_answer(by, order):
        if order.level == OrderLevel.COMMUNITY:
            name = (
                order.addressee.get_full_name() or order.addressee.get_username() if order.addressee else "—"
            )
            raise PermissionDenied(f"只有督办单的承办人（{name}）可以答复")
        raise PermissionDenied("只有镇投诉监督室（镇督查）可以答复镇一级督办单")
    text = _text(answer, "answer", "答复内容", max_length=2000)
    locked = apply_transition(
        order,
        to=S.ANSWERED,
        targets=_targets,
        refused=_refused,
        record_event=_recorder("answer", by, text),
        state_field="state",
        fields={"answer": text, "answered_by": by, "answered_at": timezone.now()},
    )
    if order.level == OrderLevel.COMMUNITY:
        for assignment in RoleAssignment.objects.filter(
            role=Role.TOWN_SUPERVISOR, town_id=order.town_id
        ).select_related("user"):
            notify(
                recipient=assignment.user,
                kind="supervision_order_answered",
                title=f"督办单 {locked.number} 已答复",
                body=text[:200],
                url=reverse("supervision:order_detail", args=[locked.pk]),
                dedupe_key=f"supervision-answered:{locked.pk}:{assignment.user_id}:{timezone.now():%Y%m%d%H%M%S}",
            )
    return locked


@transaction.atomic
def order_close(*, order: SupervisionOrder, by, reason: str = "") -> SupervisionOrder:
    """销号. Closing an order whose case is still open needs a written reason."""
    if not can_close(by, order):
        raise PermissionDenied("只有镇投诉监督室（镇督查）或督办单承办人可以销号")
    reason = (reason or "").strip()
    case_open = Case.objects.filter(pk=order.case_id, state__in=OPEN_STATES).exists()
    if case_open:
        reason = _text(reason, "reason", "销号理由（民情件尚未办结）", max_length=500)
    elif len(reason) > 500:
        raise DomainError("销号说明不能超过 500 字", fields={"reason": ["不能超过 500 字"]})
    return apply_transition(
        order,
        to=S.CLOSED,
        targets=_targets,
        refused=_refused,
        record_event=_recorder("close", by, reason),
        state_field="state",
        fields={"close_reason": reason, "closed_at": timezone.now()},
    )


@transaction.atomic
def order_escalate(*, order: SupervisionOrder, by, note: str = "") -> SupervisionOrder:
    """The town's supervision office sends the order one level up; the next level gets a new order."""
    if not scope_for(by).supervises_town(order.town_id):
        raise PermissionDenied("只有镇投诉监督室（镇督查）可以升级督办")
    if order.level >= OrderLevel.TOWN_COMMITTEE:
        raise Conflict(
            "督办单已提交镇党委会议，不能再升级",
            code="illegal_transition",
            fields={"level": ["已是最高层级"]},
            allowed=sorted(TRANSITIONS[order.state] - {S.ESCALATED}),
        )
    note = (note or "").strip()[:500]
    locked = apply_transition(
        order,
        to=S.ESCALATED,
        targets=_targets,
        refused=_refused,
        record_event=_recorder("escalate", by, note or f"升级至{OrderLevel(order.level + 1).label}"),
        state_field="state",
    )
    today = timezone.localdate()
    child = SupervisionOrder.objects.create(
        case_id=locked.case_id,
        community_id=locked.community_id,
        town_id=locked.town_id,
        level=locked.level + 1,
        parent=locked,
        case_due_on=locked.case_due_on,
        issued_on=today,
        due_on=order_due_on(today, town_id=locked.town_id),
    )
    SupervisionOrderEvent.objects.create(
        order=child, action="issue", to_state=S.ISSUED, by=by, note=note or "升级督办"
    )
    return child
