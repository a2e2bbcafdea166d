"""The 报到登记 list as an .xlsx (a selector: a read that yields a file), as community offices file it.

Streamed like the case 台账 (core.xlsx.write_table: write-only workbook in a temporary file, rows from a
queryset iterator, a constant number of queries). Phone and ID numbers are masked as on the list page:
a list of many people shows every number masked, to everyone (members.views.base.decorate_people).
"""

from __future__ import annotations

from django.utils import timezone

from core.masking import mask_id_number, mask_mobile
from core.xlsx import write_table

REGISTRATION_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "联系电话",
    "工作单位",
    "职务",
    "报到社区",
    "楼栋",
    "单元/门牌",
    "报到方式",
    "报到状态",
    "专长",
    "意向服务岗位",
    "提交时间",
    "处理时间",
    "处理人",
    "退回原因",
]
REGISTRATION_WIDTHS = [6, 10, 6, 22, 14, 18, 10, 12, 10, 12, 10, 10, 16, 16, 17, 17, 10, 24]


def _person_part(person) -> list:
    membership = getattr(person, "membership", None)
    employer = membership.employer if membership and membership.employer_id else None
    return [
        person.name,
        person.get_gender_display() if person.gender else "",
        mask_id_number(person.id_number),
        mask_mobile(person.mobile),
        employer.name if employer else "",
        membership.position if membership else "",
    ]


def registration_workbook(registrations, *, title: str = ""):
    """`registrations` (scoped and filtered) as a temporary .xlsx file, oldest submission first."""
    rows = (
        registrations.select_related(
            "person__membership__employer", "person__building", "community", "decided_by"
        )
        .order_by("submitted_at", "pk")
        .iterator(chunk_size=2000)
    )

    def lines():
        for index, r in enumerate(rows, start=1):
            person = r.person
            yield [
                index,
                *_person_part(person),
                r.community.name,
                person.building.name if person.building_id else "",
                person.unit_room,
                r.get_channel_display(),
                r.get_status_display(),
                "、".join(r.specialties or []),
                r.desired_posts,
                r.submitted_at,
                r.decided_at,
                r.decided_by.display_name if r.decided_by_id else "",
                r.return_reason,
            ]

    return write_table(
        sheet_title="报到登记",
        heading=title or f"在职党员报到登记表（{timezone.localdate():%Y-%m-%d}导出）",
        headers=REGISTRATION_HEADERS,
        rows=lines(),
        widths=REGISTRATION_WIDTHS,
    )


def unregistered_workbook(people, *, title: str = ""):
    """In-service members with no active registration (the 在职未报到 tab), in the same columns."""
    rows = (
        people.select_related("membership__employer", "building", "community")
        .order_by("community_id", "name", "pk")
        .iterator(chunk_size=2000)
    )

    def lines():
        for index, person in enumerate(rows, start=1):
            yield [
                index,
                *_person_part(person),
                person.community.name,
                person.building.name if person.building_id else "",
                person.unit_room,
                "",
                "未报到",
                "",
                "",
                None,
                None,
                "",
                "",
            ]

    return write_table(
        sheet_title="在职未报到",
        heading=title or f"在职党员未报到名单（{timezone.localdate():%Y-%m-%d}导出）",
        headers=REGISTRATION_HEADERS,
        rows=lines(),
        widths=REGISTRATION_WIDTHS,
    )
