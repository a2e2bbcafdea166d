"""Control characters in text are refused at the API's door, whatever the content type, with a 400 naming
the field (core.security parsers). Stored, they broke the Excel exports (Schemathesis found it)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cases.models import Case
from core.security import CONTROL_CHARACTER_MESSAGE

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public/cases/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # the public form is throttled per client address
    yield
    cache.clear()


def case_payload(cast, **extra):
    data = {
        "community": cast.beijie.code,
        "content": "2号楼楼顶漏水",
        "category": "property",
        "consent": True,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("body_format", ["json", "multipart"])
@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x0b", "\x1b", "\x7f"], ids=["nul", "bel", "vt", "esc", "del"]
)
def test_a_control_character_in_any_text_field_is_a_400_naming_it(cast, body_format, char):
    before = Case.objects.count()

    response = APIClient().post(
        PUBLIC, case_payload(cast, content=f"楼顶{char}漏水", resident_name="王桂兰"), format=body_format
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"content": [CONTROL_CHARACTER_MESSAGE]}
    assert Case.objects.count() == before


def test_a_url_encoded_form_is_checked_too(cast):
    response = APIClient().post(
        PUBLIC,
        "community=x&content=%E6%BC%8F%07%E6%B0%B4",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"content": [CONTROL_CHARACTER_MESSAGE]}


def test_nested_values_are_named_by_their_path(cast, as_user):
    response = as_user("secretary").post(
        "/api/v1/case-groups/",
        {"title": "ok", "cases": [1], "extra": {"note": ["a", "b\x08"]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"extra.note.1": [CONTROL_CHARACTER_MESSAGE]}


@pytest.mark.parametrize("body_format", ["json", "multipart"])
def test_tabs_and_line_breaks_are_ordinary_text(cast, body_format):
    response = APIClient().post(
        PUBLIC, case_payload(cast, content="2号楼\t楼顶漏水\r\n已经三天了"), format=body_format
    )

    assert response.status_code == 201, response.content
