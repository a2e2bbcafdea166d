"""Every volunteering state change goes through core.transitions (row lock, transition table, saved fields,
one VolunteerEvent), refuses with the same message and `allowed` list as before, and the event history is
append-only (core.models.AppendOnlyModel)."""

import inspect

import pytest
import time_machine

from core import transitions
from core.errors import Conflict
from volunteering import services
from volunteering.models import ItemStatus, RecordStatus, SignUpStatus, VolunteerEvent
from volunteering.services import _common

from .factories import ItemFactory, RecordFactory, SignUpFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_item():
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        yield


def test_the_services_keep_no_copy_of_the_transition_helper():
    source = inspect.getsource(_common)
    assert "def _move" not in source and "select_for_update" not in inspect.getsource(_common._transition)
    assert "apply_transition" in inspect.getsource(_common._transition)


def test_a_refused_move_names_the_state_and_the_legal_next_steps(cast):
    record = RecordFactory(item=ItemFactory(community=cast.beijie), status=RecordStatus.APPROVED)

    with pytest.raises(Conflict) as exc:
        services.record_reject(record=record, by=cast.secretary, reason="重复登记")

    assert exc.value.message == "当前状态为「已确认」，不能执行此操作"
    assert (exc.value.code, exc.value.allowed) == ("illegal_transition", ["cancelled"])
    assert not VolunteerEvent.objects.filter(record=record).exists()


def test_a_move_saves_the_named_fields_refreshes_the_callers_copy_and_appends_one_event(cast):
    record = RecordFactory(item=ItemFactory(community=cast.beijie), status=RecordStatus.PENDING)

    returned = services.record_cancel(record=record, by=cast.secretary, reason="并未到场")

    record.refresh_from_db()
    assert (record.status, record.status_reason) == (RecordStatus.CANCELLED, "并未到场")
    assert returned.status == RecordStatus.CANCELLED
    event = VolunteerEvent.objects.get(record=record)
    assert (event.action, event.from_status, event.to_status, event.note, event.by) == (
        "record.cancel",
        "pending",
        "cancelled",
        "并未到场",
        cast.secretary,
    )


def test_a_sign_up_cancelled_by_the_member_moves_through_the_table(cast, registered):
    item = ItemFactory(community=cast.beijie)
    signup = services.signup_create(item=item, person=cast.member_person, by=cast.member)

    cancelled = services.signup_cancel(signup=signup, by=cast.member)

    assert cancelled.status == SignUpStatus.CANCELLED and cancelled.cancelled_at is not None
    assert list(VolunteerEvent.objects.filter(signup=signup).values_list("from_status", "to_status")) == [
        ("", "confirmed"),
        ("confirmed", "cancelled"),
    ]


def test_cancelling_an_item_moves_it_through_the_item_table_with_its_reason(cast, monkeypatch):
    item = ItemFactory(community=cast.beijie)
    SignUpFactory(item=item)
    calls = []
    monkeypatch.setattr(
        "volunteering.services.items.move", lambda *a, **kw: calls.append(kw) or transitions.move(*a, **kw)
    )

    services.item_cancel(item=item, by=cast.secretary, reason="暴雨")

    assert calls and calls[0]["to"] == ItemStatus.CANCELLED
    assert (item.status, item.cancel_reason) == (ItemStatus.CANCELLED, "暴雨")
    event = VolunteerEvent.objects.get(item=item, action="item.cancel")
    assert (event.from_status, event.to_status, event.note) == ("open", "cancelled", "暴雨")
    with pytest.raises(Conflict) as exc:
        services.item_cancel(item=item, by=cast.secretary, reason="再取消一次")
    assert exc.value.code == "item_cancelled"


# ------------------------------------------------------------------------------------- append-only


@pytest.fixture
def event(cast):
    return VolunteerEvent.objects.create(community=cast.beijie, action="item.create", to_status="open")


def test_an_event_row_cannot_be_changed_or_deleted(event):
    event.note = "改写历史"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_event_rows_cannot_be_updated_or_deleted_in_bulk(event):
    with pytest.raises(TypeError):
        VolunteerEvent.objects.filter(pk=event.pk).update(note="改写历史")
    with pytest.raises(TypeError):
        VolunteerEvent.objects.all().delete()
    assert VolunteerEvent.objects.get(pk=event.pk).note == ""


def test_the_event_history_is_still_read_by_the_office_only(cast, event):
    assert list(VolunteerEvent.objects.visible_to(cast.secretary)) == [event]
    assert list(VolunteerEvent.objects.visible_to(cast.town)) == []
    assert list(VolunteerEvent.objects.visible_to(cast.member)) == []
