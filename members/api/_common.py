"""Shared pieces of the members API: who may create, the employer liaison's feedback-sheet shapes and the
reads that pick a shape per row."""

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.response import Response

from core.api import StableOrderingFilter

from .. import privacy
from ..permissions import is_office_anywhere
from ..privacy import EMPLOYER_FEEDBACK_FIELDS
from ..roles import scope_for


class OfficeCreates(permissions.IsAuthenticated):
    """Creating places, people, officers and zones is the work of a community office (or a town supervisor).

    A login that runs no office at all is refused with 403 before its payload is read, rather than told that
    the community it named "does not exist". Managers of another community still get that 400 for a foreign
    id, like a missing one; changes to existing objects are checked by the services (403) after the object
    lookup (404 for what the user cannot see).
    """

    message = "只有社区或镇的管理人员可以执行此操作"
    # RegistrationViewSet: a member with a person row submits their own registration.
    allow_person = False

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if getattr(view, "action", None) != "create":
            return True
        scope = scope_for(request.user)
        return is_office_anywhere(scope) or (self.allow_person and bool(scope.person_id))


class OfficeOrSelfCreates(OfficeCreates):
    allow_person = True


class FeedbackSheetOrderingFilter(StableOrderingFilter):
    """Sorting by a field the feedback sheet does not carry would hint at it (who moved, by the transfer
    link): a user with an employer role sorts by the declared fields only (members.privacy)."""

    def get_valid_fields(self, queryset, view, context=None):
        valid = super().get_valid_fields(queryset, view, context or {})
        if privacy.has_employer_view(view.request.user):
            valid = [(name, label) for name, label in valid if name in privacy.EMPLOYER_FEEDBACK_FIELDS]
        return valid


class ReadsByRole:
    """Reads of people and registrations: a row the user sees only as the member's employer (an employer
    liaison) goes out through `employer_serializer_class`, the feedback sheet's fields; every other row
    through the view's own serializer, as before. Chosen per row (members.privacy.reads_as_employer), so a
    login that is both a community office and a liaison gets each row as the role it sees it by."""

    employer_serializer_class = None

    def row_owner(self, obj) -> dict:
        raise NotImplementedError

    def read_data(self, rows, *, many: bool):
        rows = list(rows) if many else [rows]
        as_employer = [privacy.reads_as_employer(self.request.user, **self.row_owner(r)) for r in rows]
        shaped = {}  # serializer class → its rows' data, each serialized in one go (many=True)
        for serializer_class, wanted in (
            (self.get_serializer_class(), False),
            (self.employer_serializer_class, True),
        ):
            subset = [r for r, e in zip(rows, as_employer, strict=True) if e is wanted]
            if subset:
                context = self.get_serializer_context()
                shaped[wanted] = iter(serializer_class(subset, many=True, context=context).data)
        data = [next(shaped[e]) for e in as_employer]
        return data if many else data[0]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.read_data(page, many=True))
        return Response(self.read_data(queryset, many=True))


class EmployerFeedbackSerializer(serializers.ModelSerializer):
    """Base of what an employer liaison reads (members.privacy.EMPLOYER_FEEDBACK_FIELDS): read-only, and a
    subclass naming a field that is not declared there fails at import, before it can serve a response."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        undeclared = [name for name in cls.Meta.fields if name not in EMPLOYER_FEEDBACK_FIELDS]
        if undeclared:
            raise ImproperlyConfigured(
                f"{cls.__name__}: {', '.join(undeclared)} not on the feedback sheet "
                "(members.privacy.EMPLOYER_FEEDBACK_FIELDS)"
            )


class EmployerFeedbackSchema(OpenApiSerializerExtension):
    """In the schema these shapes are closed (additionalProperties: false): they list all a liaison gets,
    and the office's fuller shape of the same object, documented beside them (oneOf), does not match them."""

    target_class = EmployerFeedbackSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


BY_ROLE_NOTE = "An employer liaison gets the feedback sheet's fields only (the second shape)."


def shapes_by_role(component_name: str, office, employer) -> PolymorphicProxySerializer:
    """What a ReadsByRole view answers, in the schema: the office's (and the town's) shape, or the
    liaison's (`EmployerFeedbackSerializer`, closed), as a oneOf."""
    return PolymorphicProxySerializer(
        component_name=component_name, serializers=[office, employer], resource_type_field_name=None
    )


def reads_documented_by_role(shapes: PolymorphicProxySerializer):
    """Class decorator of a ReadsByRole viewset: its list and detail answer `shapes`."""
    return extend_schema_view(
        list=extend_schema(responses=shapes, description=BY_ROLE_NOTE),
        retrieve=extend_schema(responses=shapes, description=BY_ROLE_NOTE),
    )
