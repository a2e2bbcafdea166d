"""Fuzzing the democratic-evaluation write endpoints: random JSON never causes a server error.

The strategies of tests/security/test_fuzz_api_cases_volunteering.py, sent by the persona the permission
matrix (test_appraisal_permissions) lets write, the public ballot anonymously. Every answer is 2xx, or 4xx
in our error shape naming the fields at fault; never 5xx. APPRAISAL is read by the guard
test_every_write_operation_of_the_schema_is_fuzzed."""

import pytest
import time_machine
from django.core.cache import cache
from hypothesis import settings

from tests.security import test_fuzz_api_cases_volunteering as base

from . import test_appraisal_permissions as matrix

pytestmark = pytest.mark.django_db

FUZZ = settings(base.FUZZ, max_examples=25)

# entry → (persona, key of matrix.build_request)
APPRAISAL = {
    "appraisals-create": ("secretary", ("post", "appraisals/")),
    "appraisals-open": ("secretary", ("post", "appraisals/{draft}/open/")),
    "appraisals-close": ("secretary", ("post", "appraisals/{open}/close/")),
    "appraisals-reopen": ("town", ("post", "appraisals/{closed}/reopen/")),
    "appraisals-excellent": ("secretary", ("post", "appraisals/{closed}/excellent/")),
    "appraisals-publish": ("secretary", ("post", "appraisals/{cadres}/publish/")),
    "evaluators-create": ("secretary", ("post", "appraisal-evaluators/")),
    "evaluators-delete": ("secretary", ("delete", "appraisal-evaluators/{evaluator}/")),
    "evaluators-issue-link": ("secretary", ("post", "appraisal-evaluators/{evaluator}/issue-link/")),
    "evaluators-paper-ballot": ("secretary", ("post", "appraisal-evaluators/{evaluator}/paper-ballot/")),
    "officer-reviews-create": ("secretary", ("post", "officer-reviews/")),
    "public-ballot": ("anonymous", "public-ballot"),
    "public-lookup": ("anonymous", "public-lookup"),
}


def fuzzed_urls(cast) -> dict[str, tuple[str, str]]:
    """entry → (method, url) for the guard in test_fuzz_api_cases_volunteering."""
    out = {}
    w = matrix._world_function()(cast)
    for name, (_, key) in APPRAISAL.items():
        method, url, _, _ = matrix.build_request(key, cast, w)
        out[f"APPRAISAL[{name!r}]"] = (method, url)
    return out


@pytest.mark.parametrize("endpoint", APPRAISAL)
def test_appraisal_write_endpoints_never_answer_5xx(cast, endpoint, monkeypatch):
    persona, key = APPRAISAL[endpoint]
    w = matrix._world_function()(cast)
    method, url, payload, frozen_at = matrix.build_request(key, cast, w)
    good = payload()
    ids = [*base._cast_ids(cast), *(v for v in vars(w).values() if isinstance(v, int))]
    monkeypatch.setattr(base, "FUZZ", FUZZ)
    cache.clear()
    with time_machine.travel(frozen_at, tick=False):
        base.fuzz(cast, persona, method, url, good, ids, public=persona == "anonymous")
