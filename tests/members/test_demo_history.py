"""The demo town's registrations carry a plausible history (submitted days before they were decided, over
the past weeks), not one timestamp for every row written by the seed."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from members.demo import seed_town
from members.models import Registration, RegistrationEvent, RegistrationStatus

pytestmark = pytest.mark.django_db


def test_registrations_and_their_events_are_stamped_across_the_past_weeks(without_cast):
    seeded_at = timezone.now()
    seed_town(rng=random.Random(7), people_per_community=20)

    submitted = list(
        RegistrationEvent.objects.filter(to_status=RegistrationStatus.SUBMITTED).values_list("at", flat=True)
    )
    assert len(submitted) > 10 and max(submitted) - min(submitted) > dt.timedelta(days=7)
    assert all(at < seeded_at for at in submitted)
    for registration in Registration.objects.prefetch_related("events"):
        events = list(registration.events.all())
        assert events[0].at == registration.submitted_at
        if registration.decided_at:
            assert events[-1].at == registration.decided_at > registration.submitted_at
