"""花名册 export: the import's columns, ID numbers as text, and a file that re-imports cleanly."""

import datetime as dt
import io

import openpyxl
import pytest

from members.models import ImportStatus, Person
from members.roster import COLUMNS, export_roster, parse_roster, roster_import_commit, roster_import_create
from tests import factories as f
from tests.members.roster_files import complete_sample_town, id_number, person_row, roster_xlsx, sample_file


@pytest.fixture
def town(cast):
    return complete_sample_town(cast)


def _open(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_export_writes_title_header_and_one_text_row_per_person(cast, town):
    # given a member with every column filled
    person = f.PersonFactory(
        community=cast.beijie,
        name="赵敏",
        gender="F",
        ethnicity="回族",
        birth_date=dt.date(1985, 3, 9),
        id_number=id_number(5, dt.date(1985, 3, 9)),
        education="大专",
        mobile="13912345678",
        building=cast.b2,
        unit_room="3单元502",
        note="党小组长",
    )
    f.MembershipFactory(
        person=person,
        employer=cast.finance,
        joined_on=dt.date(2010, 7, 1),
        position="科长",
        specialties=["法律咨询", "计算机"],
    )

    # when the roster is exported
    sheet = _open(export_roster(Person.objects.filter(pk=person.pk), title="北街社区党员花名册"))

    # then: a merged title, the import's header, and the person with IDs and dates as text
    assert sheet["A1"].value == "北街社区党员花名册"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:Q1"]
    assert [c.value for c in sheet[2]] == COLUMNS
    row = dict(zip(COLUMNS, sheet[3], strict=True))
    values = {name: cell.value for name, cell in row.items()}
    assert values == {
        "序号": 1,
        "姓名": "赵敏",
        "性别": "女",
        "民族": "回族",
        "出生年月": "1985.03",
        "身份证号码": person.id_number,
        "学历": "大专",
        "入党时间": "2010-07-01",
        "党员类别": "在职党员",
        "工作单位": "县财政局",
        "职务": "科长",
        "联系电话": "13912345678",
        "居住社区": "北街社区",
        "楼栋": "2号楼",
        "单元/门牌": "3单元502",
        "专长": "法律咨询、计算机",
        "备注": "党小组长",
    }
    for name in ("身份证号码", "联系电话", "出生年月", "入党时间"):
        assert row[name].data_type == "s"
        assert row[name].number_format == "@"  # text format: Excel keeps it text when edited


def test_text_that_looks_like_a_formula_is_exported_as_text(cast, town):
    person = f.PersonFactory(community=cast.beijie, name="=HYPERLINK(1)", note="=1+1")
    f.RetiredMembershipFactory(person=person)

    sheet = _open(export_roster(Person.objects.filter(pk=person.pk)))

    assert (sheet["B3"].value, sheet["B3"].data_type) == ("=HYPERLINK(1)", "s")
    assert (sheet["Q3"].value, sheet["Q3"].data_type) == ("=1+1", "s")


def test_exported_sample_roster_reimports_with_zero_errors(cast, town):
    # given the sample roster imported into the town
    first = roster_import_create(by=cast.town, fileobj=sample_file("roster-2026.xlsx"), filename="r.xlsx")
    roster_import_commit(roster_import=first, by=cast.town)
    imported = Person.objects.filter(id_number__in=[r["id_number"] for r in first.rows])

    # when it is exported and the export is uploaded again
    content = export_roster(imported)
    second = roster_import_create(by=cast.town, fileobj=io.BytesIO(content), filename="export.xlsx")

    # then the file is clean, every row is an update of the same person, and committing changes nothing
    assert second.errors == []
    assert second.status == ImportStatus.PREVIEW
    assert (second.summary["rows"], second.summary["updated_people"], second.summary["new_people"]) == (
        60,
        60,
        0,
    )
    assert second.summary["new_buildings"] == 0
    before = _snapshot(imported)
    roster_import_commit(roster_import=second, by=cast.town)
    assert _snapshot(imported) == before


def _snapshot(people) -> dict:
    person_fields = ["name", "gender", "ethnicity", "birth_date", "education", "mobile", "community_id"]
    person_fields += ["building_id", "unit_room", "note"]
    membership_fields = ["category", "joined_on", "employer_id", "position", "specialties"]
    return {
        p.id_number: [getattr(p, n) for n in person_fields]
        + [getattr(p.membership, n) for n in membership_fields]
        for p in people.all().select_related("membership")
    }


def test_export_of_a_small_roster_round_trips_every_value(cast, town):
    rows = [
        person_row(1, 专长="政策宣传、法律咨询", 备注="老党员"),
        person_row(2, 党员类别="离退休党员", 工作单位=None, 职务=None, 楼栋=None, **{"单元/门牌": None}),
    ]
    first = parse_roster(roster_xlsx(rows), town=cast.town_obj, allowed_community_ids=None)
    upload = roster_import_create(by=cast.secretary, fileobj=roster_xlsx(rows), filename="r.xlsx")
    roster_import_commit(roster_import=upload, by=cast.secretary)

    content = export_roster(
        Person.objects.filter(id_number__in=[id_number(1), id_number(2)]).order_by("id_number")
    )
    again = parse_roster(io.BytesIO(content), town=cast.town_obj, allowed_community_ids=None)

    assert again.errors == []
    strip = {"row", "person_id", "action", "building_id"}
    assert [{k: v for k, v in r.items() if k not in strip} for r in again.rows] == [
        {k: v for k, v in r.items() if k not in strip} for r in first.rows
    ]


@pytest.mark.parametrize("size", [3, 30])
def test_export_runs_one_query_whatever_the_number_of_people(cast, town, size, django_assert_num_queries):
    for n in range(size):
        person = f.PersonFactory(community=cast.beijie, id_number=id_number(n), building=cast.b1)
        f.MembershipFactory(person=person, employer=cast.hospital)
    people = Person.objects.filter(community=cast.beijie)

    with django_assert_num_queries(1):
        export_roster(people)
