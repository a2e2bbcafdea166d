"""The public form states the purpose and what is kept (PIPL 第十七条) and takes nothing without consent."""

from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, RetentionPolicy
from cases.retention import PRIVACY_NOTICE_VERSION

SUBMIT = "/api/v1/public/cases/"


def payload(cast, **extra):
    return {
        "community": cast.beijie.code,
        "content": "2号楼楼顶漏水",
        "resident_name": "王桂兰",
        "resident_phone": "13912345678",
        **extra,
    }


def test_the_api_refuses_a_submission_without_consent_with_a_field_error(cast):
    for data, fmt in [
        (payload(cast), "json"),
        (payload(cast, consent=False), "json"),
        (payload(cast), "multipart"),
    ]:
        response = APIClient().post(SUBMIT, data, format=fmt)
        assert response.status_code == 400, data
        assert "consent" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_a_submission_with_consent_records_the_notice_it_agreed_to(cast):
    response = APIClient().post(SUBMIT, payload(cast, consent=True), format="json")

    assert response.status_code == 201
    case = Case.objects.get(tracking_no=response.json()["tracking_no"])
    registered = CaseEvent.objects.get(case=case, action="register")
    assert registered.data == {"privacy_notice": PRIVACY_NOTICE_VERSION}


def test_the_notice_is_published_with_the_communitys_retention_period(cast):
    RetentionPolicy.objects.create(community=cast.changcheng, retention_days=365)
    client = APIClient()

    default = client.get(f"{SUBMIT}privacy-notice/").json()
    changcheng = client.get(f"{SUBMIT}privacy-notice/", {"community": cast.changcheng.code}).json()

    assert default["retention_days"] == 730 and changcheng["retention_days"] == 365
    assert "365 天" in changcheng["retention"]
    for key in ("purpose", "collected", "retention", "recipients", "rights", "consent"):
        assert default[key], key
    assert default["version"] == PRIVACY_NOTICE_VERSION


def test_the_public_page_shows_the_notice_and_requires_the_checkbox(cast):
    client = Client()
    page = client.get("/cases/public/submit/").content.decode()
    for words in ("个人信息处理说明", "用途", "保存多久", "730 天", "谁能看到", 'name="consent"'):
        assert words in page, words

    refused = client.post(
        "/cases/public/submit/",
        {"community": cast.beijie.code, "category": "property", "content": "路灯不亮"},
    )
    assert refused.status_code == 200 and "请阅读并勾选同意" in refused.content.decode()
    assert not Case.objects.exists()

    done = client.post(
        "/cases/public/submit/",
        {"community": cast.beijie.code, "category": "property", "content": "路灯不亮", "consent": "on"},
    )
    case = Case.objects.get()
    assert case.tracking_no in done.content.decode()
    assert (
        CaseEvent.objects.get(case=case, action="register").data["privacy_notice"] == PRIVACY_NOTICE_VERSION
    )
