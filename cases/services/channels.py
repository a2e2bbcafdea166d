"""The channels with records of their own: mailboxes and their daily openings, the officer's visit diary,
reception days and their visitor lines, forums. Each letter, diary entry, visitor or unanswered matter
becomes a case through intake's `_register`."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from core import workdays
from core.errors import Conflict, DomainError, PermissionDenied
from members.models import (
    Building,
    Community,
    Compound,
    InformationOfficer,
    OfficerStatus,
    Person,
    RoleAssignment,
    User,
)
from members.permissions import require_manager
from members.roles import Role, scope_for

from ..models import (
    NOMINAL_DAY,
    Case,
    Category,
    Channel,
    DiaryEntry,
    Forum,
    ForumItem,
    Mailbox,
    MailboxOpening,
    PrioritySubject,
    ReceptionDay,
    ReceptionItem,
    ReceptionKind,
)
from ._common import _at, _text
from .intake import _register


@transaction.atomic
def mailbox_save(
    *,
    community: Community,
    by: User,
    location: str,
    keeper: User,
    compound: Compound | None = None,
    mailbox: Mailbox | None = None,
    active: bool = True,
) -> Mailbox:
    require_manager(by, community.pk)
    location = _text(location, "location", "安装位置", max_chars=100)
    if compound is not None and compound.community_id != community.pk:
        raise DomainError("楼院不属于本社区", fields={"compound": ["楼院不属于本社区"]})
    if not RoleAssignment.objects.filter(user=keeper, community=community).exists():
        raise DomainError(
            "管理人须是本社区的党员或工作人员", fields={"keeper": ["不是本社区的党员或工作人员"]}
        )
    clash = Mailbox.objects.filter(community=community, location=location)
    if mailbox is not None:
        clash = clash.exclude(pk=mailbox.pk)
    if clash.exists():
        raise Conflict("该位置已有信箱", fields={"location": ["该位置已有信箱"]})
    if mailbox is None:
        mailbox = Mailbox(community=community, installed_on=timezone.localdate())
    mailbox.location, mailbox.keeper, mailbox.compound, mailbox.active = location, keeper, compound, active
    mailbox.save()
    return mailbox


@transaction.atomic
def mailbox_open(
    *,
    mailbox: Mailbox,
    by: User,
    opened_on: dt.date | None = None,
    letters: Sequence[dict] = (),
    note: str = "",
) -> MailboxOpening:
    """每日开箱取件: logs the opening; each letter found is registered as a case at once."""
    if mailbox.keeper_id != by.pk:
        require_manager(by, mailbox.community_id)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise DomainError("开箱日期不能晚于今天", fields={"opened_on": ["开箱日期不能晚于今天"]})
    if not mailbox.active:
        raise Conflict("该信箱已停用", code="mailbox_inactive")
    if MailboxOpening.objects.filter(mailbox=mailbox, opened_on=opened_on).exists():
        raise Conflict("该信箱当天已登记开箱", code="already_opened", fields={"opened_on": ["当天已登记"]})
    opening = MailboxOpening.objects.create(
        mailbox=mailbox,
        opened_on=opened_on,
        opened_by=by,
        letters=len(letters),
        note=(note or "").strip()[:200],
    )
    received_at = _at(opened_on)
    for i, letter in enumerate(letters):
        try:
            _register(
                community=mailbox.community,
                by=by,
                channel=Channel.MAILBOX,
                received_at=received_at,
                mailbox_opening=opening,
                note=f"{mailbox.location} 开箱",
                **_letter_fields(letter, mailbox.community),
            )
        except DomainError as exc:
            raise DomainError(f"第 {i + 1} 封信：{exc.message}", fields={f"letters[{i}]": exc.fields})
    return opening


def _letter_fields(letter: dict, community: Community) -> dict:
    allowed = {"content", "category", "resident_name", "resident_phone", "anonymous", "building", "resident"}
    return {k: v for k, v in letter.items() if k in allowed}


# ------------------------------------------------------------------------------------------ visit diary


def officer_post_for(user: User, community: Community | None = None) -> InformationOfficer | None:
    qs = InformationOfficer.objects.filter(person__user=user, status=OfficerStatus.ACTIVE).select_related(
        "community", "person"
    )
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("pk").first()


@transaction.atomic
def diary_add(
    *,
    by: User,
    visited_on: dt.date,
    household: str,
    heard: str,
    resident: Person | None = None,
    building: Building | None = None,
    community: Community | None = None,
) -> DiaryEntry:
    """民情日志: only an active information officer keeps a diary, and only their own."""
    officer = officer_post_for(by, community)
    if officer is None:
        raise PermissionDenied("只有在聘的民情信息员可以记录民情日志")
    errors = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = ["走访日期不能晚于今天"]
    if building is not None and building.community_id != officer.community_id:
        errors["building"] = ["楼栋不属于本社区"]
    if resident is not None and resident.community_id != officer.community_id:
        errors["resident"] = ["该居民不住在本社区"]
    if errors:
        raise DomainError("日志信息有误", fields=errors)
    return DiaryEntry.objects.create(
        officer=officer,
        visited_on=visited_on,
        household=_text(household, "household", "走访户", max_chars=100),
        heard=_text(heard, "heard", "了解到的情况"),
        resident=resident,
        building=building,
    )


@transaction.atomic
def diary_to_case(*, entry: DiaryEntry, by: User, category: str = Category.OTHER, content: str = "") -> Case:
    """One step from a diary entry to a registered case; the officer is told how it was handled."""
    if entry.officer.person.user_id != by.pk:
        require_manager(by, entry.officer.community_id)
    locked = DiaryEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.case_id:
        raise Conflict("该日志已登记为民情件", code="already_registered")
    case = _register(
        community=entry.officer.community,
        by=by,
        channel=Channel.OFFICER_VISIT,
        content=content or entry.heard,
        category=category,
        building=entry.building,
        resident=entry.resident,
        resident_name="" if entry.resident else entry.household,
        received_at=_at(entry.visited_on),
        reported_by_officer=entry.officer,
        note=f"民情日志 {entry.visited_on}",
    )
    locked.case = case
    locked.save(update_fields=["case"])
    entry.case = case
    return case


# ------------------------------------------------------------------------------------- reception days


@transaction.atomic
def reception_schedule(
    *,
    community: Community,
    by: User,
    kind: str,
    year: int,
    month: int,
    host_name: str,
    host_user: User | None = None,
    place: str = "",
    published: bool = True,
) -> ReceptionDay:
    """Put a reception day on the rota (published ahead). The 15th/25th moves to the next working day."""
    require_manager(by, community.pk)
    if kind not in ReceptionKind.values:
        raise DomainError("未知的接待日类型", fields={"kind": ["未知的接待日类型"]})
    try:
        nominal = dt.date(year, month, NOMINAL_DAY[kind])
    except ValueError:
        raise DomainError("年月无效", fields={"month": ["年月无效"]})
    if (
        host_user is not None
        and kind == ReceptionKind.DEPUTIES
        and not RoleAssignment.objects.filter(user=host_user, community=community, role=Role.DEPUTY).exists()
    ):
        raise DomainError("接待人须是本社区的两代表一委员", fields={"host_user": ["不是本社区的代表"]})
    if ReceptionDay.objects.filter(community=community, kind=kind, nominal_date=nominal).exists():
        raise Conflict("该月的接待日已排定", fields={"month": ["该月已排定"]})
    return ReceptionDay.objects.create(
        community=community,
        kind=kind,
        nominal_date=nominal,
        held_on=workdays.next_working_day(nominal, town=community.town_id),
        host_name=_text(host_name, "host_name", "接待人", max_chars=100),
        host_user=host_user,
        place=(place or "").strip()[:100],
        published=published,
        created_by=by,
    )


@transaction.atomic
def reception_item_record(
    *,
    reception: ReceptionDay,
    by: User,
    visitor_name: str,
    content: str,
    visitor_phone: str = "",
    category: str = Category.OTHER,
    priority_subject: str = "",
    building: Building | None = None,
    resident: Person | None = None,
) -> ReceptionItem:
    """A line of the 接待群众来访记录表; it becomes a case at once. Deputies record on their own days."""
    scope = scope_for(by)
    deputy_here = (
        reception.kind == ReceptionKind.DEPUTIES and reception.community_id in scope.deputy_community_ids
    )
    if not deputy_here:
        require_manager(by, reception.community_id)
    if reception.held_on > timezone.localdate():
        raise Conflict("接待日尚未到来，不能登记来访", code="reception_not_held")
    if reception.kind == ReceptionKind.LEADERS and priority_subject not in PrioritySubject.values:
        raise DomainError(
            "领导接待日须注明接待重点内容", fields={"priority_subject": ["请选择六类重点内容之一"]}
        )
    if reception.kind == ReceptionKind.DEPUTIES:
        priority_subject = ""
    visitor_name = _text(visitor_name, "visitor_name", "来访人姓名", max_chars=50)
    channel = (
        Channel.DEPUTY_RECEPTION if reception.kind == ReceptionKind.DEPUTIES else Channel.LEADER_RECEPTION
    )
    case = _register(
        community=reception.community,
        by=by,
        channel=channel,
        content=content,
        category=category,
        building=building,
        resident=resident,
        resident_name=visitor_name,
        resident_phone=visitor_phone,
        received_at=_at(reception.held_on),
        note=f"{reception.get_kind_display()} {reception.held_on}",
    )
    return ReceptionItem.objects.create(
        reception=reception,
        visitor_name=visitor_name,
        visitor_phone=(visitor_phone or "").strip()[:30],
        content=case.content,
        priority_subject=priority_subject,
        case=case,
        recorded_by=by,
    )


@transaction.atomic
def forum_record(
    *,
    community: Community,
    by: User,
    held_on: dt.date,
    title: str,
    attendees: list[dict],
    minutes: str = "",
    items: Sequence[dict] = (),
) -> Forum:
    """民情恳谈会: attendees, minutes, and each matter raised — answered on the spot or registered as a case."""
    require_manager(by, community.pk)
    if held_on > timezone.localdate():
        raise DomainError("召开日期不能晚于今天", fields={"held_on": ["召开日期不能晚于今天"]})
    people = [
        {"name": str(a.get("name", "")).strip()[:50], "role": str(a.get("role", "")).strip()[:50]}
        for a in attendees or []
        if str(a.get("name", "")).strip()
    ]
    if not people:
        raise DomainError("请填写参会人员", fields={"attendees": ["至少一名参会人员"]})
    forum = Forum.objects.create(
        community=community,
        held_on=held_on,
        title=_text(title, "title", "会议主题", max_chars=100),
        attendees=people,
        minutes=(minutes or "").strip(),
        recorded_by=by,
    )
    for i, item in enumerate(items):
        content = (item.get("content") or "").strip()
        raised_by = (item.get("raised_by") or "").strip()[:100] or "与会代表"
        if not content:
            raise DomainError(
                f"第 {i + 1} 项：请填写意见建议", fields={f"items[{i}]": {"content": ["请填写"]}}
            )
        if item.get("answered_on_spot"):
            answer = (item.get("answer") or "").strip()
            if not answer:
                raise DomainError(
                    f"第 {i + 1} 项：现场答复须填写答复内容", fields={f"items[{i}]": {"answer": ["请填写"]}}
                )
            ForumItem.objects.create(
                forum=forum, raised_by=raised_by, content=content, answered_on_spot=True, answer=answer
            )
            continue
        case = _register(
            community=community,
            by=by,
            channel=Channel.FORUM,
            content=content,
            category=item.get("category") or Category.OTHER,
            resident_name=raised_by,
            received_at=_at(held_on),
            forum=forum,
            note=f"民情恳谈会 {held_on}",
        )
        ForumItem.objects.create(forum=forum, raised_by=raised_by, content=content, case=case)
    return forum
