"""The transactional outbox (core/outbox.py): a side effect of a write is a row of that write's transaction,
published after commit; a broker outage fails no request and loses nothing — the relay publishes later,
once. The real broker, stopped and started again, is in tests/core/test_outbox_worker.py."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases.states import CaseState
from config.celery import app
from core import notifications, outbox
from core.models import Notification, OutboxMessage
from core.tasks import send_notification_email
from tests import factories as f
from tests.cases.factories import make_case

LATER = dt.timedelta(hours=2)  # past any backoff


@pytest.fixture(autouse=True)
def _fresh_breaker():
    outbox.reset_breaker()
    yield
    outbox.reset_breaker()


@pytest.fixture
def broker(monkeypatch):
    """A stand-in broker: records what is published, or refuses like a Redis that is down. Tasks are not
    run eagerly while it is in use, as with a real worker."""
    published: list[tuple[str, list]] = []
    state = {"down": False}

    def publish(message, connection=None):
        if state["down"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        published.append((message.task, message.args))

    real_publish = outbox._publish
    monkeypatch.setattr(outbox, "_publish", publish)
    app.conf.task_always_eager = False  # restored by the autouse `_celery_mode` fixture

    class Broker:
        sent = published

        @staticmethod
        def replace_by_eager_tasks():
            """From here on tasks run in this process when published (the unit tests' worker)."""
            monkeypatch.setattr(outbox, "_publish", real_publish)
            app.conf.task_always_eager = True

        @staticmethod
        def stop():
            state["down"] = True

        @staticmethod
        def start():
            state["down"] = False

    return Broker


def test_a_message_is_written_in_the_callers_transaction(db, django_capture_on_commit_callbacks):
    user = f.UserFactory(email="a@example.cn")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        note = notifications.notify(recipient=user, kind="t", title="一")
        # Given the write and its message in one transaction: both are there before the commit
        assert OutboxMessage.objects.filter(key=f"notification-email:{note.pk}").exists()
    assert len(callbacks) == 1  # and publishing waits for the commit


def test_a_rolled_back_write_leaves_no_message(db):
    user = f.UserFactory(email="a@example.cn")
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(recipient=user, kind="t", title="一")
        raise RuntimeError("the business write failed")
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.filter(recipient=user).exists()


def test_the_same_key_is_recorded_once(db):
    assert outbox.enqueue(send_notification_email, 1, key="k") is not None
    assert outbox.enqueue(send_notification_email, 1, key="k") is None
    assert OutboxMessage.objects.filter(key="k").count() == 1


def test_eager_mode_runs_the_task_on_commit_as_delay_did(db, django_capture_on_commit_callbacks):
    user = f.UserFactory(email="a@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        note = notifications.notify(recipient=user, kind="t", title="候补转正")
    assert [m.subject for m in mail.outbox] == ["候补转正"]
    message = OutboxMessage.objects.get(key=f"notification-email:{note.pk}")
    assert message.dispatched_at is not None and message.attempts == 1
    # the relay finds nothing left to do
    assert outbox.relay(now=timezone.now() + LATER)["published"] == 0
    assert len(mail.outbox) == 1


def test_after_commit_the_message_is_published_once(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(send_notification_email, 7, key="email:7")
    assert broker.sent == [("core.tasks.send_notification_email", [7])]
    message.refresh_from_db()
    assert message.dispatched_at is not None and message.last_error == ""
    # neither a relay nor a second dispatch publishes it again
    assert outbox.relay(now=timezone.now() + LATER)["published"] == 0
    assert outbox.dispatch(message.pk) is False
    assert len(broker.sent) == 1


def test_with_the_broker_down_the_message_waits_and_the_relay_publishes_it_later(
    db, broker, django_capture_on_commit_callbacks
):
    broker.stop()
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(send_notification_email, 7, key="email:7")  # no exception
    message.refresh_from_db()
    assert message.dispatched_at is None and message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at > timezone.now()  # backoff: not before 15 s
    # While it is down the relay publishes nothing and keeps the row
    assert outbox.relay(now=timezone.now() + LATER) == {"published": 0, "failed": 1, "waiting": 0}
    # Once the broker is back the relay publishes it, once
    broker.start()
    assert outbox.relay(now=timezone.now() + LATER)["published"] == 1
    assert outbox.relay(now=timezone.now() + LATER)["published"] == 0
    assert broker.sent == [("core.tasks.send_notification_email", [7])]
    message.refresh_from_db()
    assert message.dispatched_at is not None and message.attempts == 3 and message.last_error == ""


def test_after_a_broker_error_the_process_leaves_new_messages_to_the_relay(
    db, broker, django_capture_on_commit_callbacks
):
    broker.stop()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue(send_notification_email, 1, key="a")
    broker.start()
    with django_capture_on_commit_callbacks(execute=True):
        second = outbox.enqueue(send_notification_email, 2, key="b")
    # the breaker is open: no second wait on a broker just seen down; the relay takes it
    assert broker.sent == []
    assert OutboxMessage.objects.get(pk=second.pk).attempts == 0
    assert outbox.relay()["published"] == 1  # the one never tried is due now; the failed one backs off
    assert outbox.relay(now=timezone.now() + LATER)["published"] == 1
    assert sorted(args for _, args in broker.sent) == [[1], [2]]


def test_a_message_of_an_unknown_task_does_not_hold_up_the_others(db, broker, monkeypatch):
    def publish(message, connection=None):
        if message.task == "nope":
            raise KeyError("nope")
        broker.sent.append((message.task, message.args))

    monkeypatch.setattr(outbox, "_publish", publish)
    with transaction.atomic():
        outbox.enqueue("nope", key="bad")
        outbox.enqueue(send_notification_email, 3, key="good")
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 2  # no commit in a db test
    result = outbox.relay()
    assert result["published"] == 1 and result["failed"] == 1
    assert OutboxMessage.objects.get(key="bad").dispatched_at is None


def test_backoff_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [15, 30, 60, 120]
    assert outbox.backoff(30) == dt.timedelta(hours=1)


def test_the_relay_reads_a_constant_number_of_queries(db, broker, django_assert_max_num_queries):
    with transaction.atomic():
        for n in range(30):
            outbox.enqueue(send_notification_email, n, key=f"k{n}")
    # savepoint; SELECT … FOR UPDATE SKIP LOCKED; one UPDATE of the published; release
    with django_assert_max_num_queries(4):
        assert outbox.relay()["published"] == 30


@pytest.mark.django_db(transaction=True)
def test_assigning_a_case_with_the_broker_down_answers_200_and_the_email_goes_later(broker, cast):
    """The issue's outage: the assignment is committed, the request answers 200 (it was a 500), and the
    email the assignee is owed is sent once the broker is back."""
    from rest_framework.test import APIClient

    cast.officer.email = "olga@example.cn"
    cast.officer.save(update_fields=["email"])
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLASSIFIED)
    client = APIClient()
    client.force_authenticate(cast.secretary)

    broker.stop()
    response = client.post(f"/api/v1/cases/{case.pk}/assign/", {"assignee": cast.officer.pk}, format="json")

    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.assignee_id == cast.officer.pk  # committed
    note = Notification.objects.get(recipient=cast.officer, kind="case_assigned")
    waiting = OutboxMessage.objects.get(key=f"notification-email:{note.pk}")
    assert waiting.dispatched_at is None and waiting.last_error

    # When the broker is back the relay hands the email over; the (eager) task sends it once
    broker.replace_by_eager_tasks()
    assert outbox.relay(now=timezone.now() + LATER)["published"] >= 1
    outbox.relay(now=timezone.now() + LATER)
    assert [m.to for m in mail.outbox] == [["olga@example.cn"]]


def test_the_command_relays_everything_undelivered_now(db, broker):
    from io import StringIO

    from django.core.management import call_command

    broker.stop()
    with transaction.atomic():
        outbox.enqueue(send_notification_email, 5, key="k5")
    outbox.relay()  # fails: backs off
    broker.start()
    out = StringIO()
    call_command("relay_outbox", "--now", stdout=out)
    assert broker.sent == [("core.tasks.send_notification_email", [5])]
    assert "已投递 1 条" in out.getvalue() and "仍待投递 0 条" in out.getvalue()


def test_published_messages_are_purged_after_their_period_and_undelivered_ones_stay(db, settings):
    from core import retention

    settings.OUTBOX_RETENTION_DAYS = 30
    now = timezone.now()
    old = OutboxMessage.objects.create(task="t", key="old", dispatched_at=now - dt.timedelta(days=31))
    recent = OutboxMessage.objects.create(task="t", key="recent", dispatched_at=now - dt.timedelta(days=29))
    waiting = OutboxMessage.objects.create(task="t", key="waiting", created_at=now - dt.timedelta(days=90))
    assert retention.purge_outbox(now=now) == {"outbox_messages": 1}
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
