"""The demo town: the manual's 城关镇 with its six communities, employers, a few hundred people.

Fast on purpose (bulk_create, one password hash shared by every demo login) so `make run` starts quickly.
"""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import (
    Building,
    Community,
    Compound,
    Employer,
    InformationOfficer,
    MemberCategory,
    OfficerSource,
    PartyMembership,
    Person,
    Registration,
    RegistrationChannel,
    RegistrationEvent,
    RegistrationStatus,
    ResponsibilityZone,
    RoleAssignment,
    Town,
    User,
    ZoneAssignment,
    ZoneSource,
)
from .roles import Role
from .validators import id_check_digit

DEMO_PASSWORD = "Demo-2026!"

# The apps built on members add their part of the demo town through a seed they register from their
# AppConfig.ready() (members never imports them): `seed(*, town, rng, today) -> dict of counts`, run in
# registration order (INSTALLED_APPS order: volunteering before cases) after the town itself.
DemoSeed = Callable[..., dict]
_demo_seeds: dict[str, DemoSeed] = {}


def register_demo_seed(app_label: str, seed: DemoSeed) -> None:
    """Register (or replace) an app's demo seed. Idempotent per app."""
    _demo_seeds[app_label] = seed


def demo_seeds() -> list[tuple[str, DemoSeed]]:
    return list(_demo_seeds.items())


class DemoClock:
    """The demo town's history happens over the past weeks, not in the second the seed runs: services called
    inside `clock.at(moment)` see `moment` as now (auto_now fields, event rows, "today" for deadlines). Never
    later than the real now. Only for the seed: the audit trail and access log keep the real time (their
    default is bound when the model is defined), which is what an audit must say."""

    def __init__(self):
        self.real_now = timezone.now()

    @contextmanager
    def at(self, moment: dt.datetime) -> Iterator[dt.datetime]:
        moment = min(moment, self.real_now)
        with mock.patch("django.utils.timezone.now", lambda: moment):
            yield moment


def spread(rng: random.Random, start: dt.datetime, steps: int, *, real_now: dt.datetime) -> list[dt.datetime]:
    """`steps` plausible moments after `start`, a few working hours to two days apart, all before now."""
    moments, moment = [], start
    for _ in range(steps):
        moment = moment + dt.timedelta(hours=rng.randint(2, 40), minutes=rng.randint(0, 59))
        if moment.hour < 8 or moment.hour >= 19:  # office hours, Asia/Shanghai
            local = timezone.localtime(moment)
            moment = local.replace(hour=rng.randint(8, 17)) + dt.timedelta(days=1 if local.hour >= 19 else 0)
        moments.append(moment)
    # squeeze into the past if the last step would be in the future
    if moments and moments[-1] > real_now:
        span = (real_now - dt.timedelta(minutes=30)) - start
        total = moments[-1] - start
        moments = [start + (m - start) * (span / total) for m in moments]
    return moments


COMMUNITIES = [
    ("北街社区", "beijie"),
    ("长城社区", "changcheng"),
    ("文化街社区", "wenhuajie"),
    ("南街社区", "nanjie"),
    ("县府街社区", "xianfujie"),
    ("前窑社区", "qianyao"),
]
EMPLOYERS = [
    ("县人民医院", "yiyuan"),
    ("县第一中学", "yizhong"),
    ("县财政局", "caizheng"),
    ("县供电公司", "gongdian"),
    ("县农业农村局", "nongye"),
    ("县人民法院", "fayuan"),
    ("县邮政分公司", "youzheng"),
    ("县自来水公司", "zilaishui"),
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌波辉宇浩鹏飞婷雪琳晨欣"
SPECIALTIES = [
    "政策宣传",
    "法律咨询",
    "医疗保健",
    "家电维修",
    "教育辅导",
    "环境整治",
    "心理疏导",
    "文艺表演",
    "书法绘画",
    "计算机",
    "矛盾调解",
    "治安巡逻",
]
POSITIONS = ["科员", "副科长", "科长", "教师", "医生", "护士", "工程师", "会计", "法官助理", "职员"]
REGION_CODES = ["410821", "410822", "410823"]


def _id_number(rng: random.Random, birth: dt.date, serial: int, gender: str) -> str:
    seq = serial % 500 * 2 + (1 if gender == "M" else 0)
    first17 = f"{rng.choice(REGION_CODES)}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def _backdate_registrations(regs, events, *, rng: random.Random, now: dt.datetime) -> None:
    """Stamp the registrations and their events at plausible past times (bulk_create stamps them all "now"):
    submitted a few days before the decision, or within the past three weeks when still waiting. Through
    the base manager on purpose — the seed writes a history that did not happen live; nothing else may."""
    submitted = {}
    for r in regs:
        if r.decided_at:
            submitted[r.pk] = r.decided_at - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
        else:
            submitted[r.pk] = now - dt.timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8))
        r.submitted_at = submitted[r.pk]
    Registration.objects.bulk_update(regs, ["submitted_at"], batch_size=500)
    for e in events:
        e.at = (
            submitted[e.registration_id]
            if e.to_status == RegistrationStatus.SUBMITTED
            else e.registration.decided_at
        )
    RegistrationEvent._base_manager.bulk_update(events, ["at"], batch_size=500)


def seed_town(*, rng: random.Random, people_per_community: int = 60) -> dict:
    """Create the town and its people. Returns a dict of what was made (and the demo logins)."""
    now = timezone.now()
    town = Town.objects.create(name="城关镇", code="chengguan")
    communities = [
        Community.objects.create(
            town=town,
            name=name,
            code=code,
            officer_quota=4,
            address=f"城关镇{name[:-2]}路{i + 1}号",
            phone=f"0391-66{i + 1:02d}0000",
        )
        for i, (name, code) in enumerate(COMMUNITIES)
    ]
    employers = Employer.objects.bulk_create(
        [Employer(town=town, name=name, party_org_name=f"中共{name}支部委员会") for name, _ in EMPLOYERS]
    )
    compounds = Compound.objects.bulk_create(
        [Compound(community=c, name=f"{c.name[:-2]}{k}号院") for c in communities for k in range(1, 4)]
    )
    buildings = Building.objects.bulk_create(
        [
            Building(community=comp.community, compound=comp, name=f"{(ci % 3) * 10 + b}号楼")
            for ci, comp in enumerate(compounds)
            for b in range(1, 9)
        ]
    )
    buildings_by_community: dict[int, list[Building]] = {}
    for b in buildings:
        buildings_by_community.setdefault(b.community_id, []).append(b)

    people: list[Person] = []
    serial = 0
    for community in communities:
        for _ in range(people_per_community):
            serial += 1
            gender = rng.choice("MF")
            birth = dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            people.append(
                Person(
                    community=community,
                    name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    gender=gender,
                    ethnicity=rng.choice(["汉族"] * 9 + ["回族"]),
                    birth_date=birth,
                    education=rng.choice(["大学本科", "大专", "研究生", "中专"]),
                    mobile=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
                    id_number=_id_number(rng, birth, serial, gender),
                    building=rng.choice(buildings_by_community[community.pk]),
                    unit_room=f"{rng.randint(1, 5)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                )
            )
    people = Person.objects.bulk_create(people)

    memberships = []
    for i, person in enumerate(people):
        in_service = i % 10 < 6  # six in ten are in-service members
        category = (
            MemberCategory.IN_SERVICE
            if in_service
            else rng.choice(
                [
                    MemberCategory.RETIRED,
                    MemberCategory.RETIRED,
                    MemberCategory.LAID_OFF,
                    MemberCategory.FLOATING,
                    MemberCategory.VETERAN,
                    MemberCategory.GRADUATE,
                ]
            )
        )
        if i % 10 == 9:
            continue  # one in ten is a resident activist, not a party member
        memberships.append(
            PartyMembership(
                person=person,
                category=category,
                # joined at 20–40, and never in the future (the roster import checks both)
                joined_on=dt.date(
                    min(person.birth_date.year + rng.randint(20, 40), 2025), rng.randint(1, 12), 1
                ),
                employer=rng.choice(employers) if in_service else None,
                position=rng.choice(POSITIONS) if in_service else "",
                specialties=rng.sample(SPECIALTIES, rng.randint(1, 2)),
                interests=rng.sample(["书法", "唱歌", "跑步", "摄影", "下棋", "阅读"], 1),
            )
        )
    PartyMembership.objects.bulk_create(memberships)
    member_of = {m.person_id: m for m in memberships}

    # Registrations: most in-service members confirmed, some waiting, a few returned, some not yet registered.
    regs, events = [], []
    for person in people:
        m = member_of.get(person.pk)
        if not m or m.category != MemberCategory.IN_SERVICE:
            continue
        roll = rng.random()
        if roll < 0.12:
            continue  # not registered yet: shows on the secretary's "not registered" list
        status = (
            RegistrationStatus.CONFIRMED
            if roll < 0.82
            else RegistrationStatus.SUBMITTED
            if roll < 0.94
            else RegistrationStatus.RETURNED
        )
        regs.append(
            Registration(
                person=person,
                community_id=person.community_id,
                status=status,
                channel=rng.choice([RegistrationChannel.ONLINE, RegistrationChannel.WINDOW]),
                specialties=m.specialties,
                interests=m.interests,
                decided_at=None
                if status == RegistrationStatus.SUBMITTED
                else now - dt.timedelta(days=rng.randint(1, 200)),
                return_reason="工作单位填写有误，请核对后重新报到"
                if status == RegistrationStatus.RETURNED
                else "",
            )
        )
    regs = Registration.objects.bulk_create(regs)
    for r in regs:
        events.append(
            RegistrationEvent(registration=r, from_status="", to_status=RegistrationStatus.SUBMITTED)
        )
        if r.status != RegistrationStatus.SUBMITTED:
            events.append(
                RegistrationEvent(
                    registration=r,
                    from_status=RegistrationStatus.SUBMITTED,
                    to_status=r.status,
                    note=r.return_reason,
                )
            )
    RegistrationEvent.objects.bulk_create(events)
    _backdate_registrations(regs, events, rng=rng, now=now)
    confirmed_ids = {r.person_id for r in regs if r.status == RegistrationStatus.CONFIRMED}

    # Logins: one per role per community, plus members, officers and employer liaisons.
    password = make_password(DEMO_PASSWORD)
    logins: list[tuple[str, str, str]] = []
    users: dict[str, User] = {}

    def user(username: str, first_name: str, label: str) -> User:
        users[username] = User(username=username, first_name=first_name, password=password)
        logins.append((username, label, first_name))
        return users[username]

    user("admin", "系统管理员", "超级管理员").is_superuser = True
    users["admin"].is_staff = True
    user("zhen", "镇党政办", f"镇管理/督查 · {town.name}")
    for c, (_, code) in zip(communities, COMMUNITIES, strict=True):
        user(f"{code}_shuji", f"{c.name}书记", f"社区党总支书记 · {c.name}")
        user(f"{code}_staff", f"{c.name}工作人员", f"社区工作人员 · {c.name}")
        user(f"{code}_zhuren", f"{c.name}办公室主任", f"办公室主任 · {c.name}")
        user(f"{code}_deputy", f"{c.name}人大代表", f"两代表一委员 · {c.name}")
    for e, (_, code) in zip(employers, EMPLOYERS, strict=True):
        user(f"{code}_liaison", f"{e.name}党组织", f"单位党组织联络人 · {e.name}")

    # Members with logins: the first five confirmed in-service members of each community.
    member_people: dict[int, list[Person]] = {}
    for person in people:
        if person.pk in confirmed_ids and len(member_people.setdefault(person.community_id, [])) < 5:
            member_people[person.community_id].append(person)
    for c, (_, code) in zip(communities, COMMUNITIES, strict=True):
        for k, person in enumerate(member_people.get(c.pk, []), start=1):
            user(f"{code}_m{k}", person.name, f"在职党员 · {c.name}")

    # Officers: three or four per community (quota four), drawn from non-in-service members and activists.
    officers, officer_people = [], []
    for ci, c in enumerate(communities):
        candidates = [
            p
            for p in people
            if p.community_id == c.pk
            and (p.pk not in member_of or member_of[p.pk].category != MemberCategory.IN_SERVICE)
        ]
        count = 3 if ci in (1, 4) else 4  # 长城 and 县府街 are one short: the vacancy alert shows
        for k, person in enumerate(candidates[:count], start=1):
            m = member_of.get(person.pk)
            source = {
                None: OfficerSource.ACTIVIST,
                MemberCategory.RETIRED: OfficerSource.RETIRED,
                MemberCategory.LAID_OFF: OfficerSource.LAID_OFF,
                MemberCategory.FLOATING: OfficerSource.FLOATING,
                MemberCategory.VETERAN: OfficerSource.VETERAN,
                MemberCategory.GRADUATE: OfficerSource.GRADUATE,
            }[m.category if m else None]
            officers.append(
                InformationOfficer(
                    community=c,
                    person=person,
                    appointment_no=f"{c.code.upper()}-2026-{k:03d}",
                    appointed_on=dt.date(2026, 1, 5),
                    term_end=dt.date(2029, 1, 4),
                    source=source,
                    compound=next(x for x in compounds if x.community_id == c.pk),
                )
            )
            officer_people.append(person)
    InformationOfficer.objects.bulk_create(officers)
    for c, (_, code) in zip(communities, COMMUNITIES, strict=True):
        first = next(p for p in officer_people if p.community_id == c.pk)
        user(f"{code}_officer", first.name, f"民情信息员 · {c.name}")

    User.objects.bulk_create(users.values())
    users = {u.username: u for u in User.objects.filter(username__in=users.keys())}

    roles = [RoleAssignment(user=users["zhen"], role=Role.TOWN_SUPERVISOR, town=town)]
    to_link: list[Person] = []
    for c, (_, code) in zip(communities, COMMUNITIES, strict=True):
        roles += [
            RoleAssignment(user=users[f"{code}_shuji"], role=Role.SECRETARY, community=c),
            RoleAssignment(user=users[f"{code}_staff"], role=Role.STAFF, community=c),
            RoleAssignment(user=users[f"{code}_zhuren"], role=Role.OFFICE_DIRECTOR, community=c),
            RoleAssignment(user=users[f"{code}_deputy"], role=Role.DEPUTY, community=c),
            RoleAssignment(user=users[f"{code}_officer"], role=Role.OFFICER, community=c),
        ]
        officer_person = next(p for p in officer_people if p.community_id == c.pk)
        officer_person.user = users[f"{code}_officer"]
        to_link.append(officer_person)
        for k, person in enumerate(member_people.get(c.pk, []), start=1):
            roles.append(RoleAssignment(user=users[f"{code}_m{k}"], role=Role.MEMBER, community=c))
            person.user = users[f"{code}_m{k}"]
            to_link.append(person)
    for e, (_, code) in zip(employers, EMPLOYERS, strict=True):
        roles.append(RoleAssignment(user=users[f"{code}_liaison"], role=Role.EMPLOYER_LIAISON, employer=e))
    RoleAssignment.objects.bulk_create(roles)
    Person.objects.bulk_update(to_link, ["user"])

    # Responsibility zones: two per community, each with a few buildings and two or three members.
    zones, zone_buildings, zone_members = [], [], []
    for c in communities:
        cb = buildings_by_community[c.pk]
        for z in range(2):
            zones.append(ResponsibilityZone(community=c, name=f"第{z + 1}党员责任区"))
    zones = ResponsibilityZone.objects.bulk_create(zones)
    through = ResponsibilityZone.buildings.through
    for zone in zones:
        cb = buildings_by_community[zone.community_id]
        half = len(cb) // 2
        chosen = cb[:half] if zone.name.startswith("第1") else cb[half:]
        zone_buildings += [through(responsibilityzone_id=zone.pk, building_id=b.pk) for b in chosen]
        members_here = [p for p in people if p.community_id == zone.community_id and p.pk in confirmed_ids]
        for person in rng.sample(members_here, min(3, len(members_here))):
            zone_members.append(
                ZoneAssignment(
                    zone=zone,
                    person=person,
                    source=rng.choice([ZoneSource.SELF_REPORTED, ZoneSource.ASSIGNED]),
                    letter_signed_on=dt.date(2026, rng.randint(1, 10), rng.randint(1, 28)),
                )
            )
    through.objects.bulk_create(zone_buildings)
    ZoneAssignment.objects.bulk_create(zone_members, ignore_conflicts=True)

    return {
        "town": town,
        "communities": len(communities),
        "buildings": len(buildings),
        "employers": len(employers),
        "people": len(people),
        "party_members": len(memberships),
        "registrations": len(regs),
        "officers": len(officers),
        "zones": len(zones),
        "logins": logins,
    }
