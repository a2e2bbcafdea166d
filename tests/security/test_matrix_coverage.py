"""Every operation of the API is either in a permission matrix or deliberately public.

The OpenAPI schema (generated in-process, as tests/api/test_schema.py does) lists each (method, path) the
API serves. Each must be exercised, for every persona, by one of the three permission matrices — members,
cases, volunteering (each exports the operations it covers) — or resolve to a route listed in the URL
walker's PUBLIC_ROUTES. A new endpoint therefore fails here until someone decides, persona by persona,
who may call it. Stale matrix entries (an operation the API no longer has) fail too.
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from tests.api import test_cases_permissions as cases_matrix
from tests.api import test_members_permissions as members_matrix
from tests.api import test_volunteering_permissions as volunteering_matrix
from tests.evaluations import test_appraisal_permissions as appraisal_matrix
from tests.evaluations import test_employer_permissions as evaluations_employer_matrix  # employer
from tests.security.test_url_inventory import Route, is_public
from tests.supervision import test_permissions as supervision_matrix

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}

# Operations knowingly missing from a matrix, each with the reason; the guard also fails when an entry here
# is covered after all, so the list only shrinks.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def schema_operations() -> set[tuple[str, str]]:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    GENERATOR_STATS.reset()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def matrix_operations() -> dict[str, set[tuple[str, str]]]:
    return {
        "members": members_matrix.covered_operations(),
        "cases": cases_matrix.covered_operations(),
        "volunteering": volunteering_matrix.covered_operations(),
        # appraisal
        "appraisal": appraisal_matrix.covered_operations(),
        "evaluations_employer": evaluations_employer_matrix.covered_operations(),  # employer
        "supervision": supervision_matrix.covered_operations(),
    }


def _public(path: str) -> bool:
    """Does the path template resolve to a route of the URL walker's public list?"""
    url = re.sub(r"\{\w+\}", "1", path)
    return is_public(Route(resolve(url).view_name, "", url))


def uncovered(operations: set[tuple[str, str]], matrices: dict[str, set[tuple[str, str]]]) -> list[str]:
    covered = set().union(*matrices.values())
    return sorted(
        f"{method} {path}" for method, path in operations - covered - set(KNOWN_GAPS) if not _public(path)
    )


def test_the_schema_lists_the_api_of_every_app(schema_operations):
    paths = {path for _, path in schema_operations}
    for expected in ("/api/v1/people/{id}/", "/api/v1/cases/{id}/erase/", "/api/v1/volunteering/posts/"):
        assert expected in paths
    assert len(schema_operations) > 150


def test_every_api_operation_is_in_a_permission_matrix_or_public(schema_operations):
    missing = uncovered(schema_operations, matrix_operations())
    assert not missing, (
        "API operations in no permission matrix (add a row for every persona to "
        "tests/api/test_<app>_permissions.py, or make the route public in test_url_inventory.PUBLIC_ROUTES):\n"
        + "\n".join(missing)
    )


def test_every_matrix_operation_is_an_operation_of_the_api(schema_operations):
    """A typo in a matrix's path template, or a route since removed, would otherwise count as coverage."""
    for name, operations in matrix_operations().items():
        stale = sorted(f"{method} {path}" for method, path in operations - schema_operations)
        assert not stale, f"{name} matrix: {stale}"


def test_known_gaps_are_still_gaps(schema_operations):
    covered = set().union(*matrix_operations().values())
    for operation in KNOWN_GAPS:
        assert operation in schema_operations, operation
        assert operation not in covered, f"{operation} is covered now: remove it from KNOWN_GAPS"


def test_the_guard_reports_an_operation_a_matrix_drops(schema_operations):
    matrices = matrix_operations()
    matrices["cases"] = matrices["cases"] - {("POST", "/api/v1/cases/{id}/erase/")}
    assert uncovered(schema_operations, matrices) == ["POST /api/v1/cases/{id}/erase/"]


def test_public_routes_need_no_matrix(schema_operations):
    matrices = matrix_operations()
    matrices["cases"] = {op for op in matrices["cases"] if not op[1].startswith("/api/v1/public/")}
    assert uncovered(schema_operations, matrices) == []
