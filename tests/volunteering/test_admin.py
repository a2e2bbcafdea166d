"""The admin lists every volunteering model with search and filters, through `visible_to`."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories as f
from volunteering import models as m

from .factories import (
    GoodFactory,
    ItemFactory,
    PairingFactory,
    PostFactory,
    RecordFactory,
    SignUpFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

VOLUNTEERING_MODELS = [model for model in admin.site._registry if model._meta.app_label == "volunteering"]


def test_every_volunteering_model_is_in_the_admin_with_search_and_filters():
    registered = {model.__name__ for model in VOLUNTEERING_MODELS}
    defined = {
        model.__name__
        for model in m.__dict__.values()
        if isinstance(model, type)
        and issubclass(model, m.models.Model)
        and not model._meta.abstract
        and model._meta.app_label == "volunteering"
    }
    assert registered == defined
    for model in VOLUNTEERING_MODELS:
        model_admin = admin.site._registry[model]
        assert model_admin.search_fields and model_admin.list_filter, model.__name__


def test_admin_lists_render_with_a_search_and_a_filter(cast, client):
    item = ItemFactory(community=cast.beijie, organiser=cast.staff, post=PostFactory(community=cast.beijie))
    SignUpFactory(item=item)
    RecordFactory(item=item)
    GoodFactory(programme__community=cast.beijie)
    SkillFactory(programme__community=cast.beijie)
    PairingFactory(programme__community=cast.beijie)
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    for model in VOLUNTEERING_MODELS:
        url = reverse(f"admin:volunteering_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "北"})
        assert response.status_code == 200, (model.__name__, response.status_code)
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:volunteering_{model._meta.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, model.__name__
