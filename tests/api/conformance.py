"""Checks an API response against the OpenAPI schema the app publishes, the way Schemathesis's
`response_schema_conformance` check does (scripts/schemathesis.sh), but in-process on a test client.

    assert_conforms(response, "/api/v1/officers/{id}/", "get")
"""

from __future__ import annotations

import functools
import json

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from rest_framework.utils.encoders import JSONEncoder
from schemathesis.core.transport import Response


@functools.cache
def published_schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    # The generator returns lazy strings and OrderedDicts; a JSON round trip gives plain data.
    return schemathesis.openapi.from_dict(json.loads(json.dumps(generated, cls=JSONEncoder)))


def assert_conforms(response, path: str, method: str = "get") -> None:
    """Raises (a Schemathesis failure naming the mismatch) unless `response` is documented for `path`."""
    request = requests.Request(method.upper(), f"http://testserver{response.request['PATH_INFO']}").prepare()
    wrapped = Response(
        status_code=response.status_code,
        headers={key: [value] for key, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )
    published_schema()[path][method].validate_response(wrapped)
