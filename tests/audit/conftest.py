import pytest

from core.models import AccessLog, AuditEvent

AUDIT_MIDDLEWARE = "core.audit.AuditContextMiddleware"


@pytest.fixture(autouse=True)
def _audit_middleware(settings):
    """The audit middleware sits right after AuthenticationMiddleware (as in config/settings.py)."""
    if AUDIT_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(
            middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, AUDIT_MIDDLEWARE
        )
        settings.MIDDLEWARE = middleware


@pytest.fixture(autouse=True)
def _fresh_throttles():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def mark() -> int:
    """The newest audit row now: `events(after=mark())` then sees only what the test did next (the trail
    cannot be emptied — it is append-only, on PostgreSQL down to a trigger)."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events(after: int = 0, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=after, **filters).order_by("pk"))


def accesses(**filters) -> list[AccessLog]:
    return list(AccessLog.objects.filter(**filters).order_by("pk"))
