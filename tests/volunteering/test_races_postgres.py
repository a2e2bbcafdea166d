"""Concurrency on PostgreSQL: row locks keep the capacity exact and the waitlist promotions distinct.

Run with DATABASE_URL=postgres://… (skipped on SQLite, which has no row locks)."""

import threading

import pytest
from django.db import connection

from volunteering import services
from volunteering.models import PostClaim, SignUp, SignUpStatus

from .factories import ItemFactory, PostFactory, SignUpFactory, at, registered_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(jobs):
    """Start every job at the same instant on its own thread (and its own connection)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_twenty_members_race_for_the_last_three_places(cast):
    item = ItemFactory(community=cast.beijie, capacity=5, starts_at=at(2030, 3, 14, 9))
    for _ in range(2):
        SignUpFactory(item=item, status=SignUpStatus.CONFIRMED, queued_at=at(2030, 3, 1, 9))
    people = [registered_member(cast.beijie) for _ in range(20)]

    results, errors = run_together(
        [lambda p=p: services.signup_create(item=item, person=p, by=p.user).status for p in people]
    )

    assert errors == []
    assert sorted(results).count("confirmed") == 3 and sorted(results).count("waitlisted") == 17
    rows = SignUp.objects.filter(item=item)
    assert rows.filter(status=SignUpStatus.CONFIRMED).count() == 5  # never above capacity
    assert rows.filter(status=SignUpStatus.WAITLISTED).count() == 17
    assert rows.count() == rows.values("person").distinct().count() == 22  # no duplicates


def test_the_same_member_tapping_twenty_times_signs_up_once(cast):
    item = ItemFactory(community=cast.beijie, capacity=5, starts_at=at(2030, 3, 14, 9))
    person = registered_member(cast.beijie)
    results, errors = run_together(
        [lambda: services.signup_create(item=item, person=person, by=person.user).pk for _ in range(20)]
    )
    assert len([r for r in results if r]) == 1
    assert all(getattr(e, "code", None) == "already_signed_up" for e in errors) and len(errors) == 19
    assert SignUp.objects.filter(item=item, person=person).count() == 1


def test_simultaneous_cancellations_promote_distinct_waiting_members(cast):
    item = ItemFactory(community=cast.beijie, capacity=3, starts_at=at(2030, 3, 14, 9))
    people = [registered_member(cast.beijie) for _ in range(6)]
    signups = [services.signup_create(item=item, person=p, by=p.user) for p in people]
    assert [s.status for s in signups] == ["confirmed"] * 3 + ["waitlisted"] * 3

    _, errors = run_together(
        [
            lambda s=s, p=p: services.signup_cancel(signup=s, by=p.user)
            for s, p in zip(signups[:3], people[:3], strict=True)
        ]
    )

    assert errors == []
    status = dict(SignUp.objects.filter(item=item).values_list("person_id", "status"))
    assert [status[p.pk] for p in people] == ["cancelled"] * 3 + ["confirmed"] * 3


def test_concurrent_claims_never_overfill_a_post(cast):
    post = PostFactory(community=cast.beijie, capacity=2)
    people = [registered_member(cast.beijie) for _ in range(10)]
    _, errors = run_together(
        [lambda p=p: services.claim_submit(post=post, person=p, by=p.user) for p in people]
    )
    assert len(errors) == 8 and all(e.code == "post_full" for e in errors)
    assert PostClaim.objects.filter(post=post).count() == 2
