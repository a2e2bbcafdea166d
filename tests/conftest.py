"""Shared fixtures: a small named cast per tenant, so a permission test reads like a sentence.

cast.secretary      书记 of 北街 (the home community of most tests)
cast.staff          社区工作人员 of 北街
cast.director       办公室主任 of 北街
cast.town           镇 supervisor of 城关镇 (sees 北街 and 长城)
cast.officer        民情信息员 of 北街 (an activist, appointed)
cast.member         在职党员 living in 北街, working at 县人民医院, with a login
cast.liaison        联络人 of 县人民医院's party organisation
cast.deputy         两代表一委员 at 北街
cast.other_secretary  书记 of 长城 (another community of the same town)
cast.other_town     supervisor of 东关镇 (another town)
cast.other_liaison  联络人 of 县财政局 (another employer)
cast.outsider       a login with no role at all

The cast is written once per test database (each xdist worker has its own), when the database is set up,
and committed; every test still runs in its own transaction, rolled back at its end, so a test may change
the cast's rows freely. Each test gets fresh instances of the cast, read again from the database, so an
attribute set on one (an unsaved change, a scope cached on a user by `members.roles.scope_for`) never
reaches the next test. A transactional test (`django_db(transaction=True)`, `live_server`) sees the cast
committed, as the live server's thread must, and empties every table when it ends: the cast is then
written again before the next test. A test that builds a town of the cast's names itself asks for
`without_cast`; a module whose tests share more rows builds them once with `module_db`
(`tests.personas.world_per_module`).
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from members.models import MemberCategory
from members.roles import Role
from tests import factories as f
from tests.personas import ModuleWorld, SessionCast, empties_the_tables


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Unit tests run tasks eagerly; tests marked `worker` go through the real broker to a real worker."""
    from config.celery import app

    eager = "worker" not in request.keywords
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def build_cast() -> SimpleNamespace:
    """Write the cast to the database and return it."""
    town = f.TownFactory(name="城关镇", code="chengguan")
    other_town = f.TownFactory(name="东关镇", code="dongguan")
    beijie = f.CommunityFactory(town=town, name="北街社区", code="beijie", officer_quota=2)
    changcheng = f.CommunityFactory(town=town, name="长城社区", code="changcheng")
    dongguan_c = f.CommunityFactory(town=other_town, name="东关社区", code="dongguanc")
    hospital = f.EmployerFactory(town=town, name="县人民医院")
    finance = f.EmployerFactory(town=town, name="县财政局")
    b1 = f.BuildingFactory(community=beijie, name="1号楼")
    b2 = f.BuildingFactory(community=beijie, name="2号楼")
    cc1 = f.BuildingFactory(community=changcheng, name="1号楼")

    def login(username, role=None, **org):
        user = f.UserFactory(username=username, first_name=username)
        if role:
            f.RoleFactory(user=user, role=role, **org)
        return user

    secretary = login("alice", Role.SECRETARY, community=beijie)
    staff = login("bob", Role.STAFF, community=beijie)
    director = login("dora", Role.OFFICE_DIRECTOR, community=beijie)
    town_user = login("tom", Role.TOWN_SUPERVISOR, town=town)
    liaison = login("lily", Role.EMPLOYER_LIAISON, employer=hospital)
    deputy = login("dan", Role.DEPUTY, community=beijie)
    other_secretary = login("carl", Role.SECRETARY, community=changcheng)
    other_town_user = login("otto_town", Role.TOWN_SUPERVISOR, town=other_town)
    other_liaison = login("finn", Role.EMPLOYER_LIAISON, employer=finance)
    outsider = login("oscar")

    def numbers(n):
        """A mobile and an ID number outside the factories' sequences: the cast lives beside every person
        the tests create (the ID number is unique, and the factories' repeat every 1,000)."""
        return {"mobile": f"1395731{n:04d}", "id_number": f.make_id_number(n, birth=dt.date(1985, 3, 8))}

    member = login("mike", Role.MEMBER, community=beijie)
    member_person = f.PersonFactory(
        community=beijie, name="马明", user=member, building=b1, unit_room="1单元101", **numbers(486)
    )
    f.MembershipFactory(person=member_person, employer=hospital, specialties=["法律咨询"])

    officer = login("olga", Role.OFFICER, community=beijie)
    officer_person = f.PersonFactory(community=beijie, name="欧兰", user=officer, building=b2, **numbers(597))
    officer_row = f.OfficerFactory(community=beijie, person=officer_person, appointed_on=dt.date(2026, 1, 5))

    # Someone in the other community, to prove it stays invisible.
    foreign_person = f.PersonFactory(community=changcheng, name="陈外", building=cc1, **numbers(628))
    f.MembershipFactory(person=foreign_person, employer=finance)

    return SimpleNamespace(
        town_obj=town,
        other_town_obj=other_town,
        beijie=beijie,
        changcheng=changcheng,
        dongguan=dongguan_c,
        hospital=hospital,
        finance=finance,
        b1=b1,
        b2=b2,
        cc1=cc1,
        secretary=secretary,
        staff=staff,
        director=director,
        town=town_user,
        liaison=liaison,
        deputy=deputy,
        other_secretary=other_secretary,
        other_town=other_town_user,
        other_liaison=other_liaison,
        outsider=outsider,
        member=member,
        member_person=member_person,
        officer=officer,
        officer_person=officer_person,
        officer_row=officer_row,
        foreign_person=foreign_person,
        MemberCategory=MemberCategory,
    )


CAST = SessionCast(build_cast)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each test database is created with the cast in it, committed."""
    CAST.blocker = django_db_blocker
    CAST.build()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if CAST.keys and empties_the_tables(item):
        CAST.stale = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Write the cast again, before the test's fixtures open its transaction, if the last test flushed it."""
    if CAST.stale:
        CAST.restore()


@pytest.fixture
def cast(db):
    return CAST.fresh()


@pytest.fixture
def without_cast(db):
    """For a test that builds a town of the cast's own names itself (城关镇, 北街社区 …): the cast is
    deleted inside the test's transaction, so it is back when the transaction rolls back. (The audit rows
    its creation wrote stay: the trail is append-only.)"""
    cast = CAST.fresh()
    for name in ("officer_row", "member_person", "officer_person", "foreign_person"):
        getattr(cast, name).delete()  # people first: an officer post protects its person
    for model, pk in reversed(CAST.keys.values()):  # then in the reverse order of creation
        model._base_manager.filter(pk=pk).delete()


@pytest.fixture(scope="module")
def module_db(request, django_db_setup, django_db_blocker):
    """For a module whose tests share what it builds once (a permission matrix's rows): a transaction held
    open for the module and rolled back at its end; each test still runs in its own savepoint inside it
    (pytest-django's `db`), so what a test writes is gone for the next. Used through
    `tests.personas.world_per_module`. Not for a module with transactional tests: they must commit, and
    they empty the tables."""
    flushing = [
        item.nodeid
        for item in request.session.items
        if getattr(item, "module", None) is request.module and empties_the_tables(item)
    ]
    if flushing:
        raise pytest.UsageError(f"module_db in a module with transactional tests: {flushing}")
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
    try:
        yield ModuleWorld(CAST, django_db_blocker)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


ROLE_NAMES = [
    "secretary",
    "staff",
    "director",
    "town",
    "officer",
    "member",
    "liaison",
    "deputy",
    "other_secretary",
    "other_town",
    "other_liaison",
    "outsider",
    "anonymous",
]


def home_communities(cast) -> dict[str, set[int]]:
    """The communities whose rows each signed-in persona may ever see in a list: its own community, every
    community of its town, or none (employer liaisons and the outsider). A row of any other community in a
    list is a leak across tenants."""
    beijie, changcheng = {cast.beijie.pk}, {cast.changcheng.pk}
    return {
        **dict.fromkeys(["secretary", "staff", "director", "officer", "member", "deputy"], beijie),
        "town": beijie | changcheng,
        "other_secretary": changcheng,
        "other_town": {cast.dongguan.pk},
        **dict.fromkeys(["liaison", "other_liaison", "outsider"], set()),
    }


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(cast):
    """as_user("secretary") → an APIClient logged in as that persona (or anonymous)."""

    def make(name: str) -> APIClient:
        client = APIClient()
        if name != "anonymous":
            client.force_authenticate(getattr(cast, name))
        return client

    return make


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests (locks, races) run only on PostgreSQL; `worker` only with a real worker."""
    import os

    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    with_worker = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "").lower() in {"0", "false", "no"}
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (run by .ci/run)"))
        if "worker" in item.keywords and not (on_postgres and with_worker):
            item.add_marker(
                pytest.mark.skip(reason="needs a real Celery worker on a real broker (run by .ci/run)")
            )


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory, worker_id):
    """A real `celery worker` process on the real broker, reading and writing the test database.

    Each xdist worker gets its own queue so two test processes never consume each other's tasks.
    Yields a namespace with the queue name, the folder the worker's emails land in, the worker `process`
    (leader of its own process group) and `restart(extra_args=(), extra_env=None)`.
    """
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.conf import settings as dj_settings
    from django.db import connection

    from config.celery import app

    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-{worker_id}-{os.getpid()}"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_TESTING": "1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    app.conf.task_default_queue = queue
    log = open(mail_dir.parent / f"{queue}.log", "w")  # noqa: SIM115
    node = f"{queue}@{os.uname().nodename}"

    def start(extra_args=(), extra_env=None):
        # Its own process group, so a test can SIGKILL the worker together with its pool children.
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                *extra_args,
            ],
            cwd=Path(dj_settings.BASE_DIR),
            env={**env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early, see {log.name}")
            if app.control.ping(destination=[node], timeout=1.0):
                return proc
        os.killpg(proc.pid, signal.SIGKILL)
        raise RuntimeError("celery worker did not answer a ping within 60 s")

    def stop(proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    worker = SimpleNamespace(process=start(), queue=queue, mail_dir=mail_dir, env=env, log=log.name)

    def restart(extra_args=(), extra_env=None):
        """Stop the worker if it still runs (a test may have killed it) and start a fresh one on the same
        queue, optionally with more arguments (e.g. `-I module`) or environment."""
        stop(worker.process)
        worker.process = start(extra_args, extra_env)
        return worker.process

    worker.restart = restart
    yield worker
    stop(worker.process)
    log.close()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy (for effects produced by the real worker)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
