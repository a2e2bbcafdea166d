"""Buildings are listed in natural order (1号楼, 2号楼, …, 18号楼), not as text (1号楼, 18号楼, 2号楼), by the
database itself — in selects, lists and the API alike."""

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Building
from tests import factories as f

pytestmark = pytest.mark.django_db

NAMES = ["18号楼", "2号楼", "A座", "10号楼", "3-1号楼", "102号楼"]
NATURAL = ["1号楼", "2号楼", "3-1号楼", "10号楼", "18号楼", "102号楼", "A座"]  # 1号楼 is the cast's


def test_the_database_orders_buildings_naturally(cast):
    for name in NAMES:
        f.BuildingFactory(community=cast.changcheng, name=name)

    assert list(Building.objects.filter(community=cast.changcheng).values_list("name", flat=True)) == NATURAL


def test_the_intake_select_lists_buildings_naturally(cast):
    for name in NAMES:
        f.BuildingFactory(community=cast.changcheng, name=name)
    client = Client()
    client.force_login(cast.other_secretary)

    html = client.get(reverse("cases:intake")).content.decode()

    positions = [
        html.index(f">长城社区 {name}<") if f">长城社区 {name}<" in html else html.index(f">{name}<")
        for name in NATURAL
    ]
    assert positions == sorted(positions)


@pytest.mark.postgres
def test_postgresql_orders_them_the_same_way(cast):
    test_the_database_orders_buildings_naturally(cast)
