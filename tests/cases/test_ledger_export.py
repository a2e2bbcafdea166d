"""The case 台账 in Excel: the filtered list as offices file it, from the list page and the API, for the
community and town offices only; read back with openpyxl; constant queries at two sizes."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.export import LEDGER_HEADERS
from cases.states import CaseState
from tests.cases.factories import make_case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read(response) -> list[tuple]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


@pytest.fixture
def cases(cast):
    resolved = make_case(cast.beijie, by=cast.secretary, state=CaseState.RATED, worker=cast.staff)
    open_case = make_case(cast.beijie, by=cast.secretary, content='=HYPERLINK("x")楼下噪音')
    other = make_case(cast.changcheng, by=cast.other_secretary, content="长城的事")
    return resolved, open_case, other


def test_the_ledger_has_chinese_headers_iso_dates_masked_phones_and_results(client, cast, cases):
    resolved, open_case, other = cases
    client.force_login(cast.secretary)

    response = client.get(reverse("cases:ledger_xlsx"))

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    rows = read(response)
    assert rows[0][0].startswith("民情办理台账")
    assert list(rows[1]) == LEDGER_HEADERS
    by_no = {r[1]: dict(zip(LEDGER_HEADERS, r, strict=False)) for r in rows[2:]}
    assert set(by_no) == {resolved.tracking_no, open_case.tracking_no}  # 长城's case is not 北街's
    done = by_no[resolved.tracking_no]
    assert done["联系电话"] == "139****5678"
    assert done["办件类型"] == "承诺件" and done["状态"] == "已评价"
    assert done["办理结果"] == "已联系物业修复" and done["满意度"] == "满意"
    assert isinstance(done["受理时间"], dt.datetime) and isinstance(done["办理期限"], dt.datetime)
    # a resident's text is never a formula
    assert by_no[open_case.tracking_no]["反映内容"].startswith("=HYPERLINK")


def test_the_ledger_keeps_the_list_filters(client, cast, cases):
    resolved, open_case, _ = cases
    client.force_login(cast.secretary)

    rows = read(client.get(reverse("cases:ledger_xlsx"), {"state": CaseState.REGISTERED}))

    assert [r[1] for r in rows[2:]] == [open_case.tracking_no]


def test_the_town_exports_every_community_of_the_town(client, cast, cases):
    client.force_login(cast.town)

    rows = read(client.get(reverse("cases:ledger_xlsx")))

    assert len(rows) - 2 == 3


@pytest.mark.parametrize("who", ["officer", "member", "liaison", "outsider"])
def test_the_ledger_is_for_offices_only(client, cast, cases, who):
    client.force_login(getattr(cast, who))

    assert client.get(reverse("cases:ledger_xlsx")).status_code == 403


def test_the_api_exports_the_filtered_ledger_and_is_in_the_schema(as_user, cast, cases):
    resolved, open_case, _ = cases

    response = as_user("secretary").get("/api/v1/cases/ledger-xlsx/", {"state": CaseState.RATED})

    assert response.status_code == 200
    assert [r[1] for r in read(response)[2:]] == [resolved.tracking_no]
    assert as_user("member").get("/api/v1/cases/ledger-xlsx/").status_code == 403
    schema = as_user("secretary").get("/api/schema/").content.decode()
    assert "/api/v1/cases/ledger-xlsx/" in schema


@pytest.mark.parametrize("n", [3, 25])
def test_the_export_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, n):
    for _ in range(n):
        make_case(cast.beijie, by=cast.secretary)
    client.force_login(cast.secretary)

    # session, user, scope (3) and the cases with community, building, assignee in one query, plus the
    # access log's write (savepoint, insert)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:ledger_xlsx"))
        rows = read(response)

    assert len(rows) - 2 == n
