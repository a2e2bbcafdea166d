"""List endpoints and pages run a fixed number of queries, whatever the number of rows or the page size."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from volunteering.models import (
    ClaimStatus,
    ConductNote,
    GoodHandout,
    ProgrammeKind,
    RecordSource,
    RecordStatus,
    SignUpStatus,
    TeamMember,
)

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

API = "/api/v1/volunteering/"
NOW = at(2026, 3, 10, 9)


def make_posts(cast, n):
    for i in range(n):
        post = PostFactory(community=cast.beijie, capacity=3)
        ClaimFactory(post=post, status=ClaimStatus.APPROVED if i % 2 else ClaimStatus.PENDING)


def make_claims(cast, n):
    post = PostFactory(community=cast.beijie, capacity=100)
    for _ in range(n):
        ClaimFactory(post=post)


def make_team(cast, n):
    for _ in range(n):
        TeamMember.objects.create(
            community=cast.beijie,
            person=registered_member(cast.beijie, user=False),
            joined_on=dt.date(2026, 1, 5),
        )


def make_items(cast, n):
    post = PostFactory(community=cast.beijie)
    programme = ProgrammeFactory(community=cast.beijie)
    for i in range(n):
        item = ItemFactory(
            community=cast.beijie,
            post=post,
            programme=programme,
            starts_at=at(2026, 3, 20, 9) + dt.timedelta(days=i),
        )
        SignUpFactory(item=item)
        SignUpFactory(item=item, status=SignUpStatus.WAITLISTED)


def make_signups(cast, n):
    item = ItemFactory(community=cast.beijie, capacity=100, starts_at=at(2026, 3, 20, 9))
    for _ in range(n):
        SignUpFactory(item=item)


def make_records(cast, n):
    for i in range(n):
        RecordFactory(
            item=ItemFactory(community=cast.beijie, starts_at=at(2026, 2, 1, 9) + dt.timedelta(days=i)),
            recorded_by=cast.staff,
            approved_by=cast.secretary,
            source=RecordSource.SELF_REPORTED if i % 2 else RecordSource.ORGANISER,
        )


def make_programmes(cast, n):
    for _ in range(n):
        ProgrammeFactory(community=cast.beijie)


def make_pairings(cast, n):
    programme = ProgrammeFactory(community=cast.beijie)
    for _ in range(n):
        PairingFactory(programme=programme)


def make_goods(cast, n):
    programme = ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET)
    for _ in range(n):
        GoodFactory(programme=programme)


def make_handouts(cast, n):
    good = GoodFactory(
        programme=ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET),
        quantity_received=1000,
        quantity_left=1000,
    )
    for _ in range(n):
        GoodHandout.objects.create(
            good=good, recipient_name="困难户", quantity=1, handed_out_on=dt.date(2026, 3, 1)
        )


def make_skills(cast, n):
    programme = ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET)
    for _ in range(n):
        SkillFactory(programme=programme)


def make_notes(cast, n):
    for _ in range(n):
        ConductNote.objects.create(
            community=cast.beijie,
            person=cast.member_person,
            noted_on=dt.date(2026, 3, 1),
            note="情况",
            recorded_by=cast.secretary,
        )


def make_members_with_hours(cast, n):
    for i in range(n):
        person = registered_member(cast.beijie, user=False)
        RecordFactory(
            item=ItemFactory(community=cast.beijie, starts_at=at(2026, 2, 1, 9) + dt.timedelta(days=i)),
            person=person,
        )


def make_ledger_history(cast, n):
    from .factories import register

    if not cast.member_person.registrations.exists():
        register(cast.member_person, cast.beijie)
    for i in range(n):
        item = ItemFactory(community=cast.beijie, starts_at=at(2026, 1, 5, 9) + dt.timedelta(days=i))
        SignUpFactory(item=item, person=cast.member_person)
        RecordFactory(
            item=item,
            person=cast.member_person,
            recorded_by=cast.staff,
            status=RecordStatus.APPROVED if i % 3 else RecordStatus.PENDING,
        )
    PairingFactory(programme=ProgrammeFactory(community=cast.beijie), person=cast.member_person)


ENDPOINTS = [
    ("posts/", make_posts, "secretary", 10),
    ("posts/suggested/", make_posts, "member", 10),
    ("claims/", make_claims, "secretary", 10),
    ("team/", make_team, "secretary", 10),
    ("items/", make_items, "member", 10),
    ("signups/", make_signups, "secretary", 10),
    ("records/", make_records, "secretary", 10),
    ("programmes/", make_programmes, "secretary", 10),
    ("pairings/", make_pairings, "secretary", 10),
    ("goods/", make_goods, "member", 10),
    ("handouts/", make_handouts, "secretary", 10),
    ("skills/", make_skills, "officer", 10),
    ("conduct-notes/", make_notes, "secretary", 10),
    ("policies/", lambda cast, n: None, "town", 10),
    ("requirement/?year=2026", make_members_with_hours, "secretary", 10),
    ("ledgers/{person}/?year=2026", make_ledger_history, "secretary", 16),
]


def fresh(user):
    """Forget the per-request caches on the user object, so every measured request pays for its scope."""
    from members.roles import forget_scope

    forget_scope(user)
    # Django's permission caches (the 'full personal data' permission behind a masked phone, members.privacy):
    # a real request loads its user afresh, so it pays for them every time
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


def count_queries(client, url) -> tuple[int, int]:
    fresh(client.handler._force_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx), response


@pytest.mark.parametrize(("path", "make", "who", "bound"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_list_query_count_is_fixed_whatever_the_rows_and_page_size(cast, as_user, path, make, who, bound):
    url = API + path.format(person=cast.member_person.pk)
    sep = "&" if "?" in url else "?"
    with time_machine.travel(NOW, tick=False):
        make(cast, 5)
        few, _ = count_queries(as_user(who), url)
        make(cast, 25)
        many, response = count_queries(as_user(who), url + f"{sep}page_size=200")
        small_page, _ = count_queries(as_user(who), url + f"{sep}page_size=3")
    body = response.json()
    if isinstance(body, dict) and "count" in body and path != "policies/":
        assert body["count"] >= 30 or path.startswith("posts"), body["count"]
    assert few == many == small_page, (few, many, small_page)
    assert many <= bound, many


PAGES = [
    ("/volunteering/items/", make_items, "member", 16),
    ("/volunteering/posts/", make_posts, "secretary", 16),
    ("/volunteering/claims/?status=", make_claims, "secretary", 16),
    ("/volunteering/records/?status=", make_records, "secretary", 16),
    ("/volunteering/requirement/?behind=0", make_members_with_hours, "secretary", 16),
    ("/volunteering/ledger/{person}/?year=2026", make_ledger_history, "secretary", 22),
    ("/volunteering/dashboard/", make_items, "secretary", 22),
]


@pytest.mark.parametrize(("path", "make", "who", "bound"), PAGES, ids=[p[0] for p in PAGES])
def test_page_query_count_is_fixed_whatever_the_rows(cast, client, path, make, who, bound):
    url = path.format(person=cast.member_person.pk)
    client.force_login(getattr(cast, who))
    with time_machine.travel(NOW, tick=False):
        make(cast, 5)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        make(cast, 25)
        with CaptureQueriesContext(connection) as many:
            assert client.get(url).status_code == 200
    assert len(few) == len(many), [q["sql"][:120] for q in many.captured_queries]
    assert len(many) <= bound, len(many)
