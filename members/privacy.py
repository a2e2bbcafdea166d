"""个人信息显示 — who sees a phone or ID number in full, and the one helper every page, API, export and
log line goes through (PIPL: the minimum necessary).

The branch secretary and the office director answer for their community's roster, so they see its
numbers in full; so does a superuser, a user granted `members.view_full_personal_data` by the town, and a
person looking at their own record. Everyone else (community staff, the town supervisor, officers,
members, deputies) sees them masked, and the office reveals one with a reason (an AccessLog row).

An employer liaison (单位党组织) sees neither: it reads its in-service members through the feedback sheet's
fields only (EMPLOYER_FEEDBACK_FIELDS below).
"""

from __future__ import annotations

from django.db.models import Q

from .roles import scope_for
from .validators import mask_id_number, mask_mobile

FULL_DATA_PERMISSION = "members.view_full_personal_data"

# 在职党员小区活动情况反馈单 — the sheet the community sends each in-service member's employer every year, and
# so all an employer liaison (单位党组织) may read of a member: the minimum necessary (PIPL art. 6).
# Manual, 小区区域化党建工作制度 §2 "小区向党员所在单位党组织反馈该党员在小区报到后表现情况", §4 "如实统计 …
# 年底将评议结果反馈给在职党员所在单位党组织", §5 (the employer asks the community branch before promoting or
# awarding); 小区在职党员双重管理制度 §5 "通报表彰", §6 "反馈单, 把在职党员在小区参与志愿者等活动及表现情况
# 综合向其单位党组织反馈". The sheet names the member and the employer, the community they registered with
# and when, then the activity, the evaluation and the community's comments.
# Not on the sheet, so never shown to a liaison: phone and ID number (not even masked), building, unit and
# room, birth date, gender, ethnicity, education, party join date, position, specialties and interests, the
# office's note, the registration's channel, history, return reason and transfers, and conduct outside work
# hours (八小时以外: the community office only). Every key a liaison gets, in the API or on a page, is one
# of these (tests/privacy/test_employer_fields.py); a new one needs a line on the sheet to justify it.
EMPLOYER_FEEDBACK_FIELDS = (
    # the member: 姓名, 工作单位 (the sheet goes to that unit's party organisation)
    "id",
    "name",
    "employer",
    "employer_name",
    # 报到情况: the community the member registered with (their home community), the state and when
    "community",
    "community_name",
    "registration_status",
    "person",  # a registration's member (the id above)
    "person_name",
    "status",
    "submitted_at",
    "decided_at",
    # appraisal — 通报表彰 (小区在职党员双重管理制度 §5): the notice's number, year, text and date
    "number",
    "year",
    "body",
    "issued_at",
    # The sheet's other lines (认领岗位, 志愿服务事项与时长, 民主评议结果, 通报表彰, 社区意见) come with the
    # feedback sheet itself (evaluations), which declares them here when it serves them.
    # employer — the feedback sheet itself (evaluations.api.sheets.SheetForEmployerSerializer): its number,
    # year and version, its state (sent / acknowledged), the printed lines (`content`: 报到, 认领岗位, 志愿服务
    # 事项与时长, 要求与完成, 承办民情件, 民主评议结果, 评为优秀; built from the ledger, never a conduct note),
    # 社区党组织意见, 发出日期, the date it is due back and when it was acknowledged (number and year: above).
    "version",
    "state",
    "content",
    "opinion",
    "issued_on",
    "ack_due_on",
    "acknowledged_at",
    # employer — 监督咨询 (小区区域化党建工作制度 §5): the employer's own request (purpose, question, when, by
    # when, overdue) and the community's answer (opinion, reasons, when) with the ledger attached, which
    # carries the sheet's lines above (`ledger`: year → the sheet's content).
    "purpose",
    "question",
    "asked_at",
    "due_on",
    "overdue",
    "reasons",
    "ledger",
    "answered_at",
)


def can_see_full_personal_data(user, community_id: int | None) -> bool:
    """Whether `user` may see the full phone and ID numbers of the people of `community_id`."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if community_id is not None and community_id in scope_for(user).full_data_community_ids:
        return True
    return user.has_perm(FULL_DATA_PERMISSION)  # granted by the town (cached on the user per request)


def full_number_community_ids(user) -> frozenset | None:
    """The communities whose phone and ID numbers `user` sees in full: None means every community (a
    superuser, or a user granted the town's permission), an empty set means none."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser or user.has_perm(FULL_DATA_PERMISSION):
        return None
    return scope_for(user).full_data_community_ids


def can_search_personal_numbers(user) -> bool:
    """Whether a search by phone or ID number may match anything at all for `user` (see number_search_q)."""
    return full_number_community_ids(user) != frozenset()


def number_search_q(user, term: str, *, fields, community_field: str = "community_id") -> Q:
    """A condition matching `term` inside the number `fields`, only on rows whose community's numbers
    `user` sees in full (`community_field` leads from the row to that community).

    Decided per community, in the query (no check per row): a user who answers for one community's roster
    searches it by number, while in the communities where they see numbers masked a number matches nothing,
    so a hit can never confirm a guessed number or recover masked digits there. Names are searched apart."""
    term = (term or "").strip()
    community_ids = full_number_community_ids(user)
    if not term or not fields or community_ids == frozenset():
        return Q(pk__in=[])  # matches nothing
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__icontains": term})
    if community_ids is None:
        return q
    return q & Q(**{f"{community_field}__in": sorted(community_ids)})


def has_employer_view(user) -> bool:
    """Whether some rows reach `user` only as a member's employer (an employer role, not a superuser)."""
    scope = scope_for(user)
    return bool(scope.employer_ids) and not scope.is_superuser


def reads_as_employer(user, *, person_id: int | None, community_id: int | None) -> bool:
    """Whether `user` reads this member's row only as the member's employer (单位党组织), not as the office of
    the community, the member themself or a superuser, and so gets EMPLOYER_FEEDBACK_FIELDS only.
    `community_id` is the row's community (the person's, or the registration's)."""
    if not has_employer_view(user):
        return False
    scope = scope_for(user)
    if person_id is not None and person_id == scope.person_id:
        return False
    return community_id not in scope.managed_community_ids


def beyond_employer_view(user, queryset, *, community: str = "community_id", person: str = "pk"):
    """`queryset` narrowed to the rows `user` sees other than as the members' employer. A filter on a field
    that is not on the feedback sheet goes through this, so it cannot tell a liaison what it does not show
    (who lives in building 5). A no-op for anyone without an employer role."""
    if not has_employer_view(user):
        return queryset
    scope = scope_for(user)
    q = Q(**{f"{community}__in": scope.managed_community_ids})
    if scope.person_id:
        q |= Q(**{person: scope.person_id})
    return queryset.filter(q)


def _owner_and_community(subject) -> tuple[int | None, int | None]:
    """(person id, community id) of a Person, or (None, id) for a bare community id."""
    if subject is None or isinstance(subject, int):
        return None, subject
    return getattr(subject, "pk", None), getattr(subject, "community_id", None)


def sees_full(user, subject) -> bool:
    """`subject` is a Person (their own record is always shown in full) or a community id."""
    person_id, community_id = _owner_and_community(subject)
    own = person_id is not None and user is not None and user.is_authenticated
    if own and scope_for(user).person_id == person_id:
        return True
    return can_see_full_personal_data(user, community_id)


def shown_mobile(user, subject, value: str | None) -> str:
    """The phone number as `user` may see it: in full, or 138****1234."""
    return (value or "") if sees_full(user, subject) else mask_mobile(value)


def shown_id_number(user, subject, value: str | None) -> str:
    return (value or "") if sees_full(user, subject) else mask_id_number(value)


MIN_REASON_LENGTH = 4


def reveal(*, obj, values: dict, reason: str, description: str = "") -> dict:
    """查看完整号码: hand back `values` (the full numbers of `obj`) and write the AccessLog row with the
    reason the user typed. The caller has already checked that the user manages obj's community."""
    from core import audit

    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"请填写查看原因（至少 {MIN_REASON_LENGTH} 个字）")
    audit.record_access(
        what="reveal",
        obj=obj,
        reason=reason,
        description=description or "查看完整号码",
        extra={"fields": sorted(values)},
    )
    return values
