"""The one-time notice (一次性告知书) lets the resident follow the case: printed with the tracking number, a
fresh access code, the public tracking address and a QR code that opens the case; the tracking page says a
wrong code once."""

import io

import pytest
import segno
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from cases import services
from cases.models import Case
from cases.pdf import tracking_qr_png
from cases.states import CaseState
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

TRACK = "http://testserver/cases/public/track/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(body: bytes) -> str:
    return "".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().replace("\x00", "").split())


@pytest.fixture
def case(cast):
    return make_case(cast.beijie, by=cast.secretary, state=CaseState.WAITING_DOCUMENTS, worker=cast.officer)


def print_notice(user, case):
    response = client_for(user).post(f"/cases/{case.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    return response.content


def printed_code(text: str) -> str:
    return text.split("查询码：", 1)[1][:8]


def test_the_notice_prints_the_number_a_fresh_code_and_the_address(cast, case):
    old_code = case.access_code

    text = text_of(print_notice(cast.officer, case))

    code = printed_code(text)
    assert f"受理编号：{case.tracking_no}" in text and f"查询网址：{TRACK}" in text
    assert len(code) == 8 and code != old_code
    # the printed code opens the case; the one handed out at intake no longer does
    assert services.public_find(tracking_no=case.tracking_no, access_code=code) == case
    assert services.public_find(tracking_no=case.tracking_no, access_code=old_code) is None
    event = case.events.last()
    assert (event.action_display, event.by) == ("重新生成查询码", cast.officer)


def test_the_notice_carries_a_qr_code_of_the_tracking_page_with_number_and_code(cast, case):
    body = print_notice(cast.officer, case)
    code = printed_code(text_of(body))
    url = f"{TRACK}?no={case.tracking_no}&code={code}"

    [image] = PdfReader(io.BytesIO(body)).pages[0].images
    printed = image.image.convert("L")
    expected = Image.open(tracking_qr_png(url)).convert("L")
    assert printed.size == expected.size and list(printed.getdata()) == list(expected.getdata())
    assert segno.make(url, error="m").designator  # (the same encoder and error level as the notice)


def test_scanning_the_qr_code_opens_the_case(cast, case):
    code = printed_code(text_of(print_notice(cast.officer, case)))
    resident = Client()

    response = resident.get("/cases/public/track/", {"no": case.tracking_no, "code": code})

    assert response.status_code == 302 and response["Location"] == f"/cases/public/case/{case.pk}/"
    page = resident.get(response["Location"]).content.decode()
    assert case.tracking_no in page


def test_a_wrong_code_is_said_once(cast, case):
    html = (
        Client()
        .post("/cases/public/track/", {"tracking_no": case.tracking_no, "access_code": "WRONG123"})
        .content.decode()
    )

    assert html.count("受理编号或查询码不正确") == 1


def test_the_api_prints_the_same_notice(cast, case, as_user):
    response = as_user("officer").post(f"/api/v1/cases/{case.pk}/notice/")

    assert response.status_code == 200
    code = printed_code(text_of(response.content))
    assert services.public_find(tracking_no=case.tracking_no, access_code=code) == case


def test_someone_who_does_not_see_the_case_cannot_print_it(cast, case):
    before = Case.objects.get(pk=case.pk).access_code_hash

    assert client_for(cast.member).post(f"/cases/{case.pk}/notice.pdf").status_code == 404
    assert client_for(cast.officer).get(f"/cases/{case.pk}/notice.pdf").status_code == 405
    assert Case.objects.get(pk=case.pk).access_code_hash == before
