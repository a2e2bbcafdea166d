"""Build once, hand out fresh: the machinery behind the `cast` and `module_db` fixtures (tests/conftest.py).

Rows written once are shared; instances never are. Every test gets new instances read from the database,
so an attribute set on one in a test (an unsaved change, a scope cached on a user by
`members.roles.scope_for`) never reaches the next, while what the test writes is rolled back with its
transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Model

Key = tuple[type[Model], Any]  # (model, pk)


def reread(keys: Iterable[Key], known: dict[Key, Model] | None = None) -> dict[Key, Model]:
    """New instances of the rows `keys` name, one query per model, linked to each other and to `known`
    (instances already fresh) wherever a foreign key of one names another — as the factories left them
    (`person.user is member`, `community.town is town`)."""
    pool = dict(known or {})
    wanted = defaultdict(set)
    for model, pk in keys:
        if (model, pk) not in pool:
            wanted[model].add(pk)
    new = {}
    for model, pks in wanted.items():
        rows = model._base_manager.in_bulk(pks)
        if missing := pks - set(rows):
            raise RuntimeError(
                f"{model.__name__} {sorted(missing)} written once for many tests is gone from the database: "
                "a test emptied the tables without being recognised as transactional "
                "(tests/personas.py, empties_the_tables)"
            )
        new.update({(model, pk): obj for pk, obj in rows.items()})
    pool.update(new)
    for obj in new.values():
        for field in obj._meta.concrete_fields:
            if field.many_to_one or field.one_to_one:
                target = pool.get((field.related_model, getattr(obj, field.attname)))
                if target is not None:
                    setattr(obj, field.name, target)
    return pool


def empties_the_tables(item) -> bool:
    """A transactional test flushes every table when it ends (Django's TransactionTestCase)."""
    from django.test import TestCase, TransactionTestCase

    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    cls = getattr(item, "cls", None)
    return cls is not None and issubclass(cls, TransactionTestCase) and not issubclass(cls, TestCase)


class SessionCast:
    """The cast of one test database, committed: the (model, pk) of each of its objects, by name."""

    def __init__(self, build: Callable[[], SimpleNamespace]):
        self._build = build
        self.keys: dict[str, Key] = {}
        self.extras: dict[str, Any] = {}  # what the namespace holds besides rows (MemberCategory)
        self.blocker = None  # pytest-django's django_db_blocker, to write between tests
        self.stale = False  # a transactional test ran: the tables may be empty

    def build(self) -> None:
        with self.blocker.unblock():
            built = self._build()
        self.keys, self.extras = {}, {}
        for name, value in vars(built).items():
            if isinstance(value, Model):
                self.keys[name] = (type(value), value.pk)
            else:
                self.extras[name] = value
        self.stale = False

    def restore(self) -> None:
        """Write the cast again if it is gone (a transactional test that ran, not one that was skipped)."""
        model, pk = next(iter(self.keys.values()))
        with self.blocker.unblock():
            gone = not model._base_manager.filter(pk=pk).exists()
        if gone:
            self.build()
        self.stale = False

    def fresh(self) -> SimpleNamespace:
        """The cast as new instances, in the order `build` named them."""
        pool = reread(self.keys.values())
        return SimpleNamespace(**{name: pool[key] for name, key in self.keys.items()}, **self.extras)


class ModuleWorld:
    """What a test module builds on top of the cast once, for all its tests (the `module_db` fixture).

    `build(fn)` calls fn(cast) inside the module's transaction and returns what fn returned: a namespace,
    dict, list or tuple of model instances (nested as deep as you like) and plain values. `fresh(built,
    cast)` hands one test a copy of it with every row read again, the module's cast replaced by the test's
    own `cast` and its rows by the test's instances.
    """

    def __init__(self, cast: SessionCast, blocker):
        self._cast = cast
        self._blocker = blocker
        self._module_cast = None

    def build(self, fn: Callable[[SimpleNamespace], Any]) -> Any:
        with self._blocker.unblock():
            if self._module_cast is None:
                self._module_cast = self._cast.fresh()
            return fn(self._module_cast)

    def fresh(self, built: Any, cast: SimpleNamespace) -> Any:
        keys: set[Key] = set()
        _walk(built, keys.add)
        known = {(type(obj), obj.pk): obj for obj in vars(cast).values() if isinstance(obj, Model)}
        pool = reread(keys, known)
        return _copy(built, pool, self._module_cast, cast)


def _walk(value: Any, found: Callable[[Key], None]) -> None:
    if isinstance(value, Model):
        if value.pk is not None:
            found((type(value), value.pk))
    elif isinstance(value, SimpleNamespace):
        for item in vars(value).values():
            _walk(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, found)
    elif type(value) in (list, tuple):
        for item in value:
            _walk(item, found)


def _copy(value: Any, pool: dict[Key, Model], old_cast: SimpleNamespace, cast: SimpleNamespace) -> Any:
    if value is old_cast:
        return cast
    if isinstance(value, Model):
        return pool[(type(value), value.pk)] if value.pk is not None else value
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{k: _copy(v, pool, old_cast, cast) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return {k: _copy(v, pool, old_cast, cast) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_copy(v, pool, old_cast, cast) for v in value)
    return value


def world_per_module(build: Callable[[SimpleNamespace], Any]):
    """The `module_world` and `world` fixtures of a module whose tests share what `build(cast)` writes:

        module_world, world = world_per_module(build_world)

    `module_world` builds it once, in the module's transaction (the `module_db` fixture), before the
    module's first test, so every test of the module sees the same rows; `world` hands each test fresh
    instances of it, the module's cast replaced by the test's `cast`. What a test writes rolls back with
    it. A module elsewhere that wants the same rows per test calls `build_world(cast)` itself."""

    @pytest.fixture(scope="module", autouse=True)
    def module_world(module_db):
        return module_db.build(build)

    @pytest.fixture
    def world(module_db, module_world, cast):
        return module_db.fresh(module_world, cast)

    return module_world, world
