"""A masked number must not be recoverable by sorting, filtering or searching on it.

Staff who see 技能名录 phones as 139****1234 could sort by `?ordering=-contact_phone` and learn the order of
the hidden digits (and, listing a few numbers of their own, the digits themselves); a filter or a search on
the field would confirm a guessed number one try at a time. So no API view sorts, filters or searches by a
personal number — unless it searches the number through `members.privacy.number_search_q`, which matches
only where the user sees numbers in full (the people list).

The guard walks every GET operation of the OpenAPI schema (every list, and every detail and action too:
`get_object()` runs the same filter backends, so `?search=` on a detail is a yes/no oracle as well) and
reads each view's ordering, filter and search configuration as DRF applies it: `ordering_fields` (left
undeclared, DRF sorts by every readable serializer field; `"__all__"` is every model field), the filterset's
`base_filters` and `search_fields`, each lookup followed through the models to the field it reaches."""

import ast
import inspect
import re
import textwrap

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.settings import spectacular_settings
from rest_framework import generics, viewsets
from rest_framework.filters import OrderingFilter, SearchFilter

from core.retention import PERSONAL_DATA_KEPT
from tests.volunteering.factories import ProgrammeFactory, SkillFactory, registered_member
from volunteering.models import ProgrammeKind, SkillListing

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("members", "volunteering", "cases", "evaluations", "core")

# ------------------------------------------------------------------------------ the personal numbers

NUMBER_NAME = re.compile(r"phone|mobile|id_number|id_no\b|id_card", re.IGNORECASE)

# Numbers that look personal by name but are an office's public number, never masked (core.retention keeps
# them with that reason in PERSONAL_DATA_KEPT).
OFFICE_NUMBERS = {"members.Community.phone", "members.Employer.contact_phone"}


def _label(field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def personal_number_fields() -> set[str]:
    """ "app.Model.field" of every personal phone or ID number: the project's CharFields named like one,
    and every field an admin masks through members.privacy (MaskedPersonalDataAdminMixin.masked_fields)."""
    found = {
        _label(field)
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and NUMBER_NAME.search(field.name)
    }
    for model, model_admin in admin.site._registry.items():
        for name in getattr(model_admin, "masked_fields", {}):
            found.add(_label(model._meta.get_field(name)))
    return found - OFFICE_NUMBERS


def test_the_personal_numbers_are_the_ones_members_privacy_masks():
    numbers = personal_number_fields()
    assert {
        "members.Person.mobile",
        "members.Person.id_number",
        "members.User.mobile",
        "volunteering.SkillListing.contact_phone",
        "cases.Case.resident_phone",
        "cases.ReceptionItem.visitor_phone",
    } <= numbers
    # an office number left out is a deliberate, documented decision
    assert set(PERSONAL_DATA_KEPT) >= OFFICE_NUMBERS


# ------------------------------------------------------------------------------ reading a view's config


def _reached_field(model, path: str):
    """The model field a lookup path (`person__mobile__icontains`) reaches, or None (an annotation …)."""
    field = None
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return field  # a lookup (icontains, gte …) on the field reached so far, or nothing
        if field.is_relation and field.related_model is not None and i < len(parts) - 1:
            model = field.related_model
    return field


def _names_a_number(model, path: str, numbers: set[str]) -> bool:
    field = _reached_field(model, path)
    if field is not None and hasattr(field, "model") and not field.is_relation:
        return _label(field) in numbers
    # not a plain model field (an annotation, a method filter's name): judge by the name
    return any(NUMBER_NAME.search(part) for part in path.split("__"))


def _ordering_paths(view, model) -> list[str]:
    backend = next((b for b in view.filter_backends if issubclass(b, OrderingFilter)), None)
    if backend is None:
        return []
    declared = getattr(view, "ordering_fields", None)
    every_field = [f.name for f in model._meta.concrete_fields]
    if declared == "__all__":
        return every_field
    if declared is not None:
        return list(declared)
    try:  # DRF's default: every readable field of the view's serializer
        fields = backend().get_default_valid_fields(
            model._default_manager.none(), view, {"request": view.request}
        )
        return [name for name, _label_ in fields]
    except Exception:  # a serializer chosen per user: count every model field
        return every_field


def _filter_paths(view, model) -> list[tuple[str, object]]:
    backend = next((b for b in view.filter_backends if issubclass(b, DjangoFilterBackend)), None)
    if backend is None:
        return []
    filterset_class = backend().get_filterset_class(view, model._default_manager.none())
    if filterset_class is None:
        return []
    out = []
    for name, declared in filterset_class.base_filters.items():
        method = declared.method
        if isinstance(method, str):
            method = getattr(filterset_class, method, None)
        out += [(name, method), (declared.field_name, method)]
    return out


def _search_paths(view) -> tuple[list[str], type | None]:
    backend = next((b for b in view.filter_backends if issubclass(b, SearchFilter)), None)
    if backend is None:
        return [], None
    return [field.lstrip("^=@$") for field in getattr(view, "search_fields", None) or []], backend


def _reaches_number_search_q(func, depth: int = 2) -> bool:
    """Whether `func` (or a function it calls, `depth` calls deep) matches numbers through
    members.privacy.number_search_q — the documented way a number may be searched."""
    if func is None or depth < 0:
        return False
    func = inspect.unwrap(getattr(func, "__func__", func))
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return False
    if "number_search_q" in source:
        return True
    names = getattr(func, "__globals__", {})
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            target = node.func
            chain = []
            while isinstance(target, ast.Attribute):
                chain.append(target.attr)
                target = target.value
            if not isinstance(target, ast.Name) or target.id not in names:
                continue
            obj = names[target.id]
            for attr in reversed(chain):
                obj = getattr(obj, attr, None)
            if inspect.isfunction(obj) and _reaches_number_search_q(obj, depth - 1):
                return True
    return False


def holes(view, numbers: set[str]) -> list[str]:
    """Every way `view` lets a request sort, filter or search by a personal number."""
    model = get_view_model(view, emit_warnings=False)
    if model is None:
        return []
    found = [f"ordering by {p}" for p in _ordering_paths(view, model) if _names_a_number(model, p, numbers)]
    for path, method in _filter_paths(view, model):
        if _names_a_number(model, path, numbers) and not _reaches_number_search_q(method):
            found.append(f"filter on {path}")
    search, backend = _search_paths(view)
    routed = backend is not None and (
        backend.filter_queryset is not SearchFilter.filter_queryset
        and _reaches_number_search_q(backend.filter_queryset)
    )
    found += [f"search on {p}" for p in search if _names_a_number(model, p, numbers) and not routed]
    return sorted(set(found))


def _get_operations():
    """(path, view) of every GET operation in the schema, each view as the generator builds it."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    out = []
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method != "GET" or not isinstance(view, generics.GenericAPIView):
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        out.append((path, view))
    return out


def _is_list(view) -> bool:
    if isinstance(view, viewsets.ViewSetMixin):
        return view.action == "list"
    return isinstance(view, generics.ListAPIView)


# --------------------------------------------------------------------------------------------- guard


def test_no_api_operation_sorts_filters_or_searches_by_a_personal_number():
    numbers = personal_number_fields()
    operations = _get_operations()
    lists = {path for path, view in operations if _is_list(view)}
    assert {"/api/v1/volunteering/skills/", "/api/v1/people/", "/api/v1/cases/"} <= lists  # the walk works

    found = {}
    for path, view in operations:
        view_holes = holes(view, numbers)
        if view_holes:
            found[f"{path} ({type(view).__name__})"] = view_holes

    assert found == {}, (
        "Declare ordering_fields, filterset_fields/filterset_class and search_fields explicitly, without "
        "a phone or ID number (a masked number must not be sortable, filterable or searchable): "
        f"{found}"
    )


def test_every_volunteering_view_declares_what_it_sorts_filters_and_searches_by():
    undeclared = {}
    for path, view in _get_operations():
        cls = type(view)
        if not cls.__module__.startswith("volunteering."):
            continue
        if "filter_backends" in _own_attributes(cls) and not view.filter_backends:
            continue  # one object, nothing to sort, filter or search (said in the class)
        own = _own_attributes(cls)
        missing = [
            name
            for name, options in (
                ("ordering_fields", {"ordering_fields"}),
                ("filterset_fields/filterset_class", {"filterset_fields", "filterset_class"}),
                ("search_fields", {"search_fields"}),
            )
            if not options & own
        ]
        if missing:
            undeclared[f"{path} ({cls.__name__})"] = missing
    assert undeclared == {}


def _own_attributes(cls) -> set[str]:
    """Attributes set by the project's classes (not DRF's defaults) in `cls`'s MRO."""
    return {
        name
        for klass in cls.__mro__
        if klass.__module__.split(".")[0] in PROJECT_APPS
        for name in vars(klass)
    }


# -------------------------------------------------------------------- the guard catches what it should


class _Skills(generics.ListAPIView):
    queryset = SkillListing.objects.all()

    def get_serializer_class(self):
        from volunteering.api.programmes import SkillSerializer

        return SkillSerializer


class _ByNumberSearch(SearchFilter):
    def filter_queryset(self, request, queryset, view):
        from members import privacy

        return queryset.filter(privacy.number_search_q(request.user, "x", fields=["contact_phone"]))


CASES = {
    "undeclared ordering (the skills directory's hole)": ({}, ["ordering by contact_phone"]),
    "ordering __all__": ({"ordering_fields": "__all__"}, ["ordering by contact_phone"]),
    "ordering through a relation": ({"ordering_fields": ["person__mobile"]}, ["ordering by person__mobile"]),
    "a filter": (
        {"ordering_fields": ["skill"], "filterset_fields": ["contact_phone"]},
        ["filter on contact_phone"],
    ),
    "an exact search": (
        {"ordering_fields": ["skill"], "search_fields": ["=person__id_number"]},
        ["search on person__id_number"],
    ),
    "a search through number_search_q": (
        {
            "ordering_fields": ["skill"],
            "search_fields": ["contact_phone"],
            "filter_backends": [DjangoFilterBackend, _ByNumberSearch, OrderingFilter],
        },
        [],
    ),
    "clean declarations": (
        {"ordering_fields": ["skill"], "filterset_fields": ["person"], "search_fields": ["person__name"]},
        [],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_guard_finds_each_way_to_query_a_number(rf, case):
    attributes, expected = CASES[case]
    view = type("View", (_Skills,), attributes)()
    view.request = view.initialize_request(rf.get("/"))
    view.format_kwarg = None

    assert holes(view, personal_number_fields()) == expected


# --------------------------------------------------------------------------------------------- HTTP

SKILLS = "/api/v1/volunteering/skills/"

# Three listings whose phones all show as 138****1234 to staff: only the hidden middle digits differ, and
# the skills (the default order) run against the numbers, so a sort by phone would show.
HIDDEN = {"理发": "13899991234", "维修电器": "13811111234", "法律咨询": "13855551234"}


@pytest.fixture
def skills(cast):
    shop = ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET)
    for skill, phone in HIDDEN.items():
        member = registered_member(cast.beijie, user=False)
        SkillFactory(programme=shop, person=member, skill=skill, contact_phone=phone)
    return shop


def _skills(client, **params) -> list[str]:
    response = client.get(SKILLS, params)
    assert response.status_code == 200, response.content
    return [row["skill"] for row in response.json()["results"]]


def test_staff_who_see_phones_masked_cannot_sort_the_skills_directory_by_phone(cast, as_user, skills):
    staff = as_user("staff")
    assert {row["contact_phone"] for row in staff.get(SKILLS).json()["results"]} == {"138****1234"}

    ascending = _skills(staff, ordering="contact_phone")
    descending = _skills(staff, ordering="-contact_phone")

    # the ordering is ignored: both come back in the default order, which says nothing about the digits
    assert ascending == descending == _skills(staff)


def test_staff_cannot_find_a_listing_by_the_hidden_digits(cast, as_user, skills):
    staff = as_user("staff")

    assert _skills(staff, search="9999") == []
    assert _skills(staff, contact_phone="13899991234") == _skills(staff)  # not a filter: ignored


def test_the_declared_orderings_still_sort(cast, as_user, skills):
    assert _skills(as_user("staff"), ordering="-skill") == sorted(HIDDEN, reverse=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/volunteering/policies/{community}/?ordering=min_items",
        "/api/v1/volunteering/ledgers/{person}/?ordering=items_done",
    ],
)
def test_a_single_object_ignores_ordering_instead_of_failing(cast, as_user, url):
    # these sorted their one object by a serializer field the queryset does not have: a 500 before
    url = url.format(community=cast.beijie.pk, person=cast.member_person.pk)
    assert as_user("secretary").get(url).status_code == 200
