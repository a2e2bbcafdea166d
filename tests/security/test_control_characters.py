"""Control characters in text are refused at the API's door, whatever the content type, with a 400 naming
the field (core.security parsers), and by every form of the pages, with an error under the field
(core.forms). Stored, they broke the Excel exports (Schemathesis found it)."""

import importlib
import pkgutil

import pytest
from django import forms as django_forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case
from core import forms as core_forms
from core.forms import RefuseControlCharactersMixin
from core.security import CONTROL_CHARACTER_MESSAGE
from members.forms import ListField, PasswordChangeForm
from members.models import Employer, MemberCategory
from tests import factories as f
from volunteering.models import ServicePost

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


# ------------------------------------------------------------------------------------------ page forms
# The server-rendered pages refuse them too, field by field (core.forms): the page shows the error next
# to the field and nothing is saved.

PROJECT_APPS = ("members", "volunteering", "cases", "core", "evaluations")

# Form classes of the project that may do without RefuseControlCharactersMixin: {"module.Class": reason}.
WITHOUT_THE_MIXIN: dict[str, str] = {}


def project_form_classes() -> set[type]:
    """Every django.forms.BaseForm subclass defined in a module of the project's apps (all of them are
    imported first, so a form declared in a views module is found as well as those in forms.py)."""
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, todo = set(), [django_forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                todo.append(subclass)
    return {cls for cls in found if cls.__module__.split(".")[0] in PROJECT_APPS}


def test_every_form_of_the_project_refuses_control_characters():
    forms_found = project_form_classes()
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in forms_found}
    # the walk really sees the forms of each app (an empty walk would prove nothing)
    assert {
        "members.forms.PersonForm",
        "members.forms.PasswordChangeForm",
        "volunteering.forms.PostForm",
        "cases.forms.PublicSubmitForm",
        "core.forms.Form",
        "core.forms.ModelForm",
    } <= names
    assert len(forms_found) > 50

    missing = sorted(
        name
        for cls, name in ((cls, f"{cls.__module__}.{cls.__qualname__}") for cls in forms_found)
        if not issubclass(cls, RefuseControlCharactersMixin) and name not in WITHOUT_THE_MIXIN
    )

    assert missing == [], "derive these from core.forms.Form / ModelForm (or mix in the mixin)"
    assert set(WITHOUT_THE_MIXIN) <= names, "the allow-list names a form that no longer exists"


class SampleForm(core_forms.Form):
    text = django_forms.CharField(required=False)
    words = ListField(label="专长")
    number = django_forms.IntegerField(required=False)
    day = django_forms.DateField(required=False)
    kind = django_forms.ChoiceField(choices=[("a", "a")], required=False)
    upload = django_forms.FileField(required=False)
    fixed = django_forms.CharField(required=False, disabled=True, initial="ok")


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x0b", "\x1b", "\x1f", "\x7f"], ids=["nul", "bel", "vt", "esc", "us", "del"]
)
@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_form_puts_the_error_on_each_text_field_holding_a_control_character(char, where):
    # at the end too: CharField strips \x0b, \x0c and \x1c-\x1f as whitespace, the check does not
    value = f"楼顶{char}漏水" if where == "middle" else f"楼顶漏水{char}"

    form = SampleForm({"text": value, "words": f"书法、{value}", "number": "3"})

    assert not form.is_valid()
    assert form.errors["text"] == [CONTROL_CHARACTER_MESSAGE]
    assert form.errors["words"] == [CONTROL_CHARACTER_MESSAGE]
    assert "text" not in form.cleaned_data and "words" not in form.cleaned_data
    assert form.has_error("text", code="control_characters")


def test_tabs_line_breaks_files_and_non_text_fields_are_left_alone():
    upload = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n\x00\x07", content_type="image/png")

    form = SampleForm(
        {"text": "2号楼\t楼顶漏水\r\n已经三天了", "words": "书法", "fixed": "x\x07"},
        {"upload": upload},
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "2号楼\t楼顶漏水\r\n已经三天了"
    assert form.cleaned_data["fixed"] == "ok"  # a disabled field keeps its initial value


def test_a_model_form_saves_nothing_with_a_control_character(cast):
    class EmployerForm(core_forms.ModelForm):
        class Meta:
            model = Employer
            fields = ["name"]

    employer = cast.hospital
    form = EmployerForm({"name": "县人民\x07医院"}, instance=employer)

    assert not form.is_valid()
    assert form.errors == {"name": [CONTROL_CHARACTER_MESSAGE]}
    employer.refresh_from_db()
    assert employer.name == "县人民医院"


def test_the_password_change_form_checks_the_new_password_but_not_the_current_one(cast):
    user = cast.member
    user.set_password("Old-Pass-2026!\x07")

    form = PasswordChangeForm(
        user,
        {
            "old_password": "Old-Pass-2026!\x07",
            "new_password1": "Neu-Pass\x07-2026!",
            "new_password2": "Neu-Pass\x07-2026!",
        },
    )

    assert not form.is_valid()
    assert "old_password" not in form.errors  # compared with its hash, never stored
    assert CONTROL_CHARACTER_MESSAGE in form.errors["new_password1"]


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x7f"], ids=["bel", "esc", "del"])
def test_a_secretary_editing_a_person_sees_the_error_under_the_field_and_nothing_is_saved(client, cast, char):
    # given the secretary of 北街 on the edit page of one of her members
    client.force_login(cast.secretary)
    person = cast.member_person
    url = reverse("members:person_edit", args=[person.pk])
    data = {
        "name": "马明",
        "building": cast.b1.pk,
        "unit_room": "1单元101",
        "category": MemberCategory.IN_SERVICE,
        "employer": cast.hospital.pk,
        "note": "常住",
    }

    # when she saves with a control character in the note
    response = client.post(url, {**data, "unit_room": "2单元201", "note": f"常住{char}二楼"})

    # then the form comes back with the error on that field, and nothing changed
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"note": [CONTROL_CHARACTER_MESSAGE]}
    assert CONTROL_CHARACTER_MESSAGE in response.content.decode()
    person.refresh_from_db()
    assert (person.unit_room, person.note) == ("1单元101", "")

    # and the same edit with a tab and a line break is saved
    saved = client.post(url, {**data, "unit_room": "2单元201", "note": "常住\t二楼\r\n东户"})

    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.unit_room, person.note) == ("2单元201", "常住\t二楼\r\n东户")


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x7f"], ids=["nul", "bs", "del"])
def test_a_resident_submitting_on_the_public_page_sees_the_error_and_no_case_is_made(cast, char):
    # given a resident on the public 我要反映 page (no login)
    client = Client()
    data = {"community": cast.beijie.code, "category": "property", "consent": "on"}

    # when the concern holds a control character
    response = client.post(
        "/cases/public/submit/", {**data, "content": f"楼顶{char}漏水", "resident_name": "王桂兰"}
    )

    # then the page shows the form again with the error on the concern, and no case is made
    assert response.status_code == 200
    assert response.context["form"].errors == {"content": [CONTROL_CHARACTER_MESSAGE]}
    assert CONTROL_CHARACTER_MESSAGE in response.content.decode()
    assert Case.objects.count() == 0

    # and with a tab and line breaks it is accepted
    done = client.post("/cases/public/submit/", {**data, "content": "2号楼\t楼顶漏水\r\n已经三天了"})

    case = Case.objects.get()
    assert done.status_code == 200 and case.tracking_no in done.content.decode()
    assert case.content == "2号楼\t楼顶漏水\r\n已经三天了"


def test_a_secretary_creating_a_service_post_sees_the_error_and_nothing_is_saved(client, cast):
    client.force_login(cast.secretary)
    url = f"{reverse('volunteering:post_new')}?community={cast.beijie.pk}"
    data = {"name": "政策宣传岗", "capacity": "5", "sort_order": "0", "is_active": "on"}

    response = client.post(url, {**data, "description": "入户\x1b宣传"})

    assert response.context["form"].errors == {"description": [CONTROL_CHARACTER_MESSAGE]}
    assert not ServicePost.objects.filter(name="政策宣传岗").exists()
    assert client.post(url, {**data, "description": "入户\t宣传\r\n每周一次"}).status_code == 302
    assert ServicePost.objects.get(name="政策宣传岗").description == "入户\t宣传\r\n每周一次"


# The admin's forms and the pages' one-field button forms (a claim's note, a decline or cancel reason)
# go through the same check.


def test_every_scoped_admin_form_refuses_control_characters(cast):
    from django.contrib import admin
    from django.test import RequestFactory

    from core.admin import ScopedChoicesMixin

    request = RequestFactory().get("/admin/")
    request.user = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    scoped = [a for a in admin.site._registry.values() if isinstance(a, ScopedChoicesMixin)]
    assert len(scoped) > 40
    for model_admin in scoped:
        assert issubclass(model_admin.get_form(request), RefuseControlCharactersMixin), model_admin
        for inline in model_admin.get_inline_instances(request):
            assert issubclass(inline.get_formset(request).form, RefuseControlCharactersMixin), inline


def test_a_claim_note_with_a_control_character_is_refused_and_nothing_is_saved(client, cast):
    from tests.volunteering.factories import PostFactory, register
    from volunteering.models import PostClaim

    register(cast.member_person, cast.beijie)
    post = PostFactory(community=cast.beijie)
    client.force_login(cast.member)
    url = reverse("volunteering:post_claim", args=[post.pk])

    response = client.post(url, {"note": "我是\x07律师"}, follow=True)

    assert CONTROL_CHARACTER_MESSAGE in response.content.decode()
    assert not PostClaim.objects.filter(post=post).exists()
    client.post(url, {"note": "我是律师"})
    assert PostClaim.objects.get(post=post).note == "我是律师"
