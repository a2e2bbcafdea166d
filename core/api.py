"""API conventions shared by every app: one error shape, one pagination, tenant-scoped viewsets.

Error shape (every 4xx from every endpoint):
    {"error": {"code": "invalid", "message": "...", "fields": {"field": ["..."], ...}}}
An unexpected exception is logged with its traceback and answered with no details but the request id:
    {"error": {"code": "server_error", "message": "...", "fields": {}, "request_id": "..."}}
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, filters, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import DomainError
from .security import current_request_id, without_surrogates

logger = logging.getLogger("core.api")


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# The primary key's names in an ordering; a list that already ends on one of them is deterministic.
TIE_BREAKERS = {"pk", "-pk", "id", "-id"}


class StableOrderingFilter(filters.OrderingFilter):
    """DRF's `?ordering=`, plus the primary key as the last key whenever the order has none: pages of a
    list sorted by a field many rows share (a date, a status) must not repeat or skip rows. The tie-breaker
    runs the way the last key does. Every list declares `ordering_fields` and a default `ordering` that
    ends on the key itself (tests/architecture/test_list_views.py)."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or TIE_BREAKERS.intersection(ordering):
            return ordering
        last = ordering[-1]
        return [*ordering, "-pk" if isinstance(last, str) and last.startswith("-") else "pk"]


def _django_validation_to_fields(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
        if exc.allowed is not None:
            body["error"]["allowed"] = exc.allowed
        return Response(without_surrogates(body), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_to_fields(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()

    response = drf_exception_handler(exc, context)
    if response is None:
        return server_error_response(exc, context)
    detail = response.data
    fields: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        message = "提交的数据有误"
        first = next(iter(fields.values()), None)
        if first:
            message = f"{message}: {first[0] if isinstance(first, list) else first}"
        code = "invalid"
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
        code = getattr(getattr(exc, "detail", None), "code", None) or exc.default_code
    response.data = without_surrogates({"error": {"code": code, "message": message, "fields": fields}})
    return response


def server_error_response(exc, context):
    """A bug: log the traceback (the log line carries the request id), roll back, tell the client only the id."""
    request = context.get("request")
    logger.error(
        "Unhandled API error: %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    set_rollback()
    return Response(
        {
            "error": {
                "code": "server_error",
                "message": "服务器出错了，请稍后再试",
                "fields": {},
                "request_id": current_request_id(),
            }
        },
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


class ScopedQuerysetMixin:
    """Every API view starts from `Model.objects.visible_to(user)`; nothing filters by tenant by hand.

    An object outside the user's scope is therefore simply absent: 404 on detail, missing from lists.
    """

    def get_queryset(self):
        qs = self.queryset.model.objects.visible_to(self.request.user)
        return self.optimise(qs)

    def optimise(self, qs):
        return qs


# The largest primary key a BigAutoField can hold. An id list checked against it is a 400 naming the field;
# unchecked, SQLite cannot even bind a larger int in ``pk__in`` (OverflowError, a 500).
MAX_ID = 2**63 - 1


class IdListField(serializers.ListField):
    """A list of object ids from a client: positive, in range, at most ``max_length`` (500 by default)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs["child"] = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        super().__init__(**kwargs)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField whose choices are what the requesting user may see.

    A foreign object's id is rejected as "does not exist" (400) exactly like a missing one, so a client
    can neither tell them apart nor attach another tenant's object.
    """

    def __init__(self, model=None, **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.all() if model is not None else None)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        qs = super().get_queryset()
        if request is None:
            return qs.none()
        return qs.model.objects.visible_to(request.user)
