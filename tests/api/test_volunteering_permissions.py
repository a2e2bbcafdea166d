"""Every volunteering API route × every persona of the cast, with the exact status expected.

Reading the table: the community office (secretary, staff, director) manages; the town supervisor reads and
gets 403 on writes; the member acts for themself; the officer and deputy read the community's posts,
items and programmes only; every persona of another community, employer or none gets 404 on 北街's
objects (or 400 when naming one in a request body: "does not exist"), and 403 on office-only lists.

Each persona's request runs in a savepoint that is rolled back, so all of them meet the same world.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from rest_framework.test import APIClient

from tests import matrix
from tests.conftest import ROLE_NAMES, home_communities
from tests.personas import world_per_module
from tests.volunteering.factories import (
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
    register,
    registered_member,
)
from volunteering import checkin
from volunteering.models import (
    ConductNote,
    DonatedGood,
    GoodHandout,
    Pairing,
    PostClaim,
    Programme,
    ProgrammeKind,
    RecordSource,
    RecordStatus,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SkillListing,
    TeamMember,
)

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 14, 9, 10)  # Saturday morning, ten minutes into today's item
API = "/api/v1/volunteering/"

OFFICE = ("secretary", "staff", "director")
OUTSIDE = ("other_secretary", "other_town", "liaison", "other_liaison", "outsider")


def E(office, town, member, reader, outside, anonymous=403, **overrides) -> dict:
    """Expected status per persona: `reader` is the officer and the deputy; `outside` every persona of
    another community, another town, an employer, or none."""
    expected = {name: office for name in OFFICE}
    expected.update(town=town, member=member, officer=reader, deputy=reader, anonymous=anonymous)
    expected.update({name: outside for name in OUTSIDE})
    expected.update(overrides)
    assert set(expected) == set(ROLE_NAMES)
    return expected


ALL_200 = E(200, 200, 200, 200, 200)
SEEN_IN_COMMUNITY = E(200, 200, 200, 200, 404)
OWN_ROW = E(200, 200, 200, 404, 404)  # a member's own row: office, town, the member
OTHERS_ROW = E(200, 200, 404, 404, 404)  # another member's row
OFFICE_WRITE = E(200, 403, 403, 403, 404)  # changing a community-wide object
OFFICE_WRITE_PERSONAL = E(200, 403, 404, 404, 404)  # deciding on another member's row
OFFICE_CREATE = E(201, 403, 403, 403, 403, other_secretary=400)
OFFICE_ONLY_LIST = E(200, 403, 403, 403, 403, other_secretary=200)
OFFICE_ONLY_DETAIL = E(200, 403, 403, 403, 403, other_secretary=404)
TOWN_AND_OFFICE = E(200, 200, 403, 403, 403, other_secretary=404, other_town=404)


def build_world(cast):
    """北街's volunteering as it stands on the morning of 14 March 2026."""
    with time_machine.travel(NOW, tick=False):
        register(cast.member_person, cast.beijie)
        other = registered_member(cast.beijie)
        post = PostFactory(community=cast.beijie, capacity=5)
        today = ItemFactory(
            community=cast.beijie,
            starts_at=at(2026, 3, 14, 9),
            ends_at=at(2026, 3, 14, 11),
            organiser=cast.staff,
            post=post,
        )
        SignUpFactory(item=today, person=cast.member_person, checked_in_at=at(2026, 3, 14, 9, 5))
        upcoming = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 20, 9))
        later = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 21, 9))
        past = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 7, 9), ends_at=at(2026, 3, 7, 11))
        shop = ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET, name="爱心超市")
        good = GoodFactory(programme=shop)
        w = SimpleNamespace(
            beijie=cast.beijie.pk,
            member_person=cast.member_person.pk,
            post=post.pk,
            today=today.pk,
            upcoming=upcoming.pk,
            past=past.pk,
            programme=shop.pk,
            good=good.pk,
            claim=ClaimFactory(post=post, person=other).pk,
            team=TeamMember.objects.create(
                community=cast.beijie, person=other, joined_on=dt.date(2026, 1, 9)
            ).pk,
            later_signup=SignUpFactory(item=later, person=cast.member_person).pk,
            pending_record=RecordFactory(
                item=past, person=other, status=RecordStatus.PENDING, source=RecordSource.SELF_REPORTED
            ).pk,
            approved_record=RecordFactory(
                item=ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 1, 9)), person=other
            ).pk,
            note=ConductNote.objects.create(
                community=cast.beijie,
                person=cast.member_person,
                noted_on=dt.date(2026, 3, 1),
                note="热心邻里事务",
            ).pk,
            pairing=PairingFactory(programme=shop, person=cast.member_person).pk,
            handout=GoodHandout.objects.create(
                good=good, recipient_name="困难户", quantity=1, handed_out_on=dt.date(2026, 3, 2)
            ).pk,
            skill=SkillFactory(programme=shop, person=cast.member_person).pk,
            token=checkin.make_token(today),
        )
    return w


module_world, world = world_per_module(build_world)  # built once, fresh for each test


def item_body(w):
    return {
        "community": w.beijie,
        "title": "清扫楼道",
        "place": "3号楼",
        "capacity": 4,
        "starts_at": "2026-03-28T09:00:00+08:00",
        "ends_at": "2026-03-28T11:00:00+08:00",
    }


ROUTES = [
    # posts
    ("get", "posts/", None, ALL_200),
    ("get", "posts/{post}/", None, SEEN_IN_COMMUNITY),
    ("get", "posts/suggested/", None, ALL_200),
    ("post", "posts/", lambda w: {"community": w.beijie, "name": "新岗位", "capacity": 3}, OFFICE_CREATE),
    ("patch", "posts/{post}/", {"capacity": 6}, OFFICE_WRITE),
    # claims and the team
    ("get", "claims/", None, ALL_200),
    ("get", "claims/{claim}/", None, OTHERS_ROW),
    ("post", "claims/", lambda w: {"post": w.post, "person": w.member_person}, E(201, 403, 201, 400, 400)),
    ("post", "claims/{claim}/approve/", {}, OFFICE_WRITE_PERSONAL),
    ("post", "claims/{claim}/decline/", {"reason": "岗位已满"}, OFFICE_WRITE_PERSONAL),
    ("post", "claims/{claim}/withdraw/", {}, OFFICE_WRITE_PERSONAL),
    ("get", "team/", None, ALL_200),
    ("get", "team/{team}/", None, OTHERS_ROW),
    (
        "post",
        "team/",
        lambda w: {"community": w.beijie, "person": w.member_person},
        E(201, 403, 201, 400, 400),
    ),
    # items
    ("get", "items/", None, ALL_200),
    ("get", "items/{today}/", None, SEEN_IN_COMMUNITY),
    ("post", "items/", item_body, OFFICE_CREATE),
    ("patch", "items/{upcoming}/", {"title": "新标题"}, OFFICE_WRITE),
    ("post", "items/{upcoming}/cancel/", {"reason": "天气原因"}, OFFICE_WRITE),
    ("post", "items/{upcoming}/sign-up/", lambda w: {"person": w.member_person}, E(201, 403, 201, 400, 404)),
    ("post", "items/{today}/check-in/", lambda w: {"token": w.token}, E(400, 400, 200, 400, 404)),
    ("post", "items/{today}/check-out/", lambda w: {"token": w.token}, E(400, 400, 200, 400, 404)),
    ("post", "items/check-in/", lambda w: {"token": w.token}, E(400, 400, 200, 400, 400)),
    ("get", "items/{today}/checkin-code/", None, OFFICE_WRITE),
    ("post", "items/{today}/rotate-code/", {}, E(204, 403, 403, 403, 404)),
    (
        "post",
        "items/{today}/attendance/",
        lambda w: {
            "person": w.member_person,
            "started_at": "2026-03-14T09:00:00+08:00",
            "ended_at": "2026-03-14T09:10:00+08:00",
        },
        E(201, 403, 403, 403, 404),
    ),
    ("get", "items/{today}/ics/", None, SEEN_IN_COMMUNITY),
    ("get", "items/calendar-link/", None, E(403, 403, 200, 403, 403, officer=200)),
    # sign-ups
    ("get", "signups/", None, ALL_200),
    ("get", "signups/{later_signup}/", None, OWN_ROW),
    ("post", "signups/{later_signup}/cancel/", {}, E(200, 403, 200, 404, 404)),
    # hours
    ("get", "records/", None, ALL_200),
    ("get", "records/{pending_record}/", None, OTHERS_ROW),
    (
        "post",
        "records/",
        lambda w: {
            "item": w.past,
            "started_at": "2026-03-07T09:00:00+08:00",
            "ended_at": "2026-03-07T10:00:00+08:00",
            "content": "巡逻",
        },
        E(403, 403, 201, 403, 400),
    ),
    ("post", "records/{pending_record}/approve/", {}, OFFICE_WRITE_PERSONAL),
    ("post", "records/{pending_record}/reject/", {"reason": "未见本人"}, OFFICE_WRITE_PERSONAL),
    ("post", "records/{approved_record}/evaluate/", {"evaluation": "good"}, OFFICE_WRITE_PERSONAL),
    ("post", "records/{approved_record}/cancel/", {"reason": "虚报"}, OFFICE_WRITE_PERSONAL),
    # the yearly requirement and the ledger
    ("get", "policies/", None, ALL_200),
    ("get", "policies/{beijie}/", None, SEEN_IN_COMMUNITY),
    ("put", "policies/{beijie}/", {"min_items": 2, "target_items": 3}, OFFICE_WRITE),
    ("get", "requirement/?community={beijie}", None, TOWN_AND_OFFICE),
    ("get", "ledgers/{member_person}/", None, OWN_ROW),
    ("get", "ledgers/export/?community={beijie}", None, TOWN_AND_OFFICE),
    # conduct outside working hours: the branch only
    ("get", "conduct-notes/", None, OFFICE_ONLY_LIST),
    ("get", "conduct-notes/{note}/", None, OFFICE_ONLY_DETAIL),
    (
        "post",
        "conduct-notes/",
        lambda w: {
            "community": w.beijie,
            "person": w.member_person,
            "noted_on": "2026-03-10",
            "note": "主动调解邻里纠纷",
        },
        OFFICE_CREATE,
    ),
    # featured programmes
    ("get", "programmes/", None, ALL_200),
    ("get", "programmes/{programme}/", None, SEEN_IN_COMMUNITY),
    (
        "post",
        "programmes/",
        lambda w: {"community": w.beijie, "name": "和事佬协会", "kind": "mediation"},
        OFFICE_CREATE,
    ),
    ("patch", "programmes/{programme}/", {"description": "每周三开放"}, OFFICE_WRITE),
    ("get", "pairings/", None, ALL_200),
    ("get", "pairings/{pairing}/", None, OWN_ROW),
    (
        "post",
        "pairings/",
        lambda w: {
            "programme": w.programme,
            "person": w.member_person,
            "household": "赵奶奶",
            "started_on": "2026-03-14",
        },
        OFFICE_CREATE,
    ),
    ("post", "pairings/{pairing}/end/", {}, E(200, 403, 403, 404, 404)),
    ("get", "goods/", None, ALL_200),
    ("get", "goods/{good}/", None, SEEN_IN_COMMUNITY),
    (
        "post",
        "goods/",
        lambda w: {
            "programme": w.programme,
            "name": "书包",
            "category": "schoolbags",
            "quantity": 3,
            "received_on": "2026-03-14",
        },
        OFFICE_CREATE,
    ),
    (
        "post",
        "goods/{good}/hand-out/",
        {"recipient_name": "困难户", "quantity": 1},
        E(201, 403, 403, 403, 404),
    ),
    ("get", "handouts/", None, OFFICE_ONLY_LIST),
    ("get", "handouts/{handout}/", None, OFFICE_ONLY_DETAIL),
    ("get", "skills/", None, ALL_200),
    ("get", "skills/{skill}/", None, SEEN_IN_COMMUNITY),
    (
        "post",
        "skills/",
        lambda w: {"programme": w.programme, "person": w.member_person, "skill": "医疗救助"},
        E(201, 403, 201, 400, 400),
    ),
    ("post", "skills/{skill}/withdraw/", {}, E(200, 403, 200, 403, 404)),
]


def covered_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route in the table, for tests/security/test_matrix_coverage.py."""
    return matrix.covered_operations(API, ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=[matrix.route_id(r) for r in ROUTES])
def test_volunteering_route_answers_each_persona_as_expected(cast, world, route):
    assert matrix.answers(cast, world, route, api=API, now=NOW) == route[3]


# list → the model of its rows and the lookup from a row to its community (None: rows are per community,
# named by their "community" field)
LISTS = {
    "posts/": (ServicePost, "community_id"),
    "claims/": (PostClaim, "post__community_id"),
    "team/": (TeamMember, "community_id"),
    "items/": (ServiceItem, "community_id"),
    "signups/": (SignUp, "item__community_id"),
    "records/": (ServiceRecord, "item__community_id"),
    "programmes/": (Programme, "community_id"),
    "pairings/": (Pairing, "programme__community_id"),
    "goods/": (DonatedGood, "programme__community_id"),
    "skills/": (SkillListing, "programme__community_id"),
    "policies/": (None, "community"),
    "conduct-notes/": (ConductNote, "community_id"),
    "handouts/": (GoodHandout, "good__programme__community_id"),
}


@pytest.fixture
def changcheng(cast, world):
    """长城's counterpart of each listed row, next to 北街's (`world`), so a list that crosses over shows it."""
    with time_machine.travel(NOW, tick=False):
        person = registered_member(cast.changcheng)
        post = PostFactory(community=cast.changcheng)
        ClaimFactory(post=post, person=person)
        TeamMember.objects.create(community=cast.changcheng, person=person, joined_on=dt.date(2026, 1, 9))
        SignUpFactory(
            item=ItemFactory(community=cast.changcheng, starts_at=at(2026, 3, 20, 9)), person=person
        )
        RecordFactory(item=ItemFactory(community=cast.changcheng, starts_at=at(2026, 3, 7, 9)), person=person)
        shop = ProgrammeFactory(community=cast.changcheng, kind=ProgrammeKind.LOVE_SUPERMARKET)
        PairingFactory(programme=shop, person=person)
        good = GoodFactory(programme=shop)
        GoodHandout.objects.create(
            good=good, recipient_name="低保户", quantity=1, handed_out_on=dt.date(2026, 3, 3)
        )
        SkillFactory(programme=shop, person=person)
        ConductNote.objects.create(
            community=cast.changcheng, person=person, noted_on=dt.date(2026, 3, 2), note="参与巡逻"
        )


@pytest.mark.parametrize("path", list(LISTS))
def test_no_list_shows_a_row_of_a_community_outside_the_personas_own(cast, world, changcheng, path):
    """Each persona's list holds rows of its own community (or its town's) only; a 403 shows no rows."""
    home = home_communities(cast)
    seen_anywhere = set()
    with time_machine.travel(NOW, tick=False):
        for name, rows in matrix.listed_rows(cast, API + path).items():
            communities = matrix.row_communities(rows, *LISTS[path])
            assert communities <= home[name], (name, path, communities)
            seen_anywhere |= communities
    # both communities' rows exist and are listed to someone, so a leak of either would have shown
    assert seen_anywhere >= {cast.beijie.pk, cast.changcheng.pk}


def test_a_member_sees_only_their_own_rows_in_personal_lists(cast, world):
    client = APIClient()
    client.force_authenticate(cast.member)
    with time_machine.travel(NOW, tick=False):
        for path in ("claims/", "signups/", "records/", "pairings/", "team/"):
            people = {r["person"] for r in client.get(API + path).json()["results"]}
            assert people <= {cast.member_person.pk}, path
