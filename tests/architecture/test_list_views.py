"""Every list of the API says how a client may sort, filter and search it, and pages it in a fixed order.

Left undeclared, DRF's OrderingFilter sorts by every readable serializer field — a masked number
included, which makes the sort an oracle for the hidden digits (tests/privacy) — and a list without a
default `ordering` pages in whatever order the database returns ties, so page 2 can repeat or skip rows.

The walk follows the URLconf to every view that answers a list (a viewset's `list` action, a
ListModelMixin view). Each must declare, in its own class or a project base class:
- `ordering_fields` (a list, never `"__all__"`), each a field of the model;
- `ordering`, the default order, ending on the primary key (or a unique field) so ties are broken;
- `search_fields`, and `filterset_class` or `filterset_fields` (an empty list, with a comment, where nothing
  should be searched or filtered);
unless it declares `filter_backends = []`: a list the server orders itself and the client cannot sort,
filter or search (a comment there says why). And every ordering backend is `core.api.StableOrderingFilter`,
which adds the primary key to an order the client chose.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.filters import OrderingFilter
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api import TIE_BREAKERS, StableOrderingFilter
from members.models import Town

PROJECT_APPS = ("core", "members", "volunteering", "cases", "evaluations", "supervision")

# Lists not yet declared, each with its reason. A KNOWN view that declares everything fails the test too
# (remove it here).
KNOWN: dict[str, str] = {}


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def list_views() -> list[type]:
    """The classes of every list the URLconf serves, each once."""
    found: dict[str, type] = {}
    for callback in _walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None:
            continue
        actions = getattr(callback, "actions", None)
        # a viewset answers a list by its `list` action; a generic view by being a ListModelMixin
        if (actions.get("get") == "list") if actions is not None else issubclass(cls, ListModelMixin):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _declared(cls, attribute: str) -> bool:
    """Is `attribute` set by the project (the class or a base of ours), not left to DRF's default?"""
    for klass in cls.__mro__:
        if attribute in vars(klass):
            return klass.__module__.split(".")[0] in PROJECT_APPS
    return False


def _model(cls):
    queryset = getattr(cls, "queryset", None)
    return None if queryset is None else queryset.model


def _resolves(model, path: str) -> bool:
    """Does an ordering term (`-community_id`, `person__name`) name a field through the model?"""
    for i, part in enumerate(path.lstrip("-").split("__")):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.is_relation and i < len(path.split("__")) - 1:
            model = field.related_model
    return True


def _breaks_ties(model, ordering) -> bool:
    last = ordering[-1].lstrip("-")
    if ordering[-1] in TIE_BREAKERS:
        return True
    if model is None:
        return False
    try:
        return bool(model._meta.get_field(last).unique)
    except FieldDoesNotExist:
        return False


def problems_of(cls) -> list[str]:
    """What a list view leaves undeclared or declares wrong; empty when it is fine."""
    if _declared(cls, "filter_backends") and not cls.filter_backends:
        return []  # the server orders it; the client can neither sort, filter nor search
    problems = []
    for attribute in ("ordering_fields", "ordering", "search_fields"):
        if not _declared(cls, attribute):
            problems.append(f"declares no {attribute}")
    if not (_declared(cls, "filterset_class") or _declared(cls, "filterset_fields")):
        problems.append("declares neither filterset_class nor filterset_fields")
    model = _model(cls)
    ordering_fields = getattr(cls, "ordering_fields", None)
    if isinstance(ordering_fields, str):
        problems.append(f"ordering_fields = {ordering_fields!r}: name the fields")
    elif ordering_fields and model is not None:
        problems += [
            f"ordering field {f!r} is not a field" for f in ordering_fields if not _resolves(model, f)
        ]
    ordering = getattr(cls, "ordering", None)
    if isinstance(ordering, str):
        ordering = [ordering]
    if ordering is not None:
        if not ordering or not _breaks_ties(model, ordering):
            problems.append(
                f"ordering {ordering!r} does not end on the primary key: pages would shuffle ties"
            )
        if model is not None:
            problems += [f"ordering term {t!r} is not a field" for t in ordering if not _resolves(model, t)]
    for backend in cls.filter_backends:
        if issubclass(backend, OrderingFilter) and not issubclass(backend, StableOrderingFilter):
            problems.append(f"{backend.__name__} is not a core.api.StableOrderingFilter")
    return problems


def test_the_walk_finds_the_lists_of_every_app():
    names = {_name(cls) for cls in list_views()}
    for expected in (
        "members.api.people.PersonViewSet",
        "volunteering.api.programmes.SkillViewSet",
        "cases.api.channels.MailboxViewSet",
        "evaluations.api.sheets.SheetViewSet",
        "cases.api.public.PublicReceptionViewSet",
    ):
        assert expected in names
    assert len(names) > 40


def test_every_list_declares_its_ordering_filters_and_search():
    problems = {_name(cls): problems_of(cls) for cls in list_views()}
    undeclared = {name: found for name, found in problems.items() if found and name not in KNOWN}
    assert not undeclared, "\n".join(f"{name}: {'; '.join(found)}" for name, found in undeclared.items())
    fixed = [name for name in KNOWN if name in problems and not problems[name]]
    assert not fixed, f"Declared now; remove from KNOWN in {__name__}: {fixed}"
    gone = [name for name in KNOWN if name not in problems]
    assert not gone, f"No longer a list; remove from KNOWN in {__name__}: {gone}"


def test_the_check_fails_on_a_list_that_leaves_drf_to_choose():
    class Careless(ListModelMixin):
        queryset = Town.objects.none()
        filter_backends = [OrderingFilter]

    class Careful(ListModelMixin):
        queryset = Town.objects.none()
        filter_backends = [StableOrderingFilter]
        ordering_fields = ["name"]
        ordering = ["require_2fa_for_staff"]  # many towns share a value: ties shuffle between pages
        search_fields: list[str] = []
        filterset_fields = ["code"]

    Careless.__module__ = Careful.__module__ = "members.api.planted"
    assert problems_of(Careless) == [
        "declares no ordering_fields",
        "declares no ordering",
        "declares no search_fields",
        "declares neither filterset_class nor filterset_fields",
        "OrderingFilter is not a core.api.StableOrderingFilter",
    ]
    assert problems_of(Careful) == [
        "ordering ['require_2fa_for_staff'] does not end on the primary key: pages would shuffle ties"
    ]
    Careful.ordering = ["require_2fa_for_staff", "pk"]
    assert problems_of(Careful) == []
    Careful.ordering = ["require_2fa_for_staff", "code"]  # a unique field breaks ties as well
    assert problems_of(Careful) == []


class _View:
    ordering_fields = ["name", "code", "id"]
    ordering = ["name", "pk"]


def _ordering(query: str):
    request = Request(APIRequestFactory().get("/" + query))
    return StableOrderingFilter().get_ordering(request, Town.objects.none(), _View())


def test_a_client_chosen_order_gets_the_primary_key_as_its_last_key():
    assert _ordering("?ordering=name") == ["name", "pk"]
    assert _ordering("?ordering=-name") == ["-name", "-pk"]
    assert _ordering("?ordering=code,-name") == ["code", "-name", "-pk"]
    assert list(_ordering("?ordering=name,-id")) == ["name", "-id"]  # the client's own tie-breaker stays
    assert list(_ordering("")) == ["name", "pk"]  # the view's default
    assert list(_ordering("?ordering=id_number")) == ["name", "pk"]  # an undeclared field is ignored
