"""The demo seed runs on a small factory-built town, fast, and leaves cases in every state and channel."""

import datetime as dt
import random
import time

from django.utils import timezone

from cases import demo
from cases.models import Case, Channel
from cases.states import CaseState
from members.models import OfficerSource
from members.roles import Role
from tests import factories as f


def _town():
    town = f.TownFactory(name="演示镇", code="demo")
    for n in range(2):
        community = f.CommunityFactory(town=town, name=f"演示社区{n}", code=f"demo{n}")
        compound = f.CompoundFactory(community=community, name=f"{n}号院")
        for b in range(3):
            f.BuildingFactory(community=community, compound=compound, name=f"{b + 1}号楼")
        secretary = f.UserFactory(username=f"sec{n}")
        f.RoleFactory(user=secretary, role=Role.SECRETARY, community=community)
        for m in range(2):
            user = f.UserFactory(username=f"mem{n}{m}")
            f.RoleFactory(user=user, role=Role.MEMBER, community=community)
            person = f.PersonFactory(community=community, user=user)
            f.MembershipFactory(person=person)
        deputy = f.UserFactory(username=f"dep{n}")
        f.RoleFactory(user=deputy, role=Role.DEPUTY, community=community)
        officer_user = f.UserFactory(username=f"off{n}")
        f.RoleFactory(user=officer_user, role=Role.OFFICER, community=community)
        f.OfficerFactory(
            community=community,
            person=f.PersonFactory(community=community, user=officer_user),
            source=OfficerSource.ACTIVIST,
            compound=compound,
        )
    return town


def test_seed_creates_cases_in_every_state_and_channel_quickly(db):
    town = _town()
    started = time.process_time()  # CPU time: robust to a busy CI machine running tests in parallel
    counts = demo.seed(town=town, rng=random.Random(7), today=timezone.localdate())
    elapsed = time.process_time() - started
    assert elapsed < 5, elapsed
    assert set(counts["by_state"]) == set(CaseState.values)
    assert set(counts["by_channel"]) == set(Channel.values)
    assert counts["cases"] == Case.objects.count()
    assert counts["mailboxes"] == 4 and counts["forums"] == 2 and counts["groups"] == 2
    # every case's timeline is an unbroken chain ending in its state
    for case in Case.objects.prefetch_related("events"):
        events = [e for e in case.events.all() if e.action != "group"]
        assert events[-1].to_state == case.state
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state


def test_the_demo_history_is_spread_over_the_past_weeks_not_stamped_at_seeding(db):
    town = _town()
    seeded_at = timezone.now()
    demo.seed(town=town, rng=random.Random(7), today=timezone.localdate())

    from cases.models import CaseEvent

    stamps = list(CaseEvent.objects.values_list("at", flat=True))
    assert all(at <= timezone.now() for at in stamps)
    # the pipeline's cases live in the past; what the channels seed (openings, diary, receptions) is recent
    assert sum(1 for at in stamps if at < seeded_at) > 0.6 * len(stamps)
    assert max(stamps) - min(stamps) > dt.timedelta(days=7)
    for case in Case.objects.prefetch_related("events"):
        ats = [e.at for e in case.events.all()]
        assert ats == sorted(ats)
        assert ats[0] >= case.received_at - dt.timedelta(seconds=1)


def test_cases_from_the_channels_are_registered_on_their_days_not_when_the_seed_runs(db):
    town = _town()
    seeded_at = timezone.now()
    demo.seed(town=town, rng=random.Random(7), today=timezone.localdate())

    born_elsewhere = Case.objects.filter(
        channel__in=[
            Channel.MAILBOX,
            Channel.OFFICER_VISIT,
            Channel.DEPUTY_RECEPTION,
            Channel.LEADER_RECEPTION,
            Channel.FORUM,
        ]
    ).prefetch_related("events")
    assert born_elsewhere.count() >= 10
    for case in born_elsewhere:
        # the opening, visit, reception or forum was on a past working day: so is the case and its first event
        assert case.received_at < seeded_at - dt.timedelta(hours=1), (case.channel, case.received_at)
        assert case.events.all()[0].at < seeded_at - dt.timedelta(hours=1)
