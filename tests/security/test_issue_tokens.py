"""manage.py issue_tokens: one API token per named login, for scripts/schemathesis.sh and API clients."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def issue(*args) -> dict[str, str]:
    out = io.StringIO()
    call_command("issue_tokens", *args, stdout=out)
    return dict(line.split("\t") for line in out.getvalue().splitlines())


def test_prints_a_working_token_per_login_and_reuses_it(cast, api):
    first = issue("alice", "mike")
    again = issue("alice")

    assert set(first) == {"alice", "mike"}
    assert again["alice"] == first["alice"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {first['alice']}")
    assert api.get("/api/v1/me/").json()["username"] == "alice"


def test_rotate_replaces_the_token(cast):
    old = issue("alice")["alice"]
    new = issue("alice", "--rotate")["alice"]
    assert new != old
    assert not Token.objects.filter(key=old).exists()


def test_unknown_login_is_an_error(cast):
    with pytest.raises(CommandError, match="nobody"):
        issue("alice", "nobody")
