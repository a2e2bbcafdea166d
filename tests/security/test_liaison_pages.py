"""An employer liaison (单位党组织联络人) gets one answer for every page it may not use: the 403 page "无权访问"
— not a 200 with an empty list here and a 404 there. Walks every page of the site that takes no argument;
another tenant's objects stay a 404 (tests/evaluations/test_employer_pages.py)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# What a liaison uses: its inbox and consultations, its notifications, its account, and the public pages
# everyone may open.
LIAISON_PAGES = {
    "/",
    "/inbox/",
    "/inbox/settings/",
    "/evaluations/inbox/sheets.xlsx",  # the year's workbook of its own members' sent sheets
    "/accounts/password/",
    "/accounts/2fa/setup/",
    "/evaluations/inbox/",
    "/evaluations/consultations/",
    "/evaluations/consultations/new/",
    "/evaluations/verify/",
    "/cases/public/",
    "/cases/public/submit/",
    "/cases/public/track/",
    "/cases/public/schedule/",
}
# Not pages: redirects (login, the language switch, a section's index, the second factor), the evaluator's
# ballot (opened through a personal link, refused without one) and POST-only actions (405).
NOT_PAGES = {
    "/accounts/login/",
    "/i18n/setlang/",
    "/accounts/2fa/verify/",
    "/volunteering/",
    "/evaluations/ballot/",
}


def page_paths(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from page_paths(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and "<" not in route
            and "^" not in route
            and not route.startswith(("api/", "admin/", "static/", "media/"))
        ):
            yield "/" + route


def test_the_walk_sees_the_pages_of_every_app():
    paths = set(page_paths())
    assert {
        "/roster/",
        "/cases/",
        "/volunteering/items/",
        "/evaluations/sheets/",
        "/evaluations/inbox/",
    } <= paths


def test_a_liaison_gets_403_on_every_page_it_may_not_use(cast):
    client = Client()
    client.force_login(cast.liaison)
    answers = {}
    for path in sorted(set(page_paths()) - NOT_PAGES):
        response = client.get(path)
        if response.status_code == 405:  # POST-only
            continue
        answers[path] = response.status_code
        if path not in LIAISON_PAGES and response.status_code == 403:
            assert "无权访问" in response.content.decode(), path

    wrong = {
        path: status for path, status in answers.items() if status != (200 if path in LIAISON_PAGES else 403)
    }
    assert wrong == {}
    assert sum(1 for status in answers.values() if status == 403) > 30  # the walk reached the office pages
