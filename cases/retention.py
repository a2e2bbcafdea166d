"""Residents' personal data on cases: what the public form says, how long it is kept, how it is removed.

- `privacy_notice()` is the notice of the public form and API (PIPL 第十七条: purpose, what is kept, how
  long, who sees it, the resident's rights); a submission is refused without the resident's consent.
- `anonymise_closed_cases()` (nightly, cases.tasks) removes the resident's name, phone, address and photos
  from cases closed longer than the community's period (RetentionPolicy, default 730 days): one set-based
  UPDATE per community, idempotent through `Case.anonymised_at`, one audit summary per community.
- `anonymise_unlinked_visits()` (nightly, core.retention.purge_all, registered below) does the same for
  what never became a case: a 民情日志 entry's household and roster link, a 恳谈会 matter's raised_by, once
  the community's period has passed since the visit or the forum. Lines linked to a case go with the case.
- `resident_erasure()` carries out a resident's deletion request (PIPL 第四十七条) at once, for every case of
  the community with the same phone number (or the same roster person), and records who did it and why.

What stays after anonymisation: the concern itself (content, category, building, handling, reply and
rating) for the statistics and the evaluation of the office. Free text the resident or staff typed may
still mention a name; phone and ID numbers in it are masked wherever it is shown publicly.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from core import audit, retention
from core.errors import DomainError, PermissionDenied
from members.models import Community, User
from members.permissions import require_manager

from .models import (
    DEFAULT_RETENTION_DAYS,
    Case,
    CaseAttachment,
    DiaryEntry,
    ForumItem,
    ReceptionItem,
    RetentionPolicy,
)
from .states import CaseState

PRIVACY_NOTICE_VERSION = "2026-11-v1"


def retention_days_for(community_id: int | None) -> int:
    if community_id is None:
        return DEFAULT_RETENTION_DAYS
    policy = RetentionPolicy.objects.filter(community_id=community_id)
    return policy.values_list("retention_days", flat=True).first() or DEFAULT_RETENTION_DAYS


def privacy_notice(community: Community | None = None) -> dict:
    """The 个人信息处理说明 shown above the public form (and returned by the public API)."""
    days = retention_days_for(community.pk if community else None)
    where = f"{community.name}" if community else "您所选社区"
    return {
        "version": PRIVACY_NOTICE_VERSION,
        "title": "个人信息处理说明",
        "controller": f"{where}党总支（民情流水线）",
        "purpose": "受理、办理并答复您反映的问题；需要时与您联系或上门回访；请您对办理结果进行满意度评价。"
        "您的信息不用于其他目的。",
        "collected": [
            "必填：所在社区、问题类别、反映内容",
            "选填：姓名、联系电话、照片（可以选择匿名反映，匿名时不保存姓名和电话）",
            "提交时的网络地址：记入系统安全日志，用于防止恶意提交",
        ],
        "retention": f"民情件办结归档后保存 {days} 天，期满自动删除姓名、联系电话、地址和照片；"
        "反映内容和办理情况去除身份信息后保留，用于统计和工作考核。安全日志保存不少于 180 天。",
        "retention_days": days,
        "recipients": "本社区党总支书记、社区工作人员、办公室主任和承办人（民情信息员或党员），"
        "以及镇督查人员。不向其他单位或个人提供，不公开；凭受理编号和查询码只能看到遮盖后的内容。",
        "rights": "您可以到社区办公室申请查阅、更正或删除您的个人信息，社区核实后办理并留有记录。",
        "consent": "勾选“同意”即表示您已阅读本说明，同意按上述方式处理您的个人信息。不同意则无法在网上提交，"
        "您也可以拨打民情热线或到社区服务大厅反映。",
    }


# ---------------------------------------------------------------------------------------------- removal


def _anonymise(cases, *, now: dt.datetime) -> dict:
    """Remove the resident's identity from `cases` (a queryset of one community) in set-based statements:
    the cases, the reception, forum and diary lines they came from, and their photos (rows and files)."""
    count = cases.update(
        resident=None,
        resident_name="",
        resident_phone="",
        visit_address="",
        anonymised_at=now,
        updated_at=now,
    )
    if not count:
        return {"cases": 0, "attachments": 0}
    # Every row updated above carries this exact timestamp: it picks them out without a list of ids.
    marked = Case.objects.filter(anonymised_at=now)
    ReceptionItem.objects.filter(case__in=marked).update(visitor_name="", visitor_phone="")
    ForumItem.objects.filter(case__in=marked).update(raised_by="")
    DiaryEntry.objects.filter(case__in=marked).update(household="", resident=None)
    attachments = CaseAttachment.objects.filter(case__in=marked)
    files = list(attachments.values_list("file", flat=True))
    # Files first, inside the transaction: if it then rolls back, the next run deletes the rows (a file
    # already gone is no error); the other order could leave photos on disk with nothing pointing to them.
    for name in files:
        default_storage.delete(name)
    with audit.bulk_operation():
        attachments.delete()
    return {"cases": count, "attachments": len(files)}


def _closed_before(community_id: int, cutoff: dt.datetime):
    return Case.objects.filter(
        community_id=community_id,
        state=CaseState.CLOSED,
        closed_at__lt=cutoff,
        anonymised_at__isnull=True,
    )


def anonymise_closed_cases(*, today: dt.date | None = None) -> int:
    """Nightly: cases closed at least the community's retention period before `today` lose the resident's
    identity. Each community in its own transaction with one audit summary. Returns the number of cases.

    Idempotent (anonymised cases are skipped) and constant in queries per community, whatever the number
    of cases: a rerun after a crash finishes the communities the first run did not reach."""
    today = today or timezone.localdate()
    policies = dict(RetentionPolicy.objects.values_list("community_id", "retention_days"))
    oldest = (
        Case.objects.filter(state=CaseState.CLOSED, anonymised_at__isnull=True, closed_at__isnull=False)
        .values("community_id")
        .annotate(oldest=Min("closed_at"))
        .order_by("community_id")
    )
    total = 0
    for row in oldest:
        community_id = row["community_id"]
        days = policies.get(community_id, DEFAULT_RETENTION_DAYS)
        cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
        if row["oldest"] >= cutoff:
            continue
        with transaction.atomic():
            done = _anonymise(_closed_before(community_id, cutoff), now=timezone.now())
            if done["cases"]:
                audit.record(
                    action="retention_anonymised",
                    object_type="members.Community",
                    object_id=community_id,
                    community_id=community_id,
                    reason=f"民情件归档超过 {days} 天，删除反映人个人信息",
                    extra={**done, "retention_days": days, "closed_before": cutoff.isoformat()},
                )
        total += done["cases"]
    return total


def _periods() -> list[tuple[int, Callable[[str], Q]]]:
    """The retention periods in force, each with a filter on a community id path (`"forum__community_id"`)
    selecting the communities it applies to: one entry per distinct period, however many communities."""
    own: defaultdict[int, list[int]] = defaultdict(list)
    for community_id, days in RetentionPolicy.objects.values_list("community_id", "retention_days"):
        if days != DEFAULT_RETENTION_DAYS:
            own[days].append(community_id)
    others = [community_id for ids in own.values() for community_id in ids]
    periods: list[tuple[int, Callable[[str], Q]]] = [
        (days, lambda path, ids=ids: Q(**{f"{path}__in": ids})) for days, ids in own.items()
    ]
    periods.append((DEFAULT_RETENTION_DAYS, lambda path: ~Q(**{f"{path}__in": others})))
    return periods


@transaction.atomic
def anonymise_unlinked_visits(*, now: dt.datetime) -> dict:
    """Nightly: a diary entry (民情日志) or forum matter (恳谈会事项) that never became a case loses the
    resident's identity once the community's period (RetentionPolicy, as for closed cases) has passed since
    the visit or the forum — the diary's household and roster link, the matter's raised_by; what was heard
    or raised stays. Lines linked to a case are left to the case (`anonymise_closed_cases`).

    One UPDATE per table and distinct period (not per community or row); idempotent (only rows still
    holding a name are touched); one audit summary when something changed."""
    today = timezone.localdate(now)
    periods = _periods()
    diary = forum = 0
    with audit.bulk_operation():
        for days, communities in periods:
            before = today - dt.timedelta(days=days)
            diary += (
                DiaryEntry.objects.filter(
                    communities("officer__community_id"),
                    case__isnull=True,
                    visited_on__lt=before,
                )
                .filter(~Q(household="") | Q(resident__isnull=False))
                .update(household="", resident=None)
            )
            forum += (
                ForumItem.objects.filter(
                    communities("forum__community_id"),
                    case__isnull=True,
                    forum__held_on__lt=before,
                )
                .exclude(raised_by="")
                .update(raised_by="")
            )
    if diary or forum:
        audit.record(
            action="bulk_unlinked_visits_anonymised",
            reason="民情日志、恳谈会事项（未转为民情件）超过保存期限，删除居民个人信息",
            extra={
                "diary_entries": diary,
                "forum_items": forum,
                "retention_days": sorted({days for days, _ in periods}),
                "as_of": today.isoformat(),
            },
        )
    return {"diary_entries": diary, "forum_items": forum}


@transaction.atomic
def resident_erasure(*, by: User, reason: str, case: Case | None = None, tracking_number: str = "") -> dict:
    """A resident asked for their personal data to be deleted (PIPL 第四十七条): every case of this
    community with the same phone number (or the same roster person) loses the resident's identity now,
    whatever its state. Only the community's office; the reason (how the request came in) is required and
    recorded in the audit trail with the cases it touched."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写删除依据（居民申请的方式和时间）", fields={"reason": ["请填写删除依据"]})
    if case is None:
        number = (tracking_number or "").strip().upper()
        case = Case.objects.managed_by(by).filter(tracking_no=number).first() if number else None
        if case is None:
            raise DomainError(
                "未找到该受理编号（或不属于您管理的社区）",
                fields={"tracking_number": ["未找到该受理编号"]},
            )
    try:
        require_manager(by, case.community_id)
    except PermissionDenied:
        raise PermissionDenied("只有本社区的书记、工作人员或办公室主任可以办理删除申请")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    same_person = Q(pk=locked.pk)
    if locked.resident_phone:
        same_person |= Q(resident_phone=locked.resident_phone)
    if locked.resident_id:
        same_person |= Q(resident_id=locked.resident_id)
    cases = Case.objects.filter(same_person, community_id=locked.community_id, anonymised_at__isnull=True)
    numbers = sorted(cases.values_list("tracking_no", flat=True))
    done = _anonymise(cases, now=timezone.now())
    audit.record(
        action="resident_erasure",
        obj=locked,
        actor=by,
        reason=reason,
        extra={**done, "tracking_numbers": numbers},
    )
    case.refresh_from_db()
    return {**done, "tracking_numbers": numbers}


def register() -> None:
    """The cases app's entries in core.retention's registry (CasesConfig.ready). Closed cases have a nightly
    task of their own (cases.tasks.anonymise_closed_cases); lines that never became a case are purged by
    core.retention.purge_all."""
    retention.register(
        kinds={
            "closed_case": retention.RetentionKind(
                "the community's period after the case is closed (cases.RetentionPolicy, default 730 days)",
                "anonymised; photos deleted",
                (anonymise_closed_cases,),
            ),
            "visit_line": retention.RetentionKind(
                "linked to a case: as the case; otherwise the community's period after the visit or forum",
                "anonymised",
                (anonymise_closed_cases, anonymise_unlinked_visits),
            ),
        },
        personal_data={
            "cases.Case.resident": "closed_case",
            "cases.Case.resident_name": "closed_case",
            "cases.Case.resident_phone": "closed_case",
            "cases.Case.visit_address": "closed_case",
            "cases.CaseAttachment.original_name": "closed_case",  # the photo row and file are deleted
            "cases.ReceptionItem.visitor_name": "closed_case",  # every reception line becomes a case
            "cases.ReceptionItem.visitor_phone": "closed_case",
            "cases.DiaryEntry.household": "visit_line",
            "cases.DiaryEntry.resident": "visit_line",
            "cases.ForumItem.raised_by": "visit_line",
        },
        kept={
            "cases.ReceptionDay.host_name": "the official hosting a reception day, in that public role (the "
            "rota is published)",
            "cases.Forum.attendees": "who attended a 民情恳谈会 in which role (党员、代表、居民代表): the minutes "
            "of the branch's meeting, kept with it; what a resident raised there is ForumItem.raised_by (above)",
        },
        nightly_purges=(anonymise_unlinked_visits,),
    )
