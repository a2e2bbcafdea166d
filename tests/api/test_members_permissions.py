"""Permission matrix of the members API: every route × every persona, with the exact status code.

The target objects belong to 北街 (the cast's home community). Reading the columns:

* the 北街 office (secretary, staff, director) and the town supervisor (who manages every community of
  城关镇) may read and write;
* officers, members and deputies of 北街 see their community, the places in it and themselves; a write
  they may not make is 403 — except where the payload names an object they cannot see, which is the
  same 400 "does not exist" a missing id gets;
* the employer liaison sees only the employer's in-service members (and their registrations);
* everyone of another community, town or employer gets 404 for 北街's objects (never 403: they must not
  learn that the object exists), and 400 when a payload names one of them;
* logins that run no community office (officer, member, liaison, deputy, outsider) are refused office
  creates with 403 before the payload is read;
* anonymous requests get 403 — with session authentication first, DRF has no WWW-Authenticate challenge
  to send, so it answers NotAuthenticated with 403 (code `not_authenticated`), never 401.

A second table lists exactly which rows each list endpoint returns to each persona.
"""

import io
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from core.models import Notification
from members import services
from members.models import Registration
from members.roster import COLUMNS, roster_import_create
from tests import factories as f
from tests.conftest import ROLE_NAMES
from tests.personas import world_per_module

API = "/api/v1"


def roster_file(community_name: str = "北街社区", id_n: int = 901) -> SimpleUploadedFile:
    """A one-row 花名册 in the town's column layout."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    values = {
        "序号": 1,
        "姓名": "导入人员",
        "性别": "男",
        "身份证号码": f.make_id_number(id_n),
        "党员类别": "离退休党员",
        "居住社区": community_name,
        "楼栋": "1号楼",
    }
    sheet.append([values.get(c, "") for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "花名册.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def build_world(cast):
    """The cast plus one object of every kind in 北街, and a counterpart in 长城 for the list checks."""
    bj_compound = f.CompoundFactory(community=cast.beijie, name="幸福院")
    cc_compound = f.CompoundFactory(community=cast.changcheng, name="长城院")
    registration = services.registration_submit(
        person=cast.member_person, community=cast.beijie, by=cast.member
    )
    foreign_registration = services.registration_submit(
        person=cast.foreign_person, community=cast.changcheng, by=cast.other_secretary
    )
    cc_officer = f.OfficerFactory(
        community=cast.changcheng, person=f.PersonFactory(community=cast.changcheng, name="长城信息员")
    )
    zone = services.zone_save(
        community=cast.beijie, by=cast.secretary, name="一号责任区", buildings=[cast.b1]
    )
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)
    cc_zone = services.zone_save(
        community=cast.changcheng, by=cast.other_secretary, name="长城责任区", buildings=[cast.cc1]
    )
    activist = f.PersonFactory(community=cast.beijie, name="积极分子")
    bj_import = roster_import_create(by=cast.secretary, fileobj=roster_file(), filename="北街.xlsx")
    cc_import = roster_import_create(
        by=cast.other_secretary, fileobj=roster_file("长城社区", 902), filename="长城.xlsx"
    )
    return SimpleNamespace(
        cast=cast,
        bj_compound=bj_compound,
        cc_compound=cc_compound,
        registration=registration,
        foreign_registration=foreign_registration,
        cc_officer=cc_officer,
        zone=zone,
        cc_zone=cc_zone,
        activist=activist,
        bj_import=bj_import,
        cc_import=cc_import,
    )


module_world, world = world_per_module(build_world)  # built once, fresh for each test


def _secretarys_note(w):
    w.note = Notification.objects.create(recipient=w.cast.secretary, kind="test", title="书记的通知")


def _no_active_registration(w):
    Registration.objects.filter(person=w.cast.member_person).delete()


# name: (method, url(w), payload(w) or None, setup(w) or None)
ROUTES = {
    "towns-list": ("get", lambda w: "/towns/", None, None),
    "towns-detail": ("get", lambda w: f"/towns/{w.cast.town_obj.pk}/", None, None),
    "towns-patch": (
        "patch",
        lambda w: f"/towns/{w.cast.town_obj.pk}/",
        lambda w: {"require_2fa_for_staff": True},
        None,
    ),
    "communities-list": ("get", lambda w: "/communities/", None, None),
    "communities-detail": ("get", lambda w: f"/communities/{w.cast.beijie.pk}/", None, None),
    "communities-patch": (
        "patch",
        lambda w: f"/communities/{w.cast.beijie.pk}/",
        lambda w: {"officer_quota": 3},
        None,
    ),
    "compounds-list": ("get", lambda w: "/compounds/", None, None),
    "compounds-detail": ("get", lambda w: f"/compounds/{w.bj_compound.pk}/", None, None),
    "buildings-list": ("get", lambda w: "/buildings/", None, None),
    "buildings-detail": ("get", lambda w: f"/buildings/{w.cast.b1.pk}/", None, None),
    "buildings-create": (
        "post",
        lambda w: "/buildings/",
        lambda w: {"community": w.cast.beijie.pk, "name": "9号楼"},
        None,
    ),
    "employers-list": ("get", lambda w: "/employers/", None, None),
    "employers-detail": ("get", lambda w: f"/employers/{w.cast.hospital.pk}/", None, None),
    "people-list": ("get", lambda w: "/people/", None, None),
    "people-detail": ("get", lambda w: f"/people/{w.cast.member_person.pk}/", None, None),
    "people-create": (
        "post",
        lambda w: "/people/",
        lambda w: {"community": w.cast.beijie.pk, "name": "新居民", "mobile": "13700001111"},
        None,
    ),
    "people-patch": (
        "patch",
        lambda w: f"/people/{w.cast.member_person.pk}/",
        lambda w: {"unit_room": "2单元202"},
        None,
    ),
    "people-reveal": (
        "post",
        lambda w: f"/people/{w.cast.member_person.pk}/reveal/",
        lambda w: {"reason": "电话通知报到"},
        None,
    ),
    "registrations-list": ("get", lambda w: "/registrations/", None, None),
    "registrations-detail": ("get", lambda w: f"/registrations/{w.registration.pk}/", None, None),
    "registrations-create": (
        "post",
        lambda w: "/registrations/",
        lambda w: {"person": w.cast.member_person.pk, "community": w.cast.beijie.pk},
        _no_active_registration,
    ),
    "registrations-confirm": (
        "post",
        lambda w: f"/registrations/{w.registration.pk}/confirm/",
        lambda w: {},
        None,
    ),
    "registrations-return": (
        "post",
        lambda w: f"/registrations/{w.registration.pk}/return/",
        lambda w: {"reason": "资料不全"},
        None,
    ),
    "registrations-withdraw": (
        "post",
        lambda w: f"/registrations/{w.registration.pk}/withdraw/",
        lambda w: {},
        None,
    ),
    "registrations-transfer": (
        "post",
        lambda w: f"/registrations/{w.registration.pk}/transfer/",
        lambda w: {"to_community": w.cast.changcheng.pk},
        None,
    ),
    "officers-list": ("get", lambda w: "/officers/", None, None),
    "officers-detail": ("get", lambda w: f"/officers/{w.cast.officer_row.pk}/", None, None),
    "officers-create": (
        "post",
        lambda w: "/officers/",
        lambda w: {
            "community": w.cast.beijie.pk,
            "person": w.activist.pk,
            "source": "activist",
            "appointed_on": "2026-03-01",
        },
        None,
    ),
    "officers-end": (
        "post",
        lambda w: f"/officers/{w.cast.officer_row.pk}/end/",
        lambda w: {"reason": "resigned"},
        None,
    ),
    "officers-records": (
        "post",
        lambda w: f"/officers/{w.cast.officer_row.pk}/records/",
        lambda w: {"kind": "commendation", "reason": "走访积极"},
        None,
    ),
    "officers-strength": ("get", lambda w: "/officers/strength/", None, None),
    "officers-letter": (
        "get",
        lambda w: f"/officers/{w.cast.officer_row.pk}/letter/",
        None,
        None,
    ),
    "zones-list": ("get", lambda w: "/zones/", None, None),
    "zones-detail": ("get", lambda w: f"/zones/{w.zone.pk}/", None, None),
    "zones-create": (
        "post",
        lambda w: "/zones/",
        lambda w: {"community": w.cast.beijie.pk, "name": "新责任区", "buildings": [w.cast.b2.pk]},
        None,
    ),
    "zones-patch": ("patch", lambda w: f"/zones/{w.zone.pk}/", lambda w: {"name": "改名责任区"}, None),
    "zones-assign": (
        "post",
        lambda w: f"/zones/{w.zone.pk}/assign/",
        lambda w: {"person": w.cast.member_person.pk, "letter_signed_on": "2026-03-05"},
        None,
    ),
    "zones-unassign": (
        "post",
        lambda w: f"/zones/{w.zone.pk}/unassign/",
        lambda w: {"person": w.cast.member_person.pk},
        None,
    ),
    "roster-imports-list": ("get", lambda w: "/roster-imports/", None, None),
    "roster-imports-detail": ("get", lambda w: f"/roster-imports/{w.bj_import.pk}/", None, None),
    "roster-imports-create": (
        "multipart",
        lambda w: "/roster-imports/",
        lambda w: {"file": roster_file(id_n=903)},
        None,
    ),
    "roster-imports-commit": (
        "post",
        lambda w: f"/roster-imports/{w.bj_import.pk}/commit/",
        lambda w: {},
        None,
    ),
    "roster-export": (
        "get",
        lambda w: "/roster-export/",
        None,
        None,
    ),
    "registrations-export-xlsx": ("get", lambda w: "/registrations/export-xlsx/", None, None),
    "roster-imports-problems-xlsx": (
        "get",
        lambda w: f"/roster-imports/{w.bj_import.pk}/problems-xlsx/",
        None,
        None,
    ),
    "me": ("get", lambda w: "/me/", None, None),
    "audit-events-list": ("get", lambda w: "/audit-events/", None, None),
    "audit-events-detail": ("get", lambda w: "/audit-events/1/", None, None),
    "access-logs-list": ("get", lambda w: "/access-logs/", None, None),
    "access-logs-detail": ("get", lambda w: "/access-logs/1/", None, None),
    "notifications-list": ("get", lambda w: "/notifications/", None, None),
    "notifications-mark-read": ("post", lambda w: "/notifications/mark-read/", lambda w: {}, None),
    "notifications-detail": ("get", lambda w: f"/notifications/{w.note.pk}/", None, _secretarys_note),
    "notifications-read": (
        "post",
        lambda w: f"/notifications/{w.note.pk}/read/",
        lambda w: {},
        _secretarys_note,
    ),
    "notifications-unread-count": ("get", lambda w: "/notifications/unread-count/", None, None),
    "notifications-preferences": ("get", lambda w: "/notifications/preferences/", None, None),
    "notifications-preferences-patch": (
        "patch",
        lambda w: "/notifications/preferences/",
        lambda w: {"mail_enabled": False},
        None,
    ),
}

# fmt: off
# Columns in the order of ROLE_NAMES:
#   sec  stf  dir  town | off  mem  lia  dep | osec otwn olia outs | anon
MATRIX_ROWS = [
    ("towns-list",             200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("towns-detail",           200, 200, 200, 200,  200, 200, 404, 200,  200, 404, 404, 404,  403),
    # 管理人员须动态口令: the town's own supervisor only; whoever sees the town otherwise gets 403
    ("towns-patch",            403, 403, 403, 200,  403, 403, 404, 403,  403, 404, 404, 404,  403),
    ("communities-list",       200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("communities-detail",     200, 200, 200, 200,  200, 200, 404, 200,  404, 404, 404, 404,  403),
    ("communities-patch",      200, 200, 200, 200,  403, 403, 404, 403,  404, 404, 404, 404,  403),
    ("compounds-list",         200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("compounds-detail",       200, 200, 200, 200,  200, 200, 404, 200,  404, 404, 404, 404,  403),
    ("buildings-list",         200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("buildings-detail",       200, 200, 200, 200,  200, 200, 404, 200,  404, 404, 404, 404,  403),
    ("buildings-create",       201, 201, 201, 201,  403, 403, 403, 403,  400, 400, 403, 403,  403),
    ("employers-list",         200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("employers-detail",       200, 200, 200, 200,  200, 200, 200, 200,  200, 404, 404, 404,  403),
    ("people-list",            200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("people-detail",          200, 200, 200, 200,  404, 200, 200, 404,  404, 404, 404, 404,  403),
    ("people-create",          201, 201, 201, 201,  403, 403, 403, 403,  400, 400, 403, 403,  403),
    ("people-patch",           200, 200, 200, 200,  404, 403, 403, 404,  404, 404, 404, 404,  403),
    # 查看完整号码: the office of the person's community only (members.privacy)
    ("people-reveal",          200, 200, 200, 200,  404, 403, 403, 404,  404, 404, 404, 404,  403),
    ("registrations-list",     200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("registrations-detail",   200, 200, 200, 200,  404, 200, 200, 404,  404, 404, 404, 404,  403),
    # the officer has a person row (so may register themself) but cannot see 马明: 400, not 403
    ("registrations-create",   201, 201, 201, 201,  400, 201, 403, 403,  400, 400, 403, 403,  403),
    ("registrations-confirm",  200, 200, 200, 200,  404, 403, 403, 404,  404, 404, 404, 404,  403),
    ("registrations-return",   200, 200, 200, 200,  404, 403, 403, 404,  404, 404, 404, 404,  403),
    ("registrations-withdraw", 200, 200, 200, 200,  404, 200, 403, 404,  404, 404, 404, 404,  403),
    ("registrations-transfer", 201, 201, 201, 201,  404, 201, 403, 404,  404, 404, 404, 404,  403),
    ("officers-list",          200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("officers-detail",        200, 200, 200, 200,  200, 404, 404, 404,  404, 404, 404, 404,  403),
    ("officers-create",        201, 201, 201, 201,  403, 403, 403, 403,  400, 400, 403, 403,  403),
    ("officers-end",           200, 200, 200, 200,  403, 404, 404, 404,  404, 404, 404, 404,  403),
    ("officers-records",       201, 201, 201, 201,  403, 404, 404, 404,  404, 404, 404, 404,  403),
    ("officers-strength",      200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("officers-letter",        200, 200, 200, 200,  200, 404, 404, 404,  404, 404, 404, 404,  403),
    ("zones-list",             200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("zones-detail",           200, 200, 200, 200,  200, 200, 404, 200,  404, 404, 404, 404,  403),
    ("zones-create",           201, 201, 201, 201,  403, 403, 403, 403,  400, 400, 403, 403,  403),
    ("zones-patch",            200, 200, 200, 200,  403, 403, 404, 403,  404, 404, 404, 404,  403),
    # officer and deputy see the zone but not 马明, whom the payload names: 400 "does not exist"
    ("zones-assign",           201, 201, 201, 201,  400, 403, 404, 400,  404, 404, 404, 404,  403),
    ("zones-unassign",         200, 200, 200, 200,  400, 403, 404, 400,  404, 404, 404, 404,  403),
    ("roster-imports-list",    200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    # an upload's preview lists every row of the file: its own office and the town only
    ("roster-imports-detail",  200, 200, 200, 200,  404, 404, 404, 404,  404, 404, 404, 404,  403),
    # another office may upload its own file (rows outside its communities come back as row errors)
    ("roster-imports-create",  201, 201, 201, 201,  403, 403, 403, 403,  201, 201, 403, 403,  403),
    ("roster-imports-commit",  200, 200, 200, 200,  404, 404, 404, 404,  404, 404, 404, 404,  403),
    ("roster-export",          200, 200, 200, 200,  403, 403, 403, 403,  200, 200, 403, 403,  403),
    # 导出报到登记 (.xlsx): any community or town office, each its own rows
    ("registrations-export-xlsx", 200, 200, 200, 200,  403, 403, 403, 403,  200, 200, 403, 403,  403),
    # 下载导入问题表: whoever sees the import
    ("roster-imports-problems-xlsx", 200, 200, 200, 200,  404, 404, 404, 404,  404, 404, 404, 404,  403),
    ("me",                     200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    # the audit trail needs the 审计员 permission, which nobody in the cast holds (403 before any lookup)
    ("audit-events-list",      403, 403, 403, 403,  403, 403, 403, 403,  403, 403, 403, 403,  403),
    ("audit-events-detail",    403, 403, 403, 403,  403, 403, 403, 403,  403, 403, 403, 403,  403),
    ("access-logs-list",       403, 403, 403, 403,  403, 403, 403, 403,  403, 403, 403, 403,  403),
    ("access-logs-detail",     403, 403, 403, 403,  403, 403, 403, 403,  403, 403, 403, 403,  403),
    ("notifications-list",     200, 200, 200, 200,  200, 200, 200, 200,  200, 200, 200, 200,  403),
    ("notifications-mark-read", 200, 200, 200, 200, 200, 200, 200, 200,  200, 200, 200, 200,  403),
    # a notification is its recipient's alone (the secretary's here): anyone else's is a 404
    ("notifications-detail",   200, 404, 404, 404,  404, 404, 404, 404,  404, 404, 404, 404,  403),
    ("notifications-read",     200, 404, 404, 404,  404, 404, 404, 404,  404, 404, 404, 404,  403),
    ("notifications-unread-count", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    ("notifications-preferences", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    ("notifications-preferences-patch", 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403),
]
# fmt: on

MATRIX = [
    (route, persona, status)
    for route, *statuses in MATRIX_ROWS
    for persona, status in zip(ROLE_NAMES, statuses, strict=True)
]


def covered_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every route in the table, for tests/security/test_matrix_coverage.py:
    the URL builders are called with a stand-in world whose every object has the primary key `{id}`."""

    class AnyObject:
        pk = "{id}"

        def __getattr__(self, name):
            return self

    return {
        (
            "POST" if method == "multipart" else method.upper(),
            re.sub(r"/\d+/", "/{id}/", API + url(AnyObject())),
        )
        for method, url, _, _ in ROUTES.values()
    }


def test_matrix_covers_every_route_of_the_members_api():
    from members.api_urls import router, urlpatterns

    assert [r[0] for r in MATRIX_ROWS] == list(ROUTES)
    assert len(MATRIX) == len(ROUTES) * len(ROLE_NAMES)
    # Every registered URL pattern (list, detail and each extra action) appears in the table.
    routed = {p.name for p in urlpatterns if p.name}
    covered = {
        "town-list",
        "town-detail",
        "community-list",
        "community-detail",
        "compound-list",
        "compound-detail",
        "building-list",
        "building-detail",
        "employer-list",
        "employer-detail",
        "person-list",
        "person-detail",
        "person-reveal",
        "registration-list",
        "registration-detail",
        "registration-confirm",
        "registration-return",
        "registration-withdraw",
        "registration-transfer",
        "officer-list",
        "officer-detail",
        "officer-end",
        "officer-records",
        "officer-strength",
        "officer-letter",
        "zone-list",
        "zone-detail",
        "zone-assign",
        "zone-unassign",
        "roster-import-list",
        "roster-import-detail",
        "roster-import-commit",
        "roster-import-problems-xlsx",
        "roster-export",
        "registration-export-xlsx",
        "me",
        "notification-list",
        "notification-mark-read",
        "notification-detail",
        "notification-read",
        "notification-unread-count",
        "notification-preferences",
        "audit-event-list",
        "audit-event-detail",
        "access-log-list",
        "access-log-detail",
        # the working-day table moved here from cases; its rows (workdays-*) stay in the cases matrix,
        # whose personas it was written for
        "workday-override-list",
        "workday-override-detail",
        "workday-override-warning",
    }
    assert routed == covered
    assert {basename for _, _, basename in router.registry} == {
        "town",
        "community",
        "compound",
        "building",
        "employer",
        "person",
        "registration",
        "officer",
        "zone",
        "roster-import",
        "notification",
        "audit-event",
        "access-log",
        "workday-override",
    }


def call(client, method, url, payload):
    if method == "multipart":
        return client.post(API + url, payload, format="multipart")
    if payload is None:
        return getattr(client, method)(API + url)
    return getattr(client, method)(API + url, payload, format="json")


@pytest.mark.parametrize(("route", "persona", "expected"), MATRIX, ids=[f"{r}-{p}" for r, p, _ in MATRIX])
def test_permission_matrix(world, as_user, route, persona, expected):
    method, url, payload, setup = ROUTES[route]
    if setup:
        setup(world)

    response = call(as_user(persona), method, url(world), payload(world) if payload else None)

    assert response.status_code == expected, response.content.decode()[:500]
    if expected >= 400:
        body = response.json()
        assert set(body) == {"error"}
        assert {"code", "message", "fields"} <= set(body["error"])
        if expected == 403 and persona == "anonymous":
            assert body["error"]["code"] == "not_authenticated"
        if expected == 404:
            assert body["error"]["code"] == "not_found"
        if expected == 400:
            assert body["error"]["fields"], "a 400 names the offending field"


def test_town_detail_of_another_town_is_404_for_the_town_supervisor(world, as_user):
    response = as_user("town").get(f"{API}/towns/{world.cast.other_town_obj.pk}/")
    assert response.status_code == 404


def test_second_factor_of_another_town_is_404_for_the_town_supervisor(world, as_user):
    response = as_user("town").patch(
        f"{API}/towns/{world.cast.other_town_obj.pk}/", {"require_2fa_for_staff": True}, format="json"
    )
    assert response.status_code == 404
    world.cast.other_town_obj.refresh_from_db()
    assert not world.cast.other_town_obj.require_2fa_for_staff


def test_a_superuser_may_switch_any_towns_second_factor(world):
    client = APIClient()
    client.force_authenticate(f.UserFactory(username="root", is_superuser=True, is_staff=True))

    response = client.patch(
        f"{API}/towns/{world.cast.other_town_obj.pk}/", {"require_2fa_for_staff": True}, format="json"
    )

    assert response.status_code == 200 and response.json()["require_2fa_for_staff"] is True


@pytest.mark.parametrize("persona", ["secretary", "other_secretary", "member"])
def test_a_refused_second_factor_switch_is_403_whatever_the_payload(world, as_user, persona):
    """Asked before the payload is read: a malformed value is no way round the 403."""
    response = as_user(persona).patch(
        f"{API}/towns/{world.cast.town_obj.pk}/", {"require_2fa_for_staff": "maybe"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


# --------------------------------------------------------------------------------- what each list returns

# name: url, and the objects each persona must see (by name on the world / cast), in ROLE_NAMES order.
BJ_OFFICE = ("secretary", "staff", "director")
LIST_VISIBILITY = {
    "towns": (
        "/towns/",
        {
            **dict.fromkeys(BJ_OFFICE, {"town_obj"}),
            "town": {"town_obj"},
            "officer": {"town_obj"},
            "member": {"town_obj"},
            "liaison": set(),
            "deputy": {"town_obj"},
            "other_secretary": {"town_obj"},
            "other_town": {"other_town_obj"},
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
    "communities": (
        "/communities/",
        {
            **dict.fromkeys(BJ_OFFICE, {"beijie"}),
            "town": {"beijie", "changcheng"},
            "officer": {"beijie"},
            "member": {"beijie"},
            "liaison": set(),
            "deputy": {"beijie"},
            "other_secretary": {"changcheng"},
            "other_town": {"dongguan"},
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
    "compounds": (
        "/compounds/",
        {
            **dict.fromkeys(BJ_OFFICE, {"bj_compound"}),
            "town": {"bj_compound", "cc_compound"},
            "officer": {"bj_compound"},
            "member": {"bj_compound"},
            "liaison": set(),
            "deputy": {"bj_compound"},
            "other_secretary": {"cc_compound"},
            "other_town": set(),
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
    "buildings": (
        "/buildings/",
        {
            **dict.fromkeys(BJ_OFFICE, {"b1", "b2"}),
            "town": {"b1", "b2", "cc1"},
            "officer": {"b1", "b2"},
            "member": {"b1", "b2"},
            "liaison": set(),
            "deputy": {"b1", "b2"},
            "other_secretary": {"cc1"},
            "other_town": set(),
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
    "employers": (
        "/employers/",
        {
            **dict.fromkeys(BJ_OFFICE, {"hospital", "finance"}),
            "town": {"hospital", "finance"},
            "officer": {"hospital", "finance"},
            "member": {"hospital", "finance"},
            "liaison": {"hospital"},
            "deputy": {"hospital", "finance"},
            "other_secretary": {"hospital", "finance"},
            "other_town": set(),
            "other_liaison": {"finance"},
            "outsider": set(),
        },
    ),
    "people": (
        "/people/",
        {
            **dict.fromkeys(BJ_OFFICE, {"member_person", "officer_person", "activist"}),
            "town": {"member_person", "officer_person", "activist", "foreign_person", "cc_officer_person"},
            "officer": {"officer_person"},
            "member": {"member_person"},
            "liaison": {"member_person"},
            "deputy": set(),
            "other_secretary": {"foreign_person", "cc_officer_person"},
            "other_town": set(),
            "other_liaison": {"foreign_person"},
            "outsider": set(),
        },
    ),
    "registrations": (
        "/registrations/",
        {
            **dict.fromkeys(BJ_OFFICE, {"registration"}),
            "town": {"registration", "foreign_registration"},
            "officer": set(),
            "member": {"registration"},
            "liaison": {"registration"},
            "deputy": set(),
            "other_secretary": {"foreign_registration"},
            "other_town": set(),
            "other_liaison": {"foreign_registration"},
            "outsider": set(),
        },
    ),
    "officers": (
        "/officers/",
        {
            **dict.fromkeys(BJ_OFFICE, {"officer_row"}),
            "town": {"officer_row", "cc_officer"},
            "officer": {"officer_row"},
            "member": set(),
            "liaison": set(),
            "deputy": set(),
            "other_secretary": {"cc_officer"},
            "other_town": set(),
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
    "zones": (
        "/zones/",
        {
            **dict.fromkeys(BJ_OFFICE, {"zone"}),
            "town": {"zone", "cc_zone"},
            "officer": {"zone"},
            "member": {"zone"},
            "liaison": set(),
            "deputy": {"zone"},
            "other_secretary": {"cc_zone"},
            "other_town": set(),
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
    "roster-imports": (
        "/roster-imports/",
        {
            **dict.fromkeys(BJ_OFFICE, {"bj_import"}),
            "town": {"bj_import", "cc_import"},
            "officer": set(),
            "member": set(),
            "liaison": set(),
            "deputy": set(),
            "other_secretary": {"cc_import"},
            "other_town": set(),
            "other_liaison": set(),
            "outsider": set(),
        },
    ),
}
LIST_CASES = [
    (name, persona) for name, (_, expected) in LIST_VISIBILITY.items() for persona in ROLE_NAMES[:-1]
]


def _obj(world, name):
    if name == "cc_officer_person":
        return world.cc_officer.person
    return getattr(world, name, None) or getattr(world.cast, name)


@pytest.mark.parametrize(("name", "persona"), LIST_CASES, ids=[f"{n}-{p}" for n, p in LIST_CASES])
def test_list_returns_exactly_the_rows_the_persona_may_see(world, as_user, name, persona):
    url, expected = LIST_VISIBILITY[name]

    response = as_user(persona).get(f"{API}{url}", {"page_size": 200})

    assert response.status_code == 200
    ids = sorted(row["id"] for row in response.json()["results"])
    assert ids == sorted(_obj(world, n).pk for n in expected[persona])


STRENGTH = {
    **dict.fromkeys(BJ_OFFICE, {"beijie"}),
    "town": {"beijie", "changcheng"},
    "officer": set(),
    "member": set(),
    "liaison": set(),
    "deputy": set(),
    "other_secretary": {"changcheng"},
    "other_town": {"dongguan"},
    "other_liaison": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", ROLE_NAMES[:-1])
def test_officer_strength_lists_only_the_communities_the_persona_manages(world, as_user, persona):
    response = as_user(persona).get(f"{API}/officers/strength/")
    assert sorted(r["community_id"] for r in response.json()) == sorted(
        getattr(world.cast, n).pk for n in STRENGTH[persona]
    )


@pytest.mark.parametrize("persona", ["other_secretary", "other_town", "other_liaison", "outsider"])
@pytest.mark.parametrize(
    "url",
    [
        "/registrations/{registration}/return/",
        "/registrations/{registration}/transfer/",
        "/officers/{officer}/end/",
        "/officers/{officer}/records/",
        "/zones/{zone}/assign/",
        "/zones/{zone}/unassign/",
    ],
)
def test_foreign_object_is_404_even_when_the_payload_is_invalid(world, as_user, persona, url):
    """The object lookup comes before reading the payload, so a bad payload cannot reveal existence."""
    url = url.format(
        registration=world.registration.pk, officer=world.cast.officer_row.pk, zone=world.zone.pk
    )
    response = as_user(persona).post(f"{API}{url}", {}, format="json")
    assert response.status_code == 404
