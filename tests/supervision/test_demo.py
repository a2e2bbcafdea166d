"""The demo town shows orders in every state and a concluded staff complaint."""

import datetime as dt
import random
import zoneinfo

import time_machine

from cases import demo as cases_demo
from members.models import User
from members.roles import Role
from supervision import demo
from supervision.models import OrderState, StaffComplaint, StaffSanction, SupervisionOrder
from tests import factories as f
from tests.cases.test_demo import _town
from tests.supervision.support import D, promised_case

TODAY = dt.date(2026, 11, 18)  # a Wednesday


def test_the_demo_town_has_orders_in_every_state(db):
    with time_machine.travel(
        dt.datetime(2026, 11, 18, 7, 50, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False
    ):
        town = _town()
        for n, community in enumerate(town.communities.order_by("pk")):
            f.RoleFactory(
                user=f.UserFactory(username=f"dir{n}"), role=Role.OFFICE_DIRECTOR, community=community
            )
            f.RoleFactory(user=f.UserFactory(username=f"staff{n}"), role=Role.STAFF, community=community)
        f.RoleFactory(user=f.UserFactory(username="zhen_demo"), role=Role.TOWN_SUPERVISOR, town=town)
        cases_demo.seed(town=town, rng=random.Random(7), today=TODAY)
        # (a factory town is small: a few more cases overdue a week ago and now, as in the six-community town)
        community = town.communities.order_by("pk").first()
        secretary = User.objects.get(username="sec0")
        for registered, days in [(D(2026, 10, 26), 5)] * 3 + [(D(2026, 11, 9), 3)] * 3:
            promised_case(community, registered=registered, days=days, by=secretary, worker=secretary)
        counts = demo.seed(town=town, rng=random.Random(7), today=TODAY)
    assert counts["orders"] >= 4
    assert {s for s, n in counts["by_state"].items() if n} == set(OrderState.values)
    assert SupervisionOrder.objects.filter(level__gt=1).exists()
    assert StaffComplaint.objects.count() == 2 and StaffSanction.objects.count() == 1
