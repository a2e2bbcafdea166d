"""审计日志与访问日志 — the one home of the audit trail and the access log.

record(...)              append an AuditEvent: a write to a domain object, or a security event
record_update(...)       the before/after of one row changed by a compare-and-set `QuerySet.update()`
record_access(...)       append an AccessLog row: a full read of a resident's record, an export, a print
AuditContextMiddleware   binds who and from where for the request; records every 403 it answers
acting_as(...)           binds an actor outside a request (Celery tasks, management commands)
bulk_operation()         silences the per-row receivers inside a set-based write that records a summary
connect()                (CoreConfig.ready) receivers for every model of the domain apps, logins, lockouts
purge_expired()          the only deletion: rows older than AUDIT_RETENTION_DAYS (at least 180 days)

Domain writes are captured generically: `pre_save` reads the row's stored state (one query, only for an
update), `post_save`/`post_delete` write the difference. The receivers are connected by app label, so
core imports no domain app; a set-based write (`bulk_create`, `bulk_update`, `QuerySet.update/delete`)
bypasses model signals and must call `record(action="bulk_…")` itself. A per-object business change kept
as `QuerySet.update()` for atomicity (compare-and-set, an F() decrement) calls `record_update(...)` instead,
so it lands in the trail exactly like a save would; tests/audit/test_trail_bulk_writes.py keeps a registry
of every `.update(` call site.

The trail must not become a second copy of personal data: secrets (password hashes, access-code hashes,
check-in keys) appear only as "changed", phone and ID numbers are masked like on the roster, residents'
names and addresses are shortened, numbers inside free text are masked, and the raw rows of a roster
upload are left out.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import ipaddress
import json
import logging
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from .audit_values import (  # noqa: F401  (re-exported: callers and tests use core.audit)
    _ADDRESSES,
    _ID_NUMBERS,
    _IGNORED,
    _NAMES,
    _QUALIFIED,
    _SECRET,
    HIDDEN,
    MAX_TEXT,
    OMITTED,
    _kind,
    _mask_email,
    _mask_name,
    _plain,
    _scrub,
    _show,
)
from .security import current_request_id

logger = logging.getLogger("core.audit")

# Every model of the apps that ask for it (`audit_app`, from each domain app's AppConfig.ready(); core
# imports no domain app) is audited ...
AUDITED_APPS: set[str] = set()
# ... plus these shared tables of core's own that change what the domain apps compute (none today: the
# working-day table belongs to members and is audited with it).
AUDITED_MODELS: tuple[str, ...] = ()
# Not audited row by row, as each app declares: append-only histories written in the same transaction as
# the change they describe (the change itself is audited), and counters bumped by every registration.
UNAUDITED_MODELS: set[str] = set()

MIN_RETENTION_DAYS = 180  # 等保 2.0: audit records kept at least six months
DEFAULT_RETENTION_DAYS = 365


# ------------------------------------------------------------------------------------------- context


@dataclass(frozen=True)
class _Context:
    request: Any = None
    actor: Any = None
    label: str = ""
    quiet: bool = False


_EMPTY = _Context()
_context: contextvars.ContextVar[_Context | None] = contextvars.ContextVar("minqing_audit", default=None)


def _current() -> _Context:
    return _context.get() or _EMPTY


@contextmanager
def acting_as(actor=None, *, label: str = ""):
    """Attribute what happens inside to `actor` (or to `label`, e.g. "celery:anonymise_closed_cases")."""
    token = _context.set(replace(_current(), actor=actor, label=label))
    try:
        yield
    finally:
        _context.reset(token)


@contextmanager
def bulk_operation():
    """Inside, model receivers record nothing: the caller writes one summary with `record(...)`."""
    token = _context.set(replace(_current(), quiet=True))
    try:
        yield
    finally:
        _context.reset(token)


def _who(actor=None, label: str = ""):
    ctx = _current()
    actor = actor if actor is not None else ctx.actor
    if actor is None and ctx.request is not None:
        # DRF writes the user it authenticated (token, session) back onto the Django request.
        user = getattr(ctx.request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor, (label or actor.get_username())[:150]
    return None, (label or ctx.label or ("anonymous" if ctx.request is not None else "system"))[:150]


def _ip(request=None) -> str | None:
    """REMOTE_ADDR only: a forwarded-for header is whatever the client wants it to be."""
    request = request if request is not None else _current().request
    raw = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None


def _request_id() -> str:
    return (current_request_id() or "")[:64]


# ------------------------------------------------------------------------------------------- writing


def _label(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label, "" if obj.pk is None else str(obj.pk)[:64]


def record(
    *,
    action: str,
    obj=None,
    actor=None,
    changes: dict | None = None,
    community_id: int | None = None,
    reason: str = "",
    extra: dict | None = None,
    actor_label: str = "",
    request=None,
    object_type: str = "",
    object_id: str = "",
):
    """Append one AuditEvent. `actor` defaults to the request's user (or the `acting_as` actor);
    `community_id` to the object's community when it has one."""
    from .models import AuditEvent

    who, label = _who(actor, actor_label)
    if obj is not None:
        object_type, object_id = _label(obj)
        if community_id is None:
            community_id = community_of(obj)
    return AuditEvent.objects.create(
        actor=who,
        actor_label=label,
        action=action[:40],
        object_type=object_type,
        object_id=str(object_id)[:64],
        community_id=community_id,
        changes=changes or {},
        ip=_ip(request),
        request_id=_request_id(),
        reason=(reason or "")[:300],
        extra=_plain(extra or {}),
    )


def record_update(obj, *, before: dict, actor=None, reason: str = ""):
    """Record a change the model receivers cannot see: `obj` (holding its values after the write) was
    changed by a `QuerySet.update()` on its own row — a compare-and-set `UPDATE … WHERE status = old`, or
    an F() decrement under a lock — kept for atomicity. `before` is {field name: value before}; the
    difference is masked like a save's and written as one "update" event. Silent where a save would be
    (inside `bulk_operation()`), and when nothing changed."""
    if _current().quiet:
        return None
    model = type(obj)
    fields = {}
    for field, kind in _tracked(model):
        fields[field.name] = fields[field.attname] = (field, kind)
    changes = {}
    for name, old in before.items():
        field, kind = fields[name]  # a KeyError here: not a field the trail tracks
        new = getattr(obj, field.attname)
        if _comparable(field, old) != _comparable(field, new):
            changes[field.name] = [_show(kind, old), _show(kind, new)]
    if not changes:
        return None
    return record(action=_action(model, "update"), obj=obj, actor=actor, changes=changes, reason=reason)


def record_access(
    *,
    what: str,
    obj=None,
    description: str = "",
    reason: str = "",
    community_id: int | None = None,
    extra: dict | None = None,
    request=None,
    actor=None,
):
    """Append one AccessLog row: `what` is read_full / export / print / reveal. The reason defaults to the
    request's `reason` query parameter, else the route it came through (e.g. "members:person_detail")."""
    from .models import AccessLog

    request = request if request is not None else _current().request
    who, label = _who(actor if actor is not None else getattr(request, "user", None))
    if obj is not None and community_id is None:
        community_id = community_of(obj)
    if not reason and request is not None:
        # why: what the user typed (`?reason=…`, e.g. on an export), else the route it came through
        match = getattr(request, "resolver_match", None)
        reason = request.GET.get("reason", "") or (match.view_name if match else "") or request.path
    object_type, object_id = _label(obj)
    return AccessLog.objects.create(
        actor=who,
        actor_label=label,
        what=what,
        object_type=object_type,
        object_id=object_id,
        description=(description or "")[:300],
        community_id=community_id,
        ip=_ip(request),
        request_id=_request_id(),
        reason=(reason or "")[:300],
        extra=_scrub(_plain(extra or {})),
    )


def community_of(obj) -> int | None:
    """The community a row belongs to: its own `community_id`, or its parent's along the queryset's
    `community_path` (ScopedQuerySet) or the usual parent links. None for town-level rows."""
    if obj._meta.label == "members.Community":
        return obj.pk
    if hasattr(obj, "community_id"):
        return obj.community_id
    qs_class = getattr(type(obj)._default_manager, "_queryset_class", None)
    path = getattr(qs_class, "community_path", "community_id")
    hops = path.split("__")[:-1] if path != "community_id" else []
    if not hops:
        names = {f.name for f in obj._meta.concrete_fields if f.is_relation}
        hops = next(
            ([p] for p in ("case", "person", "officer", "zone", "forum", "reception", "item") if p in names),
            [],
        )
    target = obj
    try:
        for hop in hops:
            target = getattr(target, hop)
            if target is None:
                return None
    except ObjectDoesNotExist:
        return None
    return getattr(target, "community_id", None) if hops else None


# --------------------------------------------------------------------------------- model receivers

_tracked_cache: dict[type, list[tuple[models.Field, str]]] = {}


def _tracked(model, update_fields=None) -> list[tuple[models.Field, str]]:
    if model not in _tracked_cache:
        _tracked_cache[model] = [
            (f, _kind(model, f))
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in _IGNORED and not getattr(f, "auto_now", False)
        ]
    fields = _tracked_cache[model]
    if update_fields is not None:
        wanted = set(update_fields)
        fields = [(f, k) for f, k in fields if f.name in wanted or f.attname in wanted]
    return fields


def _comparable(field, value):
    if hasattr(value, "resolve_expression"):
        return object()  # an F() expression: changed, value known only to the database
    with suppress(ValidationError, TypeError, ValueError):
        value = field.to_python(value)
    return _plain(value)


def _action(model, verb: str) -> str:
    if model._meta.label == "members.RoleAssignment":
        return {"create": "role_granted", "update": "role_changed", "delete": "role_revoked"}[verb]
    return verb


def _pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if raw or _current().quiet or instance._state.adding or instance.pk is None:
        return
    fields = _tracked(sender, update_fields)
    if not fields:  # e.g. only last_login: nothing to compare, nothing to record
        instance.__dict__["_audit_before"] = None
        return
    row = (
        sender._base_manager.using(using)
        .filter(pk=instance.pk)
        .values(*[f.attname for f, _ in fields])
        .first()
    )
    instance.__dict__["_audit_before"] = {"row": row}


def _post_save(sender, instance, created=False, raw=False, using=None, update_fields=None, **kwargs):
    before = instance.__dict__.pop("_audit_before", {"row": None})
    if raw or _current().quiet or before is None:
        return
    fields = _tracked(sender, update_fields)
    row = before["row"]
    if created or row is None:
        changes = {
            f.name: [None, _show(kind, getattr(instance, f.attname))]
            for f, kind in fields
            if getattr(instance, f.attname) not in (None, "", [], {})
        }
        verb = "create"
    else:
        changes = {}
        for f, kind in fields:
            old, new = row[f.attname], getattr(instance, f.attname)
            if _comparable(f, old) != _comparable(f, new):
                changes[f.name] = [_show(kind, old), _show(kind, new)]
        if not changes:
            return
        verb = "update"
    record(action=_action(sender, verb), obj=instance, changes=changes)


def _post_delete(sender, instance, using=None, **kwargs):
    if _current().quiet:
        return
    changes = {
        f.name: [_show(kind, getattr(instance, f.attname)), None]
        for f, kind in _tracked(sender)
        if getattr(instance, f.attname) not in (None, "", [], {})
    }
    record(action=_action(sender, "delete"), obj=instance, changes=changes)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    if _current().quiet or action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next(
        (f for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        None,
    )
    name = field.name if field is not None else sender._meta.model_name
    ids = sorted(pk_set or [])
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    extra = {}
    if model._meta.label in ("auth.Permission", "auth.Group") and ids:
        extra["names"] = [str(o) for o in model._base_manager.using(using).filter(pk__in=ids)]
    if name in ("groups", "user_permissions") and not reverse:
        act = "permission_granted" if action == "post_add" else "permission_revoked"
    else:
        act = f"m2m_{action.removeprefix('post_')}"
    record(action=act, obj=instance, changes={name: {verb: ids}}, extra=extra)


def audit_app(app_label: str, *, unaudited: tuple[str, ...] = (), qualified: dict[str, str] | None = None):
    """Audit every model of `app_label` but `unaudited` ("app.Model" labels), writing the fields named in
    `qualified` ("app.Model.field" → "name", "birth", "omit", …) the way it says. Called from the app's
    AppConfig.ready(); idempotent."""
    from django.apps import apps

    AUDITED_APPS.add(app_label)
    UNAUDITED_MODELS.update(unaudited)
    _QUALIFIED.update(qualified or {})
    _connect_models(
        m for m in apps.get_app_config(app_label).get_models() if m._meta.label not in UNAUDITED_MODELS
    )


def audited_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if (m._meta.app_label in AUDITED_APPS or m._meta.label in AUDITED_MODELS)
        and m._meta.label not in UNAUDITED_MODELS
    ]


# ------------------------------------------------------------------------------------ auth events


def _logged_in(sender, request, user, **kwargs):
    record(
        action="login", actor=user, request=request, obj=None, object_type=user._meta.label, object_id=user.pk
    )


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(action="logout", actor=user, request=request, object_type=user._meta.label, object_id=user.pk)


def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` never reaches the trail: only the username typed (the password is not even looked at).
    username = str((credentials or {}).get("username") or "")[:150]
    record(
        action="login_failed",
        actor_label=username or "anonymous",
        request=request,
        extra={"username": username},
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(
        action="lockout",
        actor_label=str(username or "")[:150] or "anonymous",
        request=request,
        extra={"username": str(username or "")[:150]},
    )


def connect() -> None:
    """Wire every receiver (CoreConfig.ready). Per-model senders, so historical models in migrations
    (different classes) are never audited."""
    from axes.signals import user_locked_out
    from django.contrib.auth import signals as auth_signals

    _connect_models(audited_models())
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="core.audit:login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="core.audit:logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="core.audit:login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="core.audit:lockout")


def _connect_models(models_) -> None:
    from django.db.models import signals

    for model in models_:
        uid = f"core.audit:{model._meta.label}"
        signals.pre_save.connect(_pre_save, sender=model, dispatch_uid=f"{uid}:pre_save")
        signals.post_save.connect(_post_save, sender=model, dispatch_uid=f"{uid}:post_save")
        signals.post_delete.connect(_post_delete, sender=model, dispatch_uid=f"{uid}:post_delete")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            assert through is not None  # every many-to-many has its through model once the apps are loaded
            signals.m2m_changed.connect(
                _m2m_changed, sender=through, dispatch_uid=f"core.audit:{through._meta.label}:m2m"
            )


# -------------------------------------------------------------------------------------- middleware


def _denial_code(response) -> str:
    data = getattr(response, "data", None)  # a DRF response
    if data is None and not response.streaming and "json" in response.get("Content-Type", ""):
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("code") or "permission_denied")
    return "permission_denied"


class AuditContextMiddleware:
    """Binds the request for the audit context (actor, REMOTE_ADDR, request id) and records every 403
    answered — DRF's, the pages', the CSRF failure and the second-factor / password-change gates.

    Goes right after django.contrib.auth's AuthenticationMiddleware (so the gates below it are inside)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _context.set(_Context(request=request))
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                self.record_denial(request, response)
            return response
        finally:
            _context.reset(token)

    @staticmethod
    def record_denial(request, response) -> None:
        match = getattr(request, "resolver_match", None)
        try:
            code = _denial_code(response)
            record(
                action="permission_denied",
                reason=code,
                request=request,
                extra={
                    "method": request.method,
                    "path": request.path[:200],
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                },
            )
        except Exception:  # the answer is already decided; a failing trail must not turn it into a 500
            logger.exception("could not record a permission denial")


# ---------------------------------------------------------------------------------------- retention


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def check_settings() -> None:
    """At start-up (CoreConfig.ready): the trail is kept at least 180 days, whatever the environment says."""
    days = getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS={days!r}: audit records must be kept at least {MIN_RETENTION_DAYS} days"
        )


def purge_expired(*, now: dt.datetime | None = None) -> dict:
    """Delete audit and access-log rows older than AUDIT_RETENTION_DAYS — the one deletion the trail
    allows. On PostgreSQL the append-only trigger lets it through only inside this transaction."""
    from .models import AccessLog, AuditEvent

    days = retention_days()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL minqing.audit_purge = 'on'")
        # QuerySet.delete() is refused on these models; the raw delete is the deliberate bypass.
        events = AuditEvent.objects.filter(at__lt=cutoff)._raw_delete(AuditEvent.objects.db)
        accesses = AccessLog.objects.filter(at__lt=cutoff)._raw_delete(AccessLog.objects.db)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL minqing.audit_purge = 'off'")
        result = {"audit_events": events or 0, "access_logs": accesses or 0, "cutoff": cutoff.isoformat()}
        record(action="audit_purged", reason=f"超过保存期限（{days} 天）", extra=result)
    return result
