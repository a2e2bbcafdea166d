"""Security plumbing shared by the middleware (core/middleware.py), the views and the settings.

- request ids: a contextvar holds the id of the request being served; `RequestIdLogFilter` (wired into
  LOGGING) stamps it on every log record, so one id ties the error page, the response header and the
  log lines together;
- the client address for the login lockout comes from REMOTE_ADDR only (a header such as X-Forwarded-For
  is whatever the client wants it to be);
- session stamps (login time, last activity) for the absolute and idle session limits;
- who must verify a second factor, and the API authentication that keeps long-lived tokens from
  bypassing the forced password change and the second factor.

This module is imported while logging is configured (before the app registry is ready): import nothing
here that loads models at import time.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_finished
from rest_framework import exceptions, parsers

from .masking import mask_text

# ------------------------------------------------------------------------------------------- request ids

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9-]{1,64}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def accept_request_id(incoming: str | None) -> str:
    """The caller's X-Request-ID if it is sane (≤ 64 chars of [A-Za-z0-9-]), else a fresh uuid4 hex.

    A proxy or a mobile client may send its own id so its logs and ours line up; anything else (too long,
    spaces, quotes, newlines that could forge log lines) is replaced rather than cleaned up.
    """
    if incoming and _REQUEST_ID_RE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(request_id: str | None) -> None:
    _request_id.set(request_id)


def _unbind_request_id(sender, **kwargs):
    _request_id.set(None)


# Cleared when the response is closed, so a worker thread's next log lines outside a request say "-".
request_finished.connect(_unbind_request_id, dispatch_uid="core.security.unbind_request_id")


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request, e.g. in a Celery worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        return True


# Phone and ID numbers never reach a log line in full (PIPL): masked like on the roster (138****1234,
# 4101**********1234), by the one masking module.
def mask_personal_numbers(text: str) -> str:
    return mask_text(text)


class PersonalDataLogFilter(logging.Filter):
    """Masks 11-digit mobiles and 18-character ID numbers in every record's message and arguments
    (LOGGING wires it into the console handler). The record is rewritten once, already formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging to report
            return True
        masked = mask_personal_numbers(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:  # a traceback may quote a number too
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text)
        return True


# ----------------------------------------------------------------------------------------- client address


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the TCP peer, never a forwarded-for header.

    Behind a reverse proxy every request then carries the proxy's address; that is fine because the
    lockout is keyed by username alone (see AXES_LOCKOUT_PARAMETERS), and the address is only recorded.
    """
    return request.META.get("REMOTE_ADDR")


# ------------------------------------------------------------------------------------------ session stamps

SESSION_AUTH_AT = "minqing_auth_at"  # when this session logged in (absolute lifetime)
SESSION_SEEN_AT = "minqing_seen_at"  # last request (idle timeout)


def stamp_login(session, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[SESSION_AUTH_AT] = int(now)
    session[SESSION_SEEN_AT] = int(now)


def _stamp_on_login(sender, request, user, **kwargs):
    # Written at login (real or `force_login`), so the next requests need not save the session just to
    # start the clocks. Infrastructure, not a business rule; connected at import (see module docstring:
    # LOGGING imports this module during django.setup(), so the receiver is in place in every process).
    session = getattr(request, "session", None)
    if session is not None:
        stamp_login(session)


user_logged_in.connect(_stamp_on_login, dispatch_uid="core.security.stamp_login")


# ------------------------------------------------------------------------------------------- JSON input

_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(data) -> bool:
    if isinstance(data, str):
        return bool(_SURROGATE.search(data))
    if isinstance(data, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_surrogate(v) for v in data)
    return False


def without_surrogates(data):
    """Error messages may quote the input ("“…” is not a valid choice"); a lone surrogate in them would
    make the UTF-8 renderer fail with a 500 after the view has returned."""
    if isinstance(data, str):
        return _SURROGATE.sub("\ufffd", data) if _SURROGATE.search(data) else data
    if isinstance(data, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [without_surrogates(v) for v in data]
    return data


# Control characters no text field has a use for (tab, newline and carriage return are allowed). Stored,
# they break what the text travels to later: an Excel export cannot hold them (openpyxl refuses the whole
# workbook), and a printed letter or a log line shows garbage.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTER_MESSAGE = "不能包含不可见的控制字符"


def has_control_characters(text: str) -> bool:
    """Whether `text` holds one of those characters (the API parsers, the page forms in core.forms and
    the roster import all ask this one question)."""
    return bool(_CONTROL.search(text))


def _control_character_fields(data, path: str | None = None) -> list[str]:
    """The dotted paths of the string values in `data` that hold a control character.

    `None` is the top level (a key may be "", so an empty path is a field all the same)."""
    if isinstance(data, str):
        return [path if path is not None else "non_field_errors"] if has_control_characters(data) else []
    if isinstance(data, dict):
        return [
            f
            for k, v in data.items()
            for f in _control_character_fields(v, f"{path}.{k}" if path is not None else str(k))
        ]
    if isinstance(data, list):
        return [
            f
            for i, v in enumerate(data)
            for f in _control_character_fields(v, f"{path}.{i}" if path is not None else str(i))
        ]
    return []


def refuse_control_characters(data):
    """A 400 naming each field whose text holds a control character; `data` unchanged otherwise."""
    if hasattr(data, "lists"):  # a QueryDict from a form or multipart body (uploaded files are not text)
        plain = {key: [v for v in values if isinstance(v, str)] for key, values in data.lists()}
        fields = [f.split(".")[0] for f in _control_character_fields(plain)]
    else:
        fields = _control_character_fields(data)
        if fields and not isinstance(data, dict):  # a body that is no object has no field to name ("0")
            fields = ["non_field_errors"]
    if fields:
        raise exceptions.ValidationError(
            {field: [CONTROL_CHARACTER_MESSAGE] for field in dict.fromkeys(fields)}
        )
    return data


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser (no NaN/Infinity) that also refuses lone surrogates (escaped as \\ud800)
    and control characters in any string (a 400 naming the field).

    JSON text may escape surrogates, but they are not Unicode characters: UTF-8 cannot encode them, so the
    database driver or the renderer would fail with a 500 wherever such a string travels.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_surrogate(data):
            raise exceptions.ParseError("JSON 中含有无效的 Unicode 字符（孤立代理项）")
        return refuse_control_characters(data)


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing control characters in any value (a 400 naming the field)."""

    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_control_characters(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing control characters in any text value (a 400 naming the field)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_control_characters(parsed.data)
        return parsed
