"""Every URL of config.urls is either explicitly public or refuses anonymous visitors.

The walker resolves every pattern (recursively, includes and namespaces too), fills its parameters and asks
as an anonymous visitor with GET and POST. A route that is not listed in PUBLIC_ROUTES must answer a
redirect to a login page (pages, admin), 401/403 (API) or 405 (wrong method) — never 200 with data.
Routes added later by any app are checked automatically: a new public page must be added here, with the
reason it is public, by someone who thought about it.

Decided here: the API schema (/api/schema/) and Swagger UI (/api/docs/) need a login — they list every
endpoint and field name of residents' personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

# route name (or name prefix ending in "_" / "-") → why anonymous visitors may use it
PUBLIC_ROUTES = {
    "login": "the login page",
    "logout": "logging out is harmless without a session",
    "set_language": "switches the interface language in the session",
    "admin:login": "the admin's own login page",
    "admin:logout": "logging out is harmless without a session",
    "cases:public_": "the residents' public pages (submit a concern, track it, reception schedule, disclosures)",
    "public-": "the residents' public API (/api/v1/public/…): lookups by access code, throttled",
    "volunteering:calendar_feed": "a calendar app's feed URL: a signed per-person token is the credential",
    # appraisal
    "evaluations:ballot": "an evaluator's ballot (民主评议): the one-time link's random token is the credential",
    # employer
    "evaluations:certificate_verify": "anyone checks a 志愿服务证明 by its random 16-character number; shows "
    "only the masked name, hours, issuing organisation and date; misses counted per address",
}

LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
REFUSED = {401, 403, 405}
SAMPLE_VALUES = ("1", "x", "00000000-0000-0000-0000-000000000001")


@dataclass(frozen=True)
class Route:
    name: str | None
    regex: str
    url: str

    @property
    def label(self) -> str:
        return self.name or self.regex


def _pieces(patterns, prefix=""):
    for entry in patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for name, full in _pieces(entry.url_patterns, regex):
                yield (namespace + name if name else None), full
        elif isinstance(entry, URLPattern):
            yield entry.name, regex


def _sample(regex: str, param: str, attempt: int) -> str:
    """A value for one parameter: the first word of a literal alternation (admin's app labels), else
    the attempt-th generic sample."""
    group = re.search(rf"\(\?P<{param}>([^()]*)\)", regex)
    if group and re.fullmatch(r"[\w-]+(\|[\w-]+)+", group.group(1)):
        return group.group(1).split("|")[0]
    return SAMPLE_VALUES[attempt]


def all_routes() -> list[Route]:
    routes = []
    for name, regex in _pieces(get_resolver().url_patterns):
        fmt, params = normalize(regex)[0]
        url = None
        for attempt in range(len(SAMPLE_VALUES)):
            candidate = "/" + fmt % {p: _sample(regex, p, attempt) for p in params}
            if re.fullmatch(regex, candidate[1:]):
                url = candidate
                break
        assert url is not None, f"cannot build a URL for {name or regex}"
        routes.append(Route(name, regex, url))
    return routes


def is_public(route: Route) -> bool:
    if route.name is None:
        return False
    return any(
        route.name == key or (key.endswith(("_", "-")) and route.name.startswith(key))
        for key in PUBLIC_ROUTES
    )


def refusal(response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302:
        return response["Location"].startswith(LOGIN_PAGES)
    return False


def test_the_walker_sees_every_app():
    labels = {r.label for r in all_routes()}
    for expected in ("members:roster", "person-list", "admin:index", "schema", "api-docs", "home"):
        assert expected in labels
    assert len(labels) > 100


def test_every_route_builds_a_url_that_resolves_to_itself():
    for route in all_routes():
        try:
            match = resolve(route.url)
        except Resolver404:
            pytest.fail(f"{route.label}: {route.url} does not resolve")
        if route.name:
            # admin's catch-all may shadow nothing; other names must round-trip
            assert match.view_name == route.name or route.name.startswith("admin:"), (route, match.view_name)


def anonymous_offenders() -> tuple[list[str], int]:
    offenders = []
    checked = 0
    for route in all_routes():
        if is_public(route):
            continue
        for method in ("get", "post"):
            client = Client(raise_request_exception=False)
            response = getattr(client, method)(route.url)
            checked += 1
            if not refusal(response):
                offenders.append(f"{method.upper()} {route.url} ({route.label}) → {response.status_code}")
    return offenders, checked


@pytest.mark.django_db
def test_every_non_public_route_refuses_anonymous_visitors(cast):
    offenders, checked = anonymous_offenders()
    assert checked > 200
    assert not offenders, "anonymous visitors got through:\n" + "\n".join(offenders)


@pytest.mark.django_db
@pytest.mark.urls("tests.security.leaky_urls")
def test_the_walker_catches_an_unprotected_route():
    offenders, _ = anonymous_offenders()
    assert offenders == [
        "GET /leak/1/ (leak) → 200",
        "POST /leak/1/ (leak) → 200",
        "GET /api/leak/ (api-leak) → 200",
    ]


@pytest.mark.django_db
def test_public_routes_answer_anonymous_visitors_without_a_server_error(cast):
    errors = []
    for route in all_routes():
        if is_public(route):
            response = Client(raise_request_exception=False).get(route.url)
            if response.status_code >= 500:
                errors.append(f"GET {route.url} ({route.label}) → {response.status_code}")
    assert not errors, "\n".join(errors)


def test_every_public_entry_still_names_a_route():
    """A stale entry would silently make a future route of that name public."""
    names = {r.name for r in all_routes() if r.name}
    for key in PUBLIC_ROUTES:
        if key.endswith(("_", "-")):
            assert any(n.startswith(key) for n in names), key
        else:
            assert key in names, key
