"""The import's problems for people (grouped on screen, handed back as the sheet with the bad cells marked)
and the town's roster in a community's hands (only its own rows, all or nothing; or the town imports it)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.errors import Conflict
from members.models import ImportStatus, Person
from members.roster import (
    NOT_YOURS_MESSAGE,
    group_problems,
    own_rows_importable,
    roster_import_commit,
    roster_import_create,
)
from members.roster.problems import BAD_FILL
from tests.members.roster_files import complete_sample_town, person_row, roster_xlsx, sample_file


@pytest.fixture
def town(cast):
    return complete_sample_town(cast)


def upload(who, name):
    return roster_import_create(by=who, fileobj=sample_file(name), filename=name)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --------------------------------------------------------------------------------------- grouped problems


def test_identical_problems_are_grouped_with_their_rows(cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")

    groups = group_problems(batch.errors)

    assert len(groups) == 1
    assert (groups[0].row_count, groups[0].column, groups[0].message) == (52, "居住社区", NOT_YOURS_MESSAGE)
    assert groups[0].rows == sorted(groups[0].rows) and groups[0].rows_text.endswith("行等")


def test_the_import_page_shows_one_line_per_kind_of_problem(client, cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")
    client.force_login(cast.secretary)

    html = client.get(reverse("members:roster_import_detail", args=[batch.pk])).content.decode()

    assert "问题汇总" in html
    assert "<strong>52 行</strong>" in html and NOT_YOURS_MESSAGE in html
    assert reverse("members:roster_import_problems", args=[batch.pk]) in html


# ------------------------------------------------------------------------------------ the problems sheet


def test_the_problems_sheet_keeps_the_columns_adds_a_problem_column_and_marks_bad_cells(client, cast, town):
    batch = upload(cast.town, "roster-with-mistakes.xlsx")
    assert batch.status == ImportStatus.INVALID
    client.force_login(cast.town)

    response = client.get(reverse("members:roster_import_problems", args=[batch.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[1]]
    assert header[-2:] == ["问题", "原行号"]
    assert {"姓名", "身份证号码", "居住社区", "工作单位"} <= set(header)
    data = rows[2:]
    assert len(data) == 41  # every person row of the file, good and bad
    by_source_row = {r[-1].value: r for r in data}
    bad = by_source_row[6]  # the wrong check digit
    id_column = header.index("身份证号码")
    assert "身份证号码" in bad[-2].value
    assert bad[id_column].fill.fgColor.rgb.endswith(BAD_FILL.fgColor.rgb[-6:])
    assert "单位" in by_source_row[10][-2].value  # the unknown employer
    good = next(r for r in data if not r[-2].value)
    assert good[id_column].fill.fgColor.rgb in (None, "00000000")
    # the sheet goes back in as it is: the 问题 column is not a roster column
    assert header.count("问题") == 1


def test_the_problems_sheet_is_404_for_another_community_and_after_the_purge(client, cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")
    client.force_login(cast.other_secretary)
    assert client.get(reverse("members:roster_import_problems", args=[batch.pk])).status_code == 404

    batch.source = {}
    batch.save(update_fields=["source"])
    client.force_login(cast.secretary)
    assert client.get(reverse("members:roster_import_problems", args=[batch.pk])).status_code == 404


def test_the_api_hands_out_the_problems_sheet(as_user, cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")

    response = as_user("secretary").get(f"/api/v1/roster-imports/{batch.pk}/problems-xlsx/")

    assert response.status_code == 200
    assert load_workbook(io.BytesIO(body(response))).active.max_row == 62  # title, header, 60 people
    assert "problems-xlsx" in as_user("secretary").get("/api/schema/").content.decode()


# ------------------------------------------------------------------ the town's roster in a community's hands


def test_a_secretary_with_the_town_file_is_offered_their_own_rows(client, cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")
    client.force_login(cast.secretary)

    html = client.get(reverse("members:roster_import_detail", args=[batch.pk])).content.decode()

    assert own_rows_importable(batch)
    assert batch.summary["other_communities"]["长城社区"] > 0
    assert sum(batch.summary["other_communities"].values()) == 52
    assert "有 52 行属于其他社区" in html
    assert "只导入本社区的 8 行" in html
    assert "整份花名册请由镇管理人员导入" in html


def test_committing_the_town_file_without_choosing_own_rows_is_refused(cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")
    before = Person.objects.count()

    with pytest.raises(Conflict) as refused:
        roster_import_commit(roster_import=batch, by=cast.secretary)

    assert refused.value.code == "other_communities"
    assert Person.objects.count() == before


def test_a_secretary_imports_only_their_own_communitys_rows(client, cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")
    client.force_login(cast.secretary)
    changcheng_before = Person.objects.filter(community=cast.changcheng).count()

    response = client.post(
        reverse("members:roster_import_commit", args=[batch.pk]), {"only_own_community": "1"}
    )

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.summary["committed"]["skipped_other_communities"] == 52
    assert batch.summary["committed"]["created_people"] + batch.summary["committed"]["updated_people"] == 8
    assert Person.objects.filter(community=cast.changcheng).count() == changcheng_before
    page = client.get(reverse("members:roster_import_detail", args=[batch.pk])).content.decode()
    assert "其他社区的 52 行未导入" in page and "本次不能导入" not in page


def test_own_rows_with_a_mistake_cannot_be_imported_alone(cast, town):
    # given the town's file where one of 北街's own rows has a wrong employer, and one row is 长城's
    rows = [person_row(1), person_row(2, 工作单位="不存在的单位"), person_row(3, 居住社区="长城社区")]
    batch = roster_import_create(by=cast.secretary, fileobj=roster_xlsx(rows), filename="x.xlsx")
    before = Person.objects.count()

    # then the own rows are not importable alone: all or nothing within them
    assert not own_rows_importable(batch)
    assert batch.summary["other_communities"] == {"长城社区": 1}
    with pytest.raises(Conflict) as refused:
        roster_import_commit(roster_import=batch, by=cast.secretary, only_own_community=True)
    assert refused.value.code == "import_invalid"
    assert Person.objects.count() == before


def test_the_town_supervisor_imports_the_whole_town_file(cast, town):
    batch = upload(cast.town, "roster-2026.xlsx")

    assert batch.status == ImportStatus.PREVIEW and not batch.errors
    roster_import_commit(roster_import=batch, by=cast.town)
    batch.refresh_from_db()
    assert batch.summary["committed"]["created_people"] + batch.summary["committed"]["updated_people"] == 60


def test_the_api_imports_own_rows_on_request(as_user, cast, town):
    batch = upload(cast.secretary, "roster-2026.xlsx")
    api = as_user("secretary")

    refused = api.post(f"/api/v1/roster-imports/{batch.pk}/commit/", {}, format="json")
    done = api.post(f"/api/v1/roster-imports/{batch.pk}/commit/", {"only_own_community": True}, format="json")

    assert refused.status_code == 409
    assert done.status_code == 200 and done.json()["status"] == ImportStatus.COMMITTED


def test_the_retention_purge_blanks_the_source_cells_with_the_rows(cast, town):
    import datetime as dt

    from django.utils import timezone

    from members.retention import purge_roster_imports

    batch = upload(cast.secretary, "roster-2026.xlsx")
    assert batch.source["rows"]

    purge_roster_imports(now=timezone.now() + dt.timedelta(days=400))

    batch.refresh_from_db()
    assert (batch.source, batch.rows, batch.errors) == ({}, [], [])
