"""The one way a state changes: lock the row, check the transition table, save the named fields, append
the event — all in the caller's transaction. Every state machine of the product (cases, registrations,
volunteering sign-ups and hours, and the apps to come) goes through here, so "nothing else changes state"
is a property of one function, not of three copies.

A machine is described by two things the caller owns:
- `targets(from_state) -> collection of legal to_states` (for an action-keyed table, close over the action);
- `refused(locked) -> DomainError`, the message the user sees, naming the legal next steps.

Two steps, because some services compute from the locked row before they move it (a case's due date from
its current state): `lock_checked` locks and refuses; `move` checks the chosen target and writes. The
usual one-shot is `apply_transition`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from .errors import DomainError

M = TypeVar("M", bound=models.Model)

Targets = Callable[[str], Collection[str]]


def lock(obj: M) -> M:
    """A fresh copy of `obj`'s row, locked for the rest of the transaction (`SELECT … FOR UPDATE`).
    On SQLite, where row locks do not exist, the immediate transaction mode serialises writers instead."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def lock_checked(obj: M, *, targets: Targets, refused: Callable[[M], DomainError], state_field: str) -> M:
    """Lock the row and refuse (raise `refused(locked)`) when no move is legal from its current state."""
    locked = lock(obj)
    if not targets(getattr(locked, state_field)):
        raise refused(locked)
    return locked


def move(
    locked: M,
    *,
    targets: Targets,
    state_field: str,
    record_event: Callable[[M, str, str], Any],
    to: str | None = None,
    refused: Callable[[M], DomainError] | None = None,
    fields: Mapping[str, Any] | None = None,
    also_save: Iterable[str] = (),
    caller: M | None = None,
) -> Any:
    """Move an already locked row to `to` (or the single legal target), save the state and `fields`,
    and append the event through `record_event(locked, from_state, to_state)`; returns what it returns.

    A target outside the table is the user's error when `refused` is given (raised), otherwise a bug
    in the calling service (AssertionError). `caller`, the object the service was handed, is refreshed
    with the saved values so callers see the new state without another query."""
    from_state = getattr(locked, state_field)
    possible = targets(from_state)
    if to is None and len(possible) == 1:
        to = next(iter(possible))
    if to is None or to not in possible:
        if refused is not None:
            raise refused(locked)
        raise AssertionError(f"{type(locked).__name__}: {from_state} → {to} is not in the transition table")
    changes = dict(fields or {})
    setattr(locked, state_field, to)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=[state_field, *also_save, *changes])
    event = record_event(locked, from_state, to)
    if caller is not None and caller is not locked:
        for field in type(locked)._meta.concrete_fields:
            setattr(caller, field.attname, getattr(locked, field.attname))
    return event


def apply_transition(
    obj: M,
    *,
    to: str,
    targets: Targets,
    refused: Callable[[M], DomainError],
    record_event: Callable[[M, str, str], Any],
    state_field: str = "status",
    fields: Mapping[str, Any] | None = None,
    also_save: Iterable[str] = (),
) -> M:
    """Lock, check, save, append the event; returns the locked row (and refreshes `obj` in place)."""
    locked = lock(obj)
    move(
        locked,
        targets=targets,
        state_field=state_field,
        record_event=record_event,
        to=to,
        refused=refused,
        fields=fields,
        also_save=also_save,
        caller=obj,
    )
    return locked


def table_targets(table: Mapping[Any, Collection[Any]]) -> Targets:
    """`targets` for a plain {from_state: {to_states}} table. Keys and values are usually TextChoices
    members (a str subclass), so the table is typed loosely; a state read from a row is a plain str."""
    return lambda state: table.get(state, ())
