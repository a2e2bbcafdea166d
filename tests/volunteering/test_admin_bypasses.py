"""The admin cannot make an illegal state (the model is cases/admin.py): no add where a service creates the
row, no delete of a row with a history, the fields a service owns read-only, and the edits a service can
make go through that service — each of these closed a way around a rule the pages and the API enforce."""

import datetime as dt

import pytest
import time_machine
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests import factories as f
from volunteering import models as m

from .factories import (
    ClaimFactory,
    GoodFactory,
    ItemFactory,
    PairingFactory,
    PostFactory,
    ProgrammeFactory,
    RecordFactory,
    SignUpFactory,
    SkillFactory,
    at,
    registered_member,
)

pytestmark = pytest.mark.django_db

VOLUNTEERING_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "volunteering"),
    key=lambda model: model.__name__,
)


@pytest.fixture(autouse=True)
def _in_march():
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        yield


@pytest.fixture
def root(db):
    client = Client()
    client.force_login(f.UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def _url(obj_or_model, view: str, *args) -> str:
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def rows(cast):
    """One row of every volunteering model in 北街."""
    item = ItemFactory(community=cast.beijie, organiser=cast.staff, post=PostFactory(community=cast.beijie))
    signup = SignUpFactory(item=item)
    shop = ProgrammeFactory(community=cast.beijie, kind=m.ProgrammeKind.LOVE_SUPERMARKET)
    good = GoodFactory(programme=shop)
    claim = ClaimFactory(post=item.post)
    return {
        m.RequirementPolicy: m.RequirementPolicy.objects.create(community=cast.beijie),
        m.ServicePost: item.post,
        m.PostClaim: claim,
        m.TeamMember: m.TeamMember.objects.create(
            community=cast.beijie, person=claim.person, joined_on=dt.date(2026, 3, 1)
        ),
        m.Programme: shop,
        m.Pairing: PairingFactory(programme=shop),
        m.DonatedGood: good,
        m.GoodHandout: m.GoodHandout.objects.create(
            good=good, recipient_name="王奶奶", quantity=1, handed_out_on=dt.date(2026, 3, 2)
        ),
        m.SkillListing: SkillFactory(programme=shop),
        m.ServiceItem: item,
        m.SignUp: signup,
        m.ServiceRecord: RecordFactory(item=item, person=signup.person),
        m.ConductNote: m.ConductNote.objects.create(
            community=cast.beijie, person=claim.person, noted_on=dt.date(2026, 3, 1), note="热心"
        ),
        m.VolunteerEvent: m.VolunteerEvent.objects.create(community=cast.beijie, action="item.create"),
    }


def test_the_rows_cover_every_volunteering_admin(rows):
    assert sorted(rows, key=lambda model: model.__name__) == VOLUNTEERING_MODELS


# ------------------------------------------------------------------------------------------ no add


@pytest.mark.parametrize("model", VOLUNTEERING_MODELS, ids=lambda model: model.__name__)
def test_no_row_is_added_in_the_admin_a_service_creates_it(root, model):
    # ten posts at most, claims and sign-ups within capacity and for registered members, stock that adds
    # up, hours under the national rules, an event for each: the services' rules, which an add skips
    assert root.get(_url(model, "add")).status_code == 403


# ---------------------------------------------------------------------------------------- no delete

KEPT = [
    m.PostClaim,
    m.ServiceItem,
    m.SignUp,
    m.ServiceRecord,
    m.Programme,
    m.Pairing,
    m.DonatedGood,
    m.GoodHandout,
    m.VolunteerEvent,
]


@pytest.mark.parametrize("model", KEPT, ids=lambda model: model.__name__)
def test_a_row_with_a_history_is_not_deleted_in_the_admin(root, rows, model):
    obj = rows[model]

    assert root.get(_url(obj, "delete", obj.pk)).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


# -------------------------------------------------------------------------------------- read-only

OWNED_BY_SERVICES = {
    m.RequirementPolicy: ["community", "updated_by"],
    m.ServicePost: ["community"],
    m.PostClaim: [
        "community",
        "post",
        "person",
        "year",
        "status",
        "decided_by",
        "decided_at",
        "decline_reason",
    ],
    m.TeamMember: ["community", "person"],
    m.Programme: ["community", "kind"],
    m.Pairing: ["programme", "person", "status", "started_on", "ended_on"],
    m.DonatedGood: ["programme", "quantity_received", "quantity_left", "received_on"],
    m.GoodHandout: ["good", "quantity", "handed_out_on"],
    m.SkillListing: ["programme", "person", "is_active"],
    m.ServiceItem: ["community", "status", "cancel_reason"],
    m.ServiceRecord: [
        "item",
        "person",
        "started_at",
        "ended_at",
        "minutes",
        "evaluation",
        "evaluation_note",
        "source",
        "status",
        "approved_by",
        "approved_at",
        "status_reason",
    ],
    m.ConductNote: ["community", "person", "recorded_by"],
}


@pytest.mark.parametrize("model", list(OWNED_BY_SERVICES), ids=lambda model: model.__name__)
def test_the_fields_a_service_owns_are_read_only(root, rows, model):
    obj = rows[model]

    form = root.get(_url(obj, "change", obj.pk)).context["adminform"].form

    assert not set(OWNED_BY_SERVICES[model]) & set(form.fields)


@pytest.mark.parametrize("model", [m.SignUp, m.VolunteerEvent], ids=lambda model: model.__name__)
def test_sign_ups_and_events_are_read_only_altogether(root, rows, model):
    obj = rows[model]
    url = _url(obj, "change", obj.pk)

    page = root.get(url)
    before = {field.attname: getattr(obj, field.attname) for field in model._meta.concrete_fields}
    root.post(url, {"status": "cancelled", "note": "改写", "checked_in_at_0": "2026-03-14"})

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    obj.refresh_from_db()
    assert {field.attname: getattr(obj, field.attname) for field in model._meta.concrete_fields} == before


def test_an_items_sign_ups_are_shown_but_neither_added_nor_edited_there(root, rows):
    item = rows[m.ServiceItem]

    inline = root.get(_url(item, "change", item.pk)).context["inline_admin_formsets"][0]

    assert inline.has_add_permission is False and inline.has_change_permission is False
    assert not {"person", "status", "checked_in_at"} & set(inline.formset.forms[0].fields)


# --------------------------------------------------------------------------- edits through services


def _fields(form) -> dict:
    data = {}
    for bound in form:
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def _change(client, obj, **changes):
    """POST the change form as it stands, with `changes`; the response of the admin."""
    url = _url(obj, "change", obj.pk)
    page = client.get(url)
    data = _fields(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(_fields(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_fields(form))
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url, data)


def _errors(response) -> dict:
    assert response.status_code == 200, "the form was accepted"
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_a_posts_capacity_is_not_cut_below_this_years_claims(cast, root):
    post = PostFactory(community=cast.beijie, capacity=5)
    for _ in range(3):
        ClaimFactory(post=post, status=m.ClaimStatus.APPROVED)

    response = _change(root, post, capacity="2")

    assert _errors(response)["capacity"] == ["不能少于已认领的 3 人"]
    post.refresh_from_db()
    assert post.capacity == 5


def test_an_eleventh_active_post_is_refused(cast, root):
    for _ in range(m.MAX_POSTS_PER_COMMUNITY):
        PostFactory(community=cast.beijie)
    resting = PostFactory(community=cast.beijie, is_active=False)

    response = _change(root, resting, is_active="on")

    assert "每个社区最多设立 10 个服务岗位" in _errors(response)["__all__"][0]
    resting.refresh_from_db()
    assert resting.is_active is False


def test_a_post_edit_is_the_services_own(cast, root):
    post = PostFactory(community=cast.beijie, name="治安巡逻岗")

    response = _change(root, post, name="  民情信息岗  ", specialties='["法律", "法律", " 调解 "]')

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.name, post.specialties) == ("民情信息岗", ["法律", "调解"])  # cleaned by the service


def test_an_items_capacity_is_not_cut_below_its_confirmed_sign_ups(cast, root):
    item = ItemFactory(community=cast.beijie, capacity=3, organiser=cast.staff)
    for _ in range(3):
        SignUpFactory(item=item)

    response = _change(root, item, capacity="1")

    assert _errors(response)["capacity"] == ["不能少于已报名的 3 人"]
    item.refresh_from_db()
    assert item.capacity == 3


def test_raising_an_items_capacity_promotes_the_waitlist_as_the_page_would(cast, root):
    item = ItemFactory(community=cast.beijie, capacity=1, organiser=cast.staff)
    SignUpFactory(item=item)
    waiting = SignUpFactory(
        item=item, status=m.SignUpStatus.WAITLISTED, person=registered_member(cast.beijie)
    )

    response = _change(root, item, capacity="2")

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == m.SignUpStatus.CONFIRMED
    assert m.VolunteerEvent.objects.filter(signup=waiting, action="signup.promote").exists()


def test_an_items_times_stay_once_hours_are_recorded(cast, root):
    item = ItemFactory(community=cast.beijie, organiser=cast.staff)
    RecordFactory(item=item)

    response = _change(root, item, starts_at_1="10:00:00")

    assert "已有服务记录" in _errors(response)["starts_at"]
    item.refresh_from_db()
    assert item.starts_at == at(2026, 3, 14, 9)


def test_the_yearly_policy_is_set_through_the_service(cast, root):
    policy = m.RequirementPolicy.objects.create(community=cast.beijie)

    refused = _change(root, policy, min_items="3", target_items="2")
    accepted = _change(root, policy, min_items="2", target_items="3")

    assert _errors(refused)["target_items"] == ["目标不能低于最低要求"]
    assert accepted.status_code == 302
    policy.refresh_from_db()
    assert (policy.min_items, policy.target_items, policy.updated_by.username) == (2, 3, "root")


def test_a_programme_name_stays_unique_through_the_service(cast, root):
    ProgrammeFactory(community=cast.beijie, name="爱心超市")
    programme = ProgrammeFactory(community=cast.beijie, name="空巢老人服务站")

    response = _change(root, programme, name="爱心超市")

    assert _errors(response)["name"] == ["载体名称已存在"]


def test_the_town_reads_but_does_not_run_a_communitys_volunteering_in_the_admin(cast):
    # the branch's own party-building work is the community office's alone (members.permissions)
    post = PostFactory(community=cast.beijie, capacity=5)
    town = cast.town
    town.is_staff = True
    town.save(update_fields=["is_staff"])
    town.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_servicepost", "change_servicepost"])
    )
    client = Client()
    client.force_login(town)

    response = _change(client, post, capacity="6")

    assert "只有本社区的书记、工作人员或办公室主任可以执行此操作" in _errors(response)["__all__"]
    post.refresh_from_db()
    assert post.capacity == 5
