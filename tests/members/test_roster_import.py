"""花名册 import: parsing and checking (preview), then the all-or-nothing commit."""

import datetime as dt
import io
import threading
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import Conflict, DomainError
from core.security import CONTROL_CHARACTER_MESSAGE
from members import roster
from members.models import (
    Building,
    ImportStatus,
    MemberCategory,
    PartyMembership,
    Person,
    RosterImport,
    User,
)
from members.roster import (
    FLOAT_ID_MESSAGE,
    NOT_YOURS_MESSAGE,
    UNKNOWN_EMPLOYER_MESSAGE,
    DateCellError,
    parse_date_cell,
    parse_roster,
    roster_import_commit,
    roster_import_create,
)
from members.services import PermissionDenied
from tests import factories as f
from tests.members.roster_files import (
    complete_sample_town,
    id_number,
    person_row,
    roster_xlsx,
    sample_file,
)


@pytest.fixture
def town(cast):
    """城关镇 with the six communities and eight employers the sample rosters use."""
    return complete_sample_town(cast)


def parse(cast, file, allowed=None):
    return parse_roster(file, town=cast.town_obj, allowed_community_ids=allowed)


def cells(errors):
    return {(e["row"], e["column"]) for e in errors}


# ------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value, expected, month_only",
    [
        (dt.datetime(1985, 3, 9), dt.date(1985, 3, 9), False),
        (dt.date(1985, 3, 9), dt.date(1985, 3, 9), False),
        ("1985.03", dt.date(1985, 3, 1), True),
        ("1985.3", dt.date(1985, 3, 1), True),
        ("1985.10", dt.date(1985, 10, 1), True),
        ("1985年3月", dt.date(1985, 3, 1), True),
        ("1985年03月", dt.date(1985, 3, 1), True),
        ("1985年3月9日", dt.date(1985, 3, 9), False),
        ("1985-03-09", dt.date(1985, 3, 9), False),
        ("1985-3-9", dt.date(1985, 3, 9), False),
        ("1985/03/09", dt.date(1985, 3, 9), False),
        ("1985.03.09", dt.date(1985, 3, 9), False),
        ("1985-03", dt.date(1985, 3, 1), True),
        ("1985/03", dt.date(1985, 3, 1), True),
        ("198503", dt.date(1985, 3, 1), True),
        ("20160812", dt.date(2016, 8, 12), False),
        ("1985-03-09 00:00:00", dt.date(1985, 3, 9), False),
        (" 1985.03 ", dt.date(1985, 3, 1), True),
        ("１９８５．０３", dt.date(1985, 3, 1), True),  # full-width, typed with a Chinese input method
        (198503, dt.date(1985, 3, 1), True),  # the same shapes typed into number cells
        (20160812, dt.date(2016, 8, 12), False),
        (1985.03, dt.date(1985, 3, 1), True),
        (1985.12, dt.date(1985, 12, 1), True),
        (31115, dt.date(1985, 3, 9), False),  # Excel serial number
        (31115.0, dt.date(1985, 3, 9), False),
        (31115.75, dt.date(1985, 3, 9), False),
    ],
)
def test_roster_date_in_an_accepted_shape_is_read(value, expected, month_only):
    assert parse_date_cell(value) == (expected, month_only)


@pytest.mark.parametrize(
    "value",
    [
        "八五年三月",
        "85.03",
        "1985",
        1985,
        "1985.13",
        "1985-02-30",
        "March 1985",
        "1985..03",
        "31115",
        "2101.01",
        "1899.12",
        "198513",
        1985.1,  # 1985.1 or 1985.10? Excel shows both as 1985.1
        1985.123,
        -5,
    ],
)
def test_roster_date_that_cannot_be_read_with_confidence_is_refused(value):
    with pytest.raises(DateCellError):
        parse_date_cell(value, column="出生年月")


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_roster_date_is_none(value):
    assert parse_date_cell(value) is None


def test_ambiguous_number_date_says_why():
    with pytest.raises(DateCellError, match="1月还是10月"):
        parse_date_cell(1985.1, column="出生年月")


# -------------------------------------------------------------------------------------------- ID numbers


@pytest.mark.parametrize("cell", [4.10822197910282e17, 410822197910282000, "4.10822197910282E+17"])
def test_id_number_excel_stored_as_number_is_reported_and_never_repaired(cast, town, cell):
    # given a row whose ID number Excel turned into a number (the last digits are gone)
    file = roster_xlsx([person_row(1, 身份证号码=cell)])

    # when it is parsed
    parsed = parse(cast, file)

    # then the row is reported with the exact advice, and nothing is guessed
    assert parsed.errors == [{"row": 3, "column": "身份证号码", "message": FLOAT_ID_MESSAGE}]
    assert parsed.rows == []


# ------------------------------------------------------------------------------------------- sample files


def test_sample_roster_parses_into_sixty_clean_rows(cast, town):
    parsed = parse(cast, sample_file("roster-2026.xlsx"))

    assert parsed.errors == []
    assert len(parsed.rows) == 60
    assert [r["row"] for r in parsed.rows] == list(range(3, 63))
    assert parsed.summary["rows"] == 60
    assert parsed.summary["new_people"] == 60
    assert parsed.summary["ignored_lines"] == 1  # the 填表人 line
    assert sum(c["rows"] for c in parsed.summary["communities"].values()) == 60


def test_committing_the_sample_roster_creates_sixty_members_and_their_buildings(cast, town):
    # given the sample roster uploaded by the town supervisor
    buildings_before = Building.objects.count()
    upload = roster_import_create(
        by=cast.town, fileobj=sample_file("roster-2026.xlsx"), filename="roster-2026.xlsx"
    )
    assert upload.status == ImportStatus.PREVIEW
    assert upload.town == cast.town_obj and upload.community is None

    # when it is committed
    roster_import_commit(roster_import=upload, by=cast.town)

    # then sixty people with memberships exist, and the buildings the town did not know were created
    ids = [row["id_number"] for row in upload.rows]
    assert Person.objects.filter(id_number__in=ids).count() == 60
    assert PartyMembership.objects.filter(person__id_number__in=ids).count() == 60
    assert Building.objects.count() - buildings_before == upload.summary["new_buildings"] == 47
    zhou = Person.objects.select_related("membership__employer", "building", "community").get(
        id_number="410821196610076424"
    )
    assert (zhou.name, zhou.gender, zhou.birth_date) == ("周刚", "F", dt.date(1966, 10, 7))
    assert (zhou.community.name, zhou.building.name, zhou.unit_room) == ("县府街社区", "14号楼", "1单元501")
    assert zhou.building.community_id == zhou.community_id
    assert zhou.membership.category == MemberCategory.IN_SERVICE
    assert zhou.membership.employer.name == "县邮政分公司"
    assert zhou.membership.joined_on == dt.date(1998, 8, 28)
    assert zhou.membership.specialties == ["环境整治"]
    floating = PartyMembership.objects.get(person__id_number="410821199007098921")
    assert (floating.category, floating.employer_id) == (MemberCategory.FLOATING, None)
    upload.refresh_from_db()
    assert upload.status == ImportStatus.COMMITTED and upload.committed_at is not None


def test_mistakes_file_reports_every_mistake_by_row_and_column_and_writes_nothing(cast, town):
    # given the file with the mistakes real rosters carry
    people_before, buildings_before = Person.objects.count(), Building.objects.count()

    # when the town supervisor uploads it
    upload = roster_import_create(
        by=cast.town, fileobj=sample_file("roster-with-mistakes.xlsx"), filename="roster-with-mistakes.xlsx"
    )

    # then each mistake is reported by row and column, and nothing else is
    assert upload.status == ImportStatus.INVALID
    assert cells(upload.errors) == {
        (6, "身份证号码"),  # check digit
        (10, "工作单位"),  # 县城乡规划设计研究院 is not one of the town's employers
        (14, "身份证号码"),  # stored as a number
        (17, "出生年月"),  # 八五年三月
        (43, "身份证号码"),  # the same person as row 5
    }
    by_row = {e["row"]: e["message"] for e in upload.errors}
    assert by_row[6] == "身份证号码校验位错误"
    assert by_row[10] == f"{UNKNOWN_EMPLOYER_MESSAGE}：县城乡规划设计研究院"  # the value is named
    assert by_row[14] == FLOAT_ID_MESSAGE
    assert "八五年三月" in by_row[17]
    assert "与第5行是同一人" in by_row[43]
    assert upload.summary["rows"] == 41 and upload.summary["error_rows"] == 5
    # and committing it is refused, with nothing written
    with pytest.raises(Conflict):
        roster_import_commit(roster_import=upload, by=cast.town)
    assert (Person.objects.count(), Building.objects.count()) == (people_before, buildings_before)


def test_secretary_importing_the_whole_town_file_gets_errors_for_other_communities_rows(cast, town):
    # when the secretary of 北街 uploads the town's roster
    upload = roster_import_create(
        by=cast.secretary, fileobj=sample_file("roster-2026.xlsx"), filename="x.xlsx"
    )

    # then every row of another community is refused, and 北街's rows are fine
    assert upload.status == ImportStatus.INVALID
    assert upload.community == cast.beijie and upload.town == cast.town_obj
    assert {(e["column"], e["message"]) for e in upload.errors} == {("居住社区", NOT_YOURS_MESSAGE)}
    assert len(upload.errors) == 52
    assert len(upload.rows) == 8
    assert {r["community"] for r in upload.rows} == {"北街社区"}


# --------------------------------------------------------------------------------------- each kind of error


def _flip_gender(row):
    return {"性别": "女" if row["性别"] == "男" else "男"}


def _bad_check_digit(row):
    number = row["身份证号码"]
    return {"身份证号码": number[:17] + ("0" if number[17] != "0" else "1")}


@pytest.mark.parametrize(
    "change, column, fragment",
    [
        (lambda r: {"姓名": ""}, "姓名", "姓名不能为空"),
        (lambda r: {"姓名": "王" * 51}, "姓名", "不能超过50个字"),
        (lambda r: {"性别": "未知"}, "性别", "男"),
        (_flip_gender, "性别", "与身份证号码不符"),
        (_bad_check_digit, "身份证号码", "校验位错误"),
        (lambda r: {"身份证号码": "41082519800517"}, "身份证号码", "18位"),
        (lambda r: {"身份证号码": ""}, "身份证号码", "不能为空"),
        (lambda r: {"出生年月": "八五年三月"}, "出生年月", "无法识别"),
        (lambda r: {"出生年月": "1981.05"}, "出生年月", "与身份证号码不符"),
        (lambda r: {"出生年月": "1980-05-18"}, "出生年月", "与身份证号码不符"),
        (lambda r: {"入党时间": "去年七月"}, "入党时间", "无法识别"),
        (lambda r: {"入党时间": "2099-07-01"}, "入党时间", "晚于今天"),
        (lambda r: {"入党时间": "1990.01"}, "入党时间", "18周岁"),
        (lambda r: {"党员类别": "预备党员"}, "党员类别", "党员类别应为"),
        (lambda r: {"党员类别": ""}, "党员类别", "不能为空"),
        (lambda r: {"工作单位": ""}, "工作单位", "在职党员须填写工作单位"),
        (
            lambda r: {"工作单位": "县城乡规划设计研究院"},
            "工作单位",
            f"{UNKNOWN_EMPLOYER_MESSAGE}：县城乡规划设计研究院",
        ),
        (lambda r: {"联系电话": "1234567"}, "联系电话", "11位"),
        (lambda r: {"居住社区": "东关社区"}, "居住社区", "不是城关镇的社区"),
        (lambda r: {"居住社区": ""}, "居住社区", "不能为空"),
        (lambda r: {"楼栋": "楼" * 51}, "楼栋", "不能超过50个字"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_row_and_column(cast, town, change, column, fragment):
    # given a clean row with one mistake
    row = person_row(1)
    row.update(change(row))

    # when the file is parsed
    parsed = parse(cast, roster_xlsx([row]))

    # then exactly that cell is reported and the row is not ready to write
    assert [(e["row"], e["column"]) for e in parsed.errors] == [(3, column)]
    assert fragment in parsed.errors[0]["message"]
    assert parsed.rows == []


def test_every_bad_row_is_reported_not_just_the_first(cast, town):
    rows = [
        person_row(1, 姓名=""),
        person_row(2),
        person_row(3, 工作单位="不存在的单位"),
        person_row(4, 出生年月="八五年三月"),
        person_row(5),
        person_row(6, 联系电话="12"),
    ]
    parsed = parse(cast, roster_xlsx(rows))

    assert cells(parsed.errors) == {(3, "姓名"), (5, "工作单位"), (6, "出生年月"), (8, "联系电话")}
    assert [r["row"] for r in parsed.rows] == [4, 7]
    assert parsed.summary["error_rows"] == 4 and parsed.summary["valid_rows"] == 2


def test_same_person_twice_is_reported_on_the_later_row_naming_the_earlier(cast, town):
    parsed = parse(cast, roster_xlsx([person_row(1), person_row(2), person_row(1, 姓名="又一遍")]))

    assert parsed.errors == [
        {"row": 5, "column": "身份证号码", "message": "与第3行是同一人（身份证号码相同）"}
    ]


# ------------------------------------------------------------------------------------ control characters


def test_a_control_character_in_a_cell_is_a_row_error_and_the_file_imports_nothing(cast, town):
    # given a roster where one row's name and note hold DEL — the one control character an .xlsx carries
    # as it is (openpyxl and Excel write it; C0 characters cannot be written, see the next test)
    rows = [person_row(1), person_row(2, 姓名="王\x7f芳", 备注="见\x7f附件"), person_row(3)]
    people_before = Person.objects.count()

    # when it is uploaded
    upload = roster_import_create(by=cast.town, fileobj=roster_xlsx(rows), filename="花名册.xlsx")

    # then each cell is reported with its row and column, and the import cannot be committed
    assert upload.errors == [
        {"row": 4, "column": "姓名", "message": f"姓名{CONTROL_CHARACTER_MESSAGE}"},
        {"row": 4, "column": "备注", "message": f"备注{CONTROL_CHARACTER_MESSAGE}"},
    ]
    assert upload.status == ImportStatus.INVALID
    assert [row["row"] for row in upload.rows] == [3, 5]
    with pytest.raises(DomainError):
        roster_import_commit(roster_import=upload, by=cast.town)
    assert Person.objects.count() == people_before


@pytest.mark.parametrize("raw", [b"\x01", b"&#1;", b"&#x1b;"], ids=["byte", "decimal-ref", "hex-ref"])
def test_a_c0_control_character_in_the_sheet_xml_makes_the_file_unreadable(cast, town, raw):
    # XML 1.0 has no place for C0 characters, not even as a character reference (openpyxl refuses to
    # write them; Excel writes them as the text escape _x0001_ instead): such a file is reported as
    # damaged, so no control character reaches a person through the roster.
    original = roster_xlsx([person_row(1, 备注="PLACEHOLDER")])
    damaged = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(damaged, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name).replace(b"PLACEHOLDER", b"a" + raw + b"b"))
    assert b"PLACEHOLDER" not in damaged.getvalue()

    parsed = parse(cast, damaged)

    assert [(e["row"], e["column"]) for e in parsed.errors] == [(0, "文件")]
    assert "损坏" in parsed.errors[0]["message"]
    assert parsed.rows == []


# ------------------------------------------------------------------------------------ normalising values


def test_gender_and_birth_date_come_from_the_id_number_when_left_blank(cast, town):
    row = person_row(1, 性别=None, 出生年月=None, birth=dt.date(1979, 12, 31))

    parsed = parse(cast, roster_xlsx([row]))

    assert parsed.errors == []
    assert parsed.rows[0]["birth_date"] == "1979-12-31"
    assert parsed.rows[0]["gender"] == ("M" if int(row["身份证号码"][16]) % 2 else "F")


def test_values_typed_loosely_are_normalised(cast, town):
    # given spaces in names, a phone and an employer typed with stray spaces, and 专长 in mixed separators
    row = person_row(
        1,
        姓名="王  芳",
        联系电话=13912345678,  # a number cell
        工作单位=" 县人民 医院 ",
        专长="政策宣传、法律咨询，计算机;心理疏导 书法绘画；政策宣传",
        党员类别="大中专毕业学生党员",  # the manual's spelling
        身份证号码=id_number(1).lower()[:17] + id_number(1)[17].lower(),
    )

    parsed = parse(cast, roster_xlsx([row]))

    assert parsed.errors == []
    result = parsed.rows[0]
    assert result["name"] == "王芳"
    assert result["mobile"] == "13912345678"
    assert result["employer_id"] == cast.hospital.pk
    assert result["specialties"] == ["政策宣传", "法律咨询", "计算机", "心理疏导", "书法绘画"]
    assert result["category"] == MemberCategory.GRADUATE
    assert result["id_number"] == id_number(1)


def test_non_in_service_member_may_name_a_former_employer_the_town_does_not_know(cast, town):
    parsed = parse(cast, roster_xlsx([person_row(1, 党员类别="离退休党员", 工作单位="县纺织厂")]))

    assert parsed.errors == []
    assert (parsed.rows[0]["employer_id"], parsed.rows[0]["employer"]) == (None, "县纺织厂")


def test_unknown_building_is_not_an_error_and_is_created_on_commit(cast, town):
    # given a row in a building 北街 does not know yet, and one in a building it knows
    file = roster_xlsx([person_row(1, 楼栋="99号楼"), person_row(2, 楼栋="1号楼")])
    upload = roster_import_create(by=cast.secretary, fileobj=file, filename="r.xlsx")
    assert upload.errors == []
    assert upload.summary["new_buildings"] == 1
    assert upload.summary["communities"]["北街社区"]["new_buildings"] == 1

    # when committed
    roster_import_commit(roster_import=upload, by=cast.secretary)

    # then the building exists in 北街 and the person lives in it
    person = Person.objects.select_related("building").get(id_number=id_number(1))
    assert (person.building.name, person.building.community_id) == ("99号楼", cast.beijie.pk)
    assert Person.objects.get(id_number=id_number(2)).building == cast.b1


# ------------------------------------------------------------------------------------------- file shapes


def test_header_is_found_below_several_title_rows(cast, town):
    parsed = parse(cast, roster_xlsx([person_row(1), person_row(2, 姓名="")], title_rows=3))

    assert parsed.summary["header_row"] == 4
    assert parsed.errors == [{"row": 6, "column": "姓名", "message": "姓名不能为空"}]
    assert parsed.rows[0]["row"] == 5


def test_columns_may_come_in_another_order_and_under_common_aliases(cast, town):
    columns = ["姓名", "身份证号", "居住社区", "党员类别", "工作单位", "手机号码", "出生日期"]
    row = person_row(1)
    row.update({"身份证号": row["身份证号码"], "手机号码": row["联系电话"], "出生日期": row["出生年月"]})

    parsed = parse(cast, roster_xlsx([row], columns=columns))

    assert parsed.errors == []
    assert parsed.rows[0]["mobile"] == row["联系电话"]


def test_missing_required_columns_are_one_error_on_the_header_row(cast, town):
    columns = [c for c in roster.COLUMNS if c not in ("党员类别", "居住社区")]

    parsed = parse(cast, roster_xlsx([person_row(1)], columns=columns))

    assert parsed.errors == [
        {"row": 2, "column": "党员类别、居住社区", "message": "缺少必需的列：党员类别、居住社区"}
    ]
    assert parsed.rows == []


def test_a_sheet_without_a_header_is_reported(cast, town):
    parsed = parse(cast, roster_xlsx([person_row(1)], columns=["甲", "乙", "丙"]))

    assert [(e["row"], e["column"]) for e in parsed.errors] == [(0, "表头")]


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"name,id\nzhang,410825198005170011\n", ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
        (b"PK\x03\x04 not really a zip", ".xlsx"),
        (b"", ".xlsx"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_reported_on_the_file(cast, town, content, fragment):
    upload = roster_import_create(by=cast.town, fileobj=io.BytesIO(content), filename="roster.xls")

    assert upload.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in upload.errors] == [(0, "文件")]
    assert fragment in upload.errors[0]["message"]


def test_a_zip_that_is_not_a_workbook_is_reported_on_the_file(cast, town):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")

    parsed = parse(cast, buffer)

    assert [(e["row"], e["column"]) for e in parsed.errors] == [(0, "文件")]


def test_a_roster_with_a_header_but_nobody_under_it_is_reported(cast, town):
    parsed = parse(cast, roster_xlsx([]))

    assert [(e["row"], e["column"]) for e in parsed.errors] == [(0, "文件")]


def test_parsing_only_reads_the_database(cast, town):
    with CaptureQueriesContext(connection) as queries:
        parsed = parse(cast, sample_file("roster-with-mistakes.xlsx"))

    assert parsed.errors
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)


def test_blank_rows_numbered_empty_rows_and_the_signature_line_are_ignored(cast, town):
    rows = [person_row(1), {}, {"序号": 2}, person_row(3), {"序号": "合计：2人"}]

    parsed = parse(cast, roster_xlsx(rows))

    assert parsed.errors == []
    assert [r["row"] for r in parsed.rows] == [3, 6]
    assert parsed.summary["rows"] == 2


def test_a_signature_written_in_the_name_column_is_ignored(cast, town):
    rows = [person_row(1), {"姓名": "填表人：张三", "居住社区": "审核人：李四"}]

    parsed = parse(cast, roster_xlsx(rows, signature=False))

    assert parsed.errors == []
    assert len(parsed.rows) == 1


def test_a_person_row_is_never_mistaken_for_a_signature_line(cast, town):
    # given a person whose 职务 is 负责人 and whose ID number was forgotten
    parsed = parse(cast, roster_xlsx([person_row(1, 身份证号码=None, 职务="负责人")]))

    # then the row is reported, not skipped
    assert [(e["row"], e["column"]) for e in parsed.errors] == [(3, "身份证号码")]


def test_file_over_five_megabytes_is_refused(cast, town):
    big = io.BytesIO(b"\0" * (5 * 1024 * 1024 + 1))

    with pytest.raises(DomainError) as exc:
        roster_import_create(by=cast.town, fileobj=big, filename="big.xlsx")

    assert exc.value.code == "file_too_large"
    assert not RosterImport.objects.exists()


def test_roster_over_the_row_limit_is_refused(cast, town, monkeypatch):
    monkeypatch.setattr(roster.parsing, "MAX_DATA_ROWS", 3)

    with pytest.raises(DomainError) as exc:
        roster_import_create(
            by=cast.town, fileobj=roster_xlsx([person_row(n) for n in range(1, 5)]), filename="r.xlsx"
        )

    assert exc.value.code == "too_many_rows"
    assert not RosterImport.objects.exists()


def test_roster_at_the_row_limit_is_accepted(cast, town, monkeypatch):
    monkeypatch.setattr(roster.parsing, "MAX_DATA_ROWS", 3)

    upload = roster_import_create(
        by=cast.town, fileobj=roster_xlsx([person_row(n) for n in range(1, 4)]), filename="r.xlsx"
    )

    assert upload.status == ImportStatus.PREVIEW


# ----------------------------------------------------------------------------------------- who may import


@pytest.mark.parametrize("persona", ["member", "officer", "liaison", "deputy", "outsider"])
def test_only_town_supervisors_and_community_offices_may_import(cast, town, persona):
    with pytest.raises(PermissionDenied):
        roster_import_create(
            by=getattr(cast, persona), fileobj=roster_xlsx([person_row(1)]), filename="r.xlsx"
        )
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize("persona", ["secretary", "staff", "director"])
def test_community_office_imports_the_rows_of_its_own_community(cast, town, persona):
    upload = roster_import_create(
        by=getattr(cast, persona), fileobj=roster_xlsx([person_row(1)]), filename="r.xlsx"
    )

    assert upload.status == ImportStatus.PREVIEW
    assert upload.community == cast.beijie
    assert upload.summary["scope_community_ids"] == [cast.beijie.pk]


def test_someone_already_registered_in_another_community_is_not_the_secretarys_to_update(cast, town):
    # given a person who lives in 长城 (not managed by 北街's secretary)
    row = person_row(1, 身份证号码=cast.foreign_person.id_number, 出生年月=None, 性别=None)

    # when 北街's secretary imports them as living in 北街
    parsed = parse(cast, roster_xlsx([row]), allowed={cast.beijie.pk})

    # then the row is refused without saying where they live
    assert [(e["row"], e["column"]) for e in parsed.errors] == [(3, "身份证号码")]
    assert "长城" not in parsed.errors[0]["message"]


def test_moving_a_registered_member_through_the_roster_is_refused(cast, town):
    # given a member of 北街 with an active registration there
    f.RegistrationFactory(person=cast.member_person)
    row = person_row(
        1, 身份证号码=cast.member_person.id_number, 出生年月=None, 性别=None, 居住社区="长城社区"
    )

    # when the town's roster says they live in 长城
    parsed = parse(cast, roster_xlsx([row]))

    # then the roster may not move them: a move is a registration transfer
    assert [(e["row"], e["column"]) for e in parsed.errors] == [(3, "居住社区")]
    assert "报到转移" in parsed.errors[0]["message"]


# ------------------------------------------------------------------------------------------------ commit


def test_commit_twice_is_a_conflict_and_writes_once(cast, town):
    upload = roster_import_create(by=cast.secretary, fileobj=roster_xlsx([person_row(1)]), filename="r.xlsx")
    roster_import_commit(roster_import=upload, by=cast.secretary)

    with pytest.raises(Conflict) as exc:
        roster_import_commit(roster_import=upload, by=cast.secretary)

    assert exc.value.code == "already_committed"
    assert Person.objects.filter(id_number=id_number(1)).count() == 1


def test_commit_of_an_invalid_import_is_refused(cast, town):
    upload = roster_import_create(
        by=cast.secretary, fileobj=roster_xlsx([person_row(1), person_row(2, 姓名="")]), filename="r.xlsx"
    )
    assert upload.status == ImportStatus.INVALID

    with pytest.raises(Conflict) as exc:
        roster_import_commit(roster_import=upload, by=cast.secretary)

    assert exc.value.code == "import_invalid"
    assert not Person.objects.filter(id_number=id_number(1)).exists()


def test_another_communitys_secretary_cannot_commit_the_import(cast, town):
    upload = roster_import_create(by=cast.secretary, fileobj=roster_xlsx([person_row(1)]), filename="r.xlsx")

    with pytest.raises(PermissionDenied):
        roster_import_commit(roster_import=upload, by=cast.other_secretary)

    assert RosterImport.objects.get(pk=upload.pk).status == ImportStatus.PREVIEW


def test_a_colleague_or_the_town_may_commit_a_secretarys_import(cast, town):
    first = roster_import_create(by=cast.secretary, fileobj=roster_xlsx([person_row(1)]), filename="r.xlsx")
    second = roster_import_create(by=cast.secretary, fileobj=roster_xlsx([person_row(2)]), filename="r.xlsx")

    roster_import_commit(roster_import=first, by=cast.staff)
    roster_import_commit(roster_import=second, by=cast.town)

    assert Person.objects.filter(id_number__in=[id_number(1), id_number(2)]).count() == 2


def test_reimporting_a_roster_updates_people_instead_of_duplicating_them(cast, town):
    # given three people imported once
    first = roster_import_create(
        by=cast.secretary, fileobj=roster_xlsx([person_row(n) for n in (1, 2, 3)]), filename="r.xlsx"
    )
    roster_import_commit(roster_import=first, by=cast.secretary)
    people_before = Person.objects.count()

    # when the roster comes back with a new phone number, a retirement and a move to another building
    rows = [
        person_row(1, 联系电话="13800000001"),
        person_row(2, 党员类别="离退休党员", 工作单位=None, 职务=None),
        person_row(3, 楼栋="2号楼", 专长="计算机"),
    ]
    second = roster_import_create(by=cast.secretary, fileobj=roster_xlsx(rows), filename="r2.xlsx")
    assert (second.summary["new_people"], second.summary["updated_people"]) == (0, 3)
    assert {r["action"] for r in second.rows} == {"update"}
    roster_import_commit(roster_import=second, by=cast.secretary)

    # then the same three people are updated in place
    assert Person.objects.count() == people_before
    assert (
        PartyMembership.objects.filter(person__id_number__in=[id_number(n) for n in (1, 2, 3)]).count() == 3
    )
    assert Person.objects.get(id_number=id_number(1)).mobile == "13800000001"
    retired = PartyMembership.objects.get(person__id_number=id_number(2))
    assert (retired.category, retired.employer_id, retired.position) == (MemberCategory.RETIRED, None, "")
    moved = Person.objects.select_related("membership").get(id_number=id_number(3))
    assert moved.building == cast.b2
    assert moved.membership.specialties == ["计算机"]


def test_reimport_leaves_alone_what_the_file_has_no_column_for(cast, town):
    # given an existing member with a phone number and interests
    person = f.PersonFactory(
        community=cast.beijie, id_number=id_number(7), mobile="13700000007", note="老党员"
    )
    f.MembershipFactory(person=person, employer=cast.hospital, specialties=["书法"])
    columns = ["姓名", "身份证号码", "党员类别", "工作单位", "居住社区"]

    # when a short roster without phone, note or specialties columns is imported
    upload = roster_import_create(
        by=cast.secretary,
        fileobj=roster_xlsx([person_row(7, 姓名="新名字")], columns=columns),
        filename="r.xlsx",
    )
    roster_import_commit(roster_import=upload, by=cast.secretary)

    # then what the file says is written and the rest is kept
    person.refresh_from_db()
    assert (person.name, person.mobile, person.note) == ("新名字", "13700000007", "老党员")
    assert person.membership.specialties == ["书法"]


def test_commit_writes_nothing_if_an_employer_was_removed_after_the_preview(cast, town):
    # given a clean preview naming 县第一中学
    rows = [person_row(1, 楼栋="98号楼"), person_row(2, 工作单位="县第一中学")]
    upload = roster_import_create(by=cast.town, fileobj=roster_xlsx(rows), filename="r.xlsx")
    assert upload.status == ImportStatus.PREVIEW
    people_before, buildings_before = Person.objects.count(), Building.objects.count()

    # when the employer is removed before the commit
    town["employers"]["县第一中学"].delete()

    # then the commit is refused and nothing is written
    with pytest.raises(DomainError) as exc:
        roster_import_commit(roster_import=upload, by=cast.town)
    assert exc.value.code == "stale_preview"
    assert "县第一中学" in exc.value.message
    assert (Person.objects.count(), Building.objects.count()) == (people_before, buildings_before)
    assert RosterImport.objects.get(pk=upload.pk).status == ImportStatus.PREVIEW


def test_commit_writes_nothing_if_a_previewed_newcomer_was_entered_meanwhile(cast, town):
    upload = roster_import_create(
        by=cast.town, fileobj=roster_xlsx([person_row(1), person_row(2)]), filename="r"
    )
    f.PersonFactory(community=cast.beijie, id_number=id_number(2))

    with pytest.raises(DomainError) as exc:
        roster_import_commit(roster_import=upload, by=cast.town)

    assert exc.value.code == "stale_preview"
    assert not Person.objects.filter(id_number=id_number(1)).exists()


def test_moving_an_unregistered_person_within_the_town_is_an_update(cast, town):
    person = f.PersonFactory(community=cast.changcheng, id_number=id_number(4), building=cast.cc1)
    upload = roster_import_create(by=cast.town, fileobj=roster_xlsx([person_row(4, 楼栋=None)]), filename="r")
    assert upload.errors == []

    roster_import_commit(roster_import=upload, by=cast.town)

    person.refresh_from_db()
    assert (person.community_id, person.building_id) == (cast.beijie.pk, None)


# ------------------------------------------------------------------------------------------ query counts


def _roster_of(size: int, start: int, cast) -> io.BytesIO:
    """`size` rows, half of them people already in the database, across two communities and some new
    buildings, so every branch of the commit runs."""
    rows = []
    for n in range(start, start + size):
        if n % 2:
            person = f.PersonFactory(community=cast.beijie, id_number=id_number(n), building=cast.b1)
            f.MembershipFactory(person=person, employer=cast.hospital)
        community = "北街社区" if n % 3 else "长城社区"
        rows.append(person_row(n, 居住社区=community, 楼栋=f"{n % 7}号楼", 工作单位="县财政局"))
    return roster_xlsx(rows)


COMMIT_QUERY_BUDGET = 20  # 16 today: lock, 2 re-checks, people, registrations, 3 for buildings, 5 writes…


@pytest.mark.parametrize("size", [10, 60])
def test_commit_runs_a_constant_number_of_queries(cast, town, size, django_assert_max_num_queries):
    upload = roster_import_create(by=cast.town, fileobj=_roster_of(size, 100, cast), filename="r.xlsx")
    assert upload.status == ImportStatus.PREVIEW

    with django_assert_max_num_queries(COMMIT_QUERY_BUDGET):
        roster_import_commit(roster_import=upload, by=cast.town)

    assert Person.objects.filter(id_number__in=[r["id_number"] for r in upload.rows]).count() == size


def test_import_and_commit_query_counts_do_not_grow_with_the_roster(cast, town):
    counts = []
    for size, start in [(10, 100), (60, 300)]:
        file = _roster_of(size, start, cast)
        supervisor = User.objects.get(pk=cast.town.pk)  # a fresh login each time: no cached scope
        with CaptureQueriesContext(connection) as parse_queries:
            upload = roster_import_create(by=supervisor, fileobj=file, filename="r.xlsx")
        with CaptureQueriesContext(connection) as commit_queries:
            roster_import_commit(roster_import=upload, by=supervisor)
        counts.append((len(parse_queries), len(commit_queries)))

    assert counts[0] == counts[1]


# ------------------------------------------------------------------------------------------------- races


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_commits_of_one_import_write_it_once(cast, town):
    # given a clean preview and two browser tabs pressing 确认导入 at the same moment
    upload = roster_import_create(
        by=cast.secretary, fileobj=roster_xlsx([person_row(n) for n in (1, 2, 3)]), filename="r.xlsx"
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def press_commit():
        try:
            secretary = User.objects.get(pk=cast.secretary.pk)
            barrier.wait(timeout=10)
            roster_import_commit(roster_import=upload, by=secretary)
            outcomes.append("committed")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_commit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then one commit writes, the other is told it was already done, and nobody is written twice
    assert sorted(outcomes) == ["already_committed", "committed"]
    assert Person.objects.filter(id_number__in=[id_number(n) for n in (1, 2, 3)]).count() == 3
    assert (
        PartyMembership.objects.filter(person__id_number__in=[id_number(n) for n in (1, 2, 3)]).count() == 3
    )
