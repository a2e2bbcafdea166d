"""Residents without a login: submit, track with number + code (throttled), read the masked reply, rate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, CaseAttachment
from cases.security import mask_text
from cases.states import CaseState
from tests.cases.factories import make_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def submit(client, cast, **extra):
    data = {
        "community": cast.beijie.code,
        "content": "2号楼楼顶漏水，请尽快处理",
        "category": "property",
        "consent": True,  # the privacy notice (tests/audit/test_public_notice.py)
    }
    data.update(extra)
    return client.post("/api/v1/public/cases/", data, format="multipart")


def test_a_resident_submits_without_login_and_gets_a_number_and_code(
    cast, django_capture_on_commit_callbacks
):
    client = APIClient()
    photo = SimpleUploadedFile("leak.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client, cast, attachments=[photo], resident_name="王桂兰", resident_phone="13912345678"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(tracking_no=body["tracking_no"])
    assert case.channel == "online" and case.received_by is None and case.state == CaseState.REGISTERED
    assert len(body["access_code"]) == 8 and body["access_code"] not in case.access_code_hash
    attachment = case.attachments.get()
    assert attachment.content_type == "image/png" and "leak" not in attachment.file.name
    assert attachment.file.storage.exists(attachment.file.name)


@pytest.mark.parametrize(
    "files, field",
    [
        ([SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", content_type="image/png")], "attachments"),
        ([SimpleUploadedFile(f"{i}.jpg", JPEG, content_type="image/jpeg") for i in range(4)], "attachments"),
        (
            [SimpleUploadedFile("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), content_type="image/jpeg")],
            "attachments",
        ),
    ],
    ids=["not-an-image", "too-many", "too-big"],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(cast, files, field):
    response = submit(APIClient(), cast, attachments=files)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_empty_content_is_refused(cast):
    response = submit(APIClient(), cast, content="   ")
    assert response.status_code == 400 and "content" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_a_flood_from_one_address_is_refused(cast):
    client = APIClient()
    statuses = [submit(client, cast).status_code for _ in range(7)]
    assert statuses[:5] == [201] * 5 and statuses[5:] == [429, 429]
    assert Case.objects.count() == 5
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert submit(other, cast).status_code == 201


def test_lookup_needs_number_and_code_and_shows_a_masked_view(cast):
    case = make_case(
        cast.beijie,
        by=cast.secretary,
        state=CaseState.FEEDBACK_GIVEN,
        content="我是王大妈，电话13912345678，楼道灯坏了",
    )
    client = APIClient()
    wrong = client.post(
        "/api/v1/public/cases/lookup/", {"tracking_no": case.tracking_no, "access_code": "XXXXXXXX"}
    )
    assert wrong.status_code == 404
    ok = client.post(
        "/api/v1/public/cases/lookup/", {"tracking_no": case.tracking_no, "access_code": case.access_code}
    )
    assert ok.status_code == 200
    body = ok.json()
    assert "13912345678" not in str(body) and "139****5678" in body["content"]
    assert "resident_phone" not in body and "assignee" not in body
    assert body["can_rate"] is True and body["reply"] == "已电话告知"
    assert [t["state"] for t in body["timeline"]][-1] == "已反馈"


def test_repeated_misses_are_throttled_per_tracking_number_and_per_address(cast):
    case = make_case(cast.beijie, by=cast.secretary)
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/public/cases/lookup/", {"tracking_no": case.tracking_no, "access_code": "WRONG123"}
            ).status_code
            == 404
        )
    # the number is now locked, even with the right code and from another address
    again = APIClient(REMOTE_ADDR="10.0.0.2").post(
        "/api/v1/public/cases/lookup/", {"tracking_no": case.tracking_no, "access_code": case.access_code}
    )
    assert again.status_code == 429
    # an address guessing many numbers is locked too
    guesser = APIClient(REMOTE_ADDR="10.0.0.3")
    codes = [
        guesser.post(
            "/api/v1/public/cases/lookup/", {"tracking_no": f"MQ-0-{i}", "access_code": "A"}
        ).status_code
        for i in range(11)
    ]
    assert codes[:10] == [404] * 10 and codes[10] == 429


def test_the_resident_rates_online_and_unsatisfied_reopens(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.FEEDBACK_GIVEN, worker=cast.officer)
    client = APIClient()
    response = client.post(
        "/api/v1/public/cases/rate/",
        {
            "tracking_no": case.tracking_no,
            "access_code": case.access_code,
            "rating": "unsatisfied",
            "comment": "没修好",
        },
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == CaseState.ASSIGNED and case.reopen_count == 1
    again = client.post(
        "/api/v1/public/cases/rate/",
        {
            "tracking_no": case.tracking_no,
            "access_code": case.access_code,
            "rating": "satisfied",
        },
    )
    assert again.status_code == 409 and again.json()["error"]["allowed"]


def test_rating_a_case_never_answered_is_refused(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS)
    response = APIClient().post(
        "/api/v1/public/cases/rate/",
        {
            "tracking_no": case.tracking_no,
            "access_code": case.access_code,
            "rating": "satisfied",
        },
    )
    assert response.status_code == 409
    assert "resolve" in response.json()["error"]["allowed"]


def test_public_pages_submit_track_and_rate_with_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/cases/public/submit/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    refused = Client(enforce_csrf_checks=True).post("/cases/public/submit/", {"community": cast.beijie.code})
    assert refused.status_code == 403
    done = client.post(
        "/cases/public/submit/",
        {
            "csrfmiddlewaretoken": token,
            "community": cast.beijie.code,
            "category": "property",
            "content": "路灯不亮",
            "consent": "on",
        },
    )
    assert done.status_code == 200
    case = Case.objects.get()
    assert case.tracking_no in done.content.decode()
    # a fresh visitor needs the number and code
    visitor = Client()
    assert visitor.get(f"/cases/public/case/{case.pk}/").status_code == 302
    bad = visitor.post("/cases/public/track/", {"tracking_no": case.tracking_no, "access_code": "NOPE"})
    assert "不正确" in bad.content.decode()


def test_public_page_of_an_answered_case_offers_rating(cast):
    case = make_case(
        cast.beijie,
        by=cast.secretary,
        state=CaseState.FEEDBACK_GIVEN,
        content="联系人李四 13800001111 反映噪音",
    )
    visitor = Client()
    found = visitor.post(
        "/cases/public/track/", {"tracking_no": case.tracking_no, "access_code": case.access_code}
    )
    assert found.status_code == 302
    page = visitor.get(found.url).content.decode()
    assert "13800001111" not in page and "满意度评价" in page
    visitor.post(found.url, {"rating": "satisfied", "comment": "好"})
    case.refresh_from_db()
    assert case.state == CaseState.RATED and case.rated_by_resident


def test_public_schedule_and_disclosure_pages_need_no_login(cast):
    from cases import services

    services.disclosure_save(
        community=cast.beijie, by=cast.secretary, kind="time_limits", body="承诺件五个工作日"
    )
    services.announcement_publish(
        community=cast.beijie,
        by=cast.secretary,
        category="conscription",
        title="征兵通知",
        body="欢迎适龄青年报名",
    )
    client = Client()
    assert client.get("/cases/public/").status_code == 200
    assert client.get("/cases/public/schedule/").status_code == 200
    page = client.get(f"/cases/public/disclosure/{cast.beijie.code}/").content.decode()
    assert "承诺件五个工作日" in page and "征兵通知" in page and "办事纪律" in page
    api = APIClient().get(f"/api/v1/public/disclosures/{cast.beijie.code}/").json()
    assert len(api["disclosures"]) == 7 and len(api["time_limits"]) == 5


def test_mask_text_hides_phones_and_ids():
    assert mask_text("电话13912345678，座机 6261234，身份证410821198503090011") == (
        "电话139****5678，座机 *******，身份证******************"
    )
