"""The loop the route × persona permission tables share (tests/api/test_volunteering_permissions.py,
tests/evaluations/test_appraisal_permissions.py, tests/evaluations/test_employer_permissions.py).

A table is a list of routes `(method, path, body, expected)`: `path` names the world's objects as
`{field}` (`"items/{item}/"`), `body` is a dict, a function of the world, or None for a request without
one, and `expected` maps each persona of tests/conftest.py's ROLE_NAMES to a status. Each persona's request
runs in a savepoint rolled back at once, so every persona meets the same world.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import time_machine
from django.db import transaction
from rest_framework.test import APIClient

from tests.conftest import ROLE_NAMES


def route_id(route) -> str:
    """The test id of a route: `GET items/{item}/`."""
    method, path, _, _ = route
    return f"{method.upper()} {path}"


def covered_operations(api: str, routes: Iterable) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route of a table, for tests/security/test_matrix_coverage.py."""
    return {
        (method.upper(), api + re.sub(r"\{\w+\}", "{id}", path.split("?")[0]))
        for method, path, _, _ in routes
    }


def answers(cast, world, route, *, api: str, now) -> dict[str, int]:
    """The status each persona gets for one route of a table, at the frozen time `now`."""
    method, path, body, _ = route
    url = api + path.format(**vars(world))
    data = body(world) if callable(body) else body
    actual = {}
    with time_machine.travel(now, tick=False):
        for name in ROLE_NAMES:
            client = APIClient()
            if name != "anonymous":
                client.force_authenticate(getattr(cast, name))
            with transaction.atomic():
                response = (
                    getattr(client, method)(url, data, format="json")
                    if data is not None
                    else getattr(client, method)(url)
                )
                transaction.set_rollback(True)
            actual[name] = response.status_code
    return actual


def listed_rows(cast, url: str) -> dict[str, list[dict]]:
    """The rows of a list as each signed-in persona reads it (a 403 lists nothing), one page of up to 200."""
    rows = {}
    for name in ROLE_NAMES:
        if name == "anonymous":
            continue
        client = APIClient()
        client.force_authenticate(getattr(cast, name))
        response = client.get(url, {"page_size": 200})
        assert response.status_code in (200, 403), (name, url, response.status_code)
        rows[name] = response.json()["results"] if response.status_code == 200 else []
    return rows


def row_communities(rows: list[dict], model, to_community: str) -> set[int]:
    """The communities of a list's rows: through `model`'s lookup `to_community` from each row's id, or,
    with no model, the rows' own `to_community` key."""
    if model is None:
        return {row[to_community] for row in rows}
    ids = {row["id"] for row in rows}
    found = dict(model.objects.filter(pk__in=ids).values_list("pk", to_community))
    assert set(found) == ids, model
    return set(found.values())
