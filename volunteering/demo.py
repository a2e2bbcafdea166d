"""Demo data for volunteering: the ten posts in every community, claims, programmes from the manual's
特色载体, items in the past and the coming weeks with sign-ups, check-ins, hours (a few waiting for
approval), waitlists, pairings, the love supermarket and a few 八小时以外 notes.

Called by `manage.py seed_demo` after the members app has seeded the town. Fast on purpose: bulk_create
throughout, no services (the data is consistent by construction: capacities are respected, one claim per
member per year, one sign-up per member and item).
"""

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from members.models import Community, Registration, RegistrationStatus, RoleAssignment
from members.roles import MANAGING_ROLES

from .models import (
    CheckInMethod,
    ClaimStatus,
    ConductKind,
    ConductNote,
    DonatedGood,
    Evaluation,
    GoodCategory,
    GoodHandout,
    Pairing,
    PostClaim,
    Programme,
    ProgrammeKind,
    RecordSource,
    RecordStatus,
    RequirementPolicy,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SignUpStatus,
    SkillListing,
    TeamMember,
)

# 十大服务岗位: name, duties, wanted specialties (the roster's SPECIALTIES), capacity
POSTS = [
    ("民情信息岗", "走访楼院，收集居民意见建议，及时反馈社区。", ["政策宣传", "心理疏导"], 6),
    ("治安巡逻岗", "夜间和节假日楼院巡逻，协助做好防火防盗。", ["治安巡逻"], 8),
    ("政策宣传岗", "宣讲惠民政策，发放宣传资料，解答居民咨询。", ["政策宣传", "教育辅导"], 6),
    ("环境卫生岗", "组织楼道清扫、垃圾分类督导和绿化养护。", ["环境整治"], 8),
    ("矛盾调解岗", "参与邻里纠纷调解，配合“和事佬”协会议事。", ["矛盾调解", "法律咨询", "心理疏导"], 5),
    ("关爱帮扶岗", "结对帮扶空巢老人、留守儿童和困难家庭。", ["医疗保健", "心理疏导", "教育辅导"], 8),
    ("法律服务岗", "提供法律咨询，协助居民依法维权。", ["法律咨询"], 4),
    ("文体活动岗", "组织文艺演出、书画展览和健身活动。", ["文艺表演", "书法绘画"], 6),
    ("便民服务岗", "义务维修家电、理发、代办等便民服务。", ["家电维修", "计算机"], 6),
    ("就业信息岗", "收集发布就业信息，帮助下岗失业人员再就业。", ["计算机", "教育辅导"], 4),
]

# What each post does on a Saturday morning.
ACTIVITIES = {
    "民情信息岗": [("楼院民情走访", "入户走访，听取居民意见并登记")],
    "治安巡逻岗": [
        ("夜间治安巡逻", "楼院夜间巡逻，检查消防通道"),
        ("节前安全检查", "检查楼道消防设施和电动车充电"),
    ],
    "政策宣传岗": [("惠民政策宣讲", "在社区广场宣讲医保、养老政策"), ("防诈骗宣传", "讲解常见电信诈骗手法")],
    "环境卫生岗": [
        ("楼道清扫", "清理楼道杂物，张贴垃圾分类指引"),
        ("垃圾分类督导", "在投放点指导居民分类投放"),
    ],
    "矛盾调解岗": [("邻里纠纷调解", "参与“和事佬”议事，调解邻里矛盾")],
    "关爱帮扶岗": [
        ("看望空巢老人", "上门陪伴、打扫卫生、测量血压"),
        ("留守儿童课业辅导", "辅导作业，陪伴阅读"),
    ],
    "法律服务岗": [("法律咨询进小区", "现场解答婚姻家庭、劳动争议等法律问题")],
    "文体活动岗": [("广场文艺演出", "组织居民文艺节目"), ("书法进小区", "为居民书写春联、开展书法讲座")],
    "便民服务岗": [
        ("便民维修服务", "义务维修小家电、自行车"),
        ("智能手机教学", "教老年人使用健康码和视频通话"),
    ],
    "就业信息岗": [("就业信息发布", "收集整理招聘信息，现场答疑")],
}

# The manual's featured programmes, by community code (特色载体, with the community that runs each).
PROGRAMMES = {
    "beijie": [
        ("党员关爱互助基金", ProgrammeKind.MUTUAL_AID_FUND),
        ("空巢老人爱心服务站", ProgrammeKind.EMPTY_NEST),
    ],
    "changcheng": [("留守儿童之家", ProgrammeKind.LEFT_BEHIND_CHILDREN)],
    "wenhuajie": [
        ("爱心超市", ProgrammeKind.LOVE_SUPERMARKET),
        ("民俗文化协会", ProgrammeKind.FOLK_CULTURE),
        ("“和事佬”协会", ProgrammeKind.MEDIATION),
    ],
    "nanjie": [("流动儿童之家", ProgrammeKind.MIGRANT_CHILDREN)],
    "xianfujie": [("爱心助残协会", ProgrammeKind.DISABILITY)],
    "qianyao": [("关爱健康进小区", ProgrammeKind.HEALTH)],
}
PAIRED_KINDS = {
    ProgrammeKind.EMPTY_NEST: "空巢老人",
    ProgrammeKind.LEFT_BEHIND_CHILDREN: "留守儿童",
    ProgrammeKind.MIGRANT_CHILDREN: "流动儿童",
    ProgrammeKind.DISABILITY: "困难残疾人",
}
HOUSEHOLD_NAMES = [
    "王奶奶",
    "李大爷",
    "张奶奶",
    "刘大爷",
    "陈奶奶",
    "小明",
    "小红",
    "小刚",
    "赵阿姨",
    "孙大爷",
]
GOODS = [
    ("儿童冬衣", GoodCategory.CLOTHES),
    ("小学课外书", GoodCategory.BOOKS),
    ("书包", GoodCategory.SCHOOLBAGS),
    ("毛绒玩具", GoodCategory.TOYS),
    ("电饭煲（九成新）", GoodCategory.APPLIANCES),
    ("大米 10kg", GoodCategory.FOOD),
]
SKILLS = ["维修电器", "医疗救助", "水电维修", "理发", "法律咨询", "心理疏导"]
CONDUCT = [
    (ConductKind.PRAISE, "主动调解楼内漏水纠纷，邻里反映良好"),
    (ConductKind.PRAISE, "冬季主动为独居老人清扫积雪"),
    (ConductKind.NOTE, "参加社区家长会，积极建言"),
    (ConductKind.CONCERN, "有居民反映车辆长期占用消防通道，已提醒"),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_current_timezone()
    )


def seed(*, town, rng: random.Random, today: dt.date) -> dict:
    """Seed volunteering for every community of `town`. Returns counts."""
    now = timezone.now()
    communities = list(Community.objects.filter(town=town).order_by("pk"))
    ids = [c.pk for c in communities]
    office = {}
    for user_id, community_id, role in (
        RoleAssignment.objects.filter(community_id__in=ids, role__in=MANAGING_ROLES)
        .order_by("pk")
        .values_list("user_id", "community_id", "role")
    ):
        office.setdefault(community_id, {}).setdefault(role, user_id)
    members: dict[int, list] = {c.pk: [] for c in communities}
    for reg in (
        Registration.objects.filter(community_id__in=ids, status=RegistrationStatus.CONFIRMED)
        .select_related("person__membership")
        .order_by("pk")
    ):
        members[reg.community_id].append(reg.person)
    # Members with a login first, so the demo logins have a history to look at.
    for people in members.values():
        people.sort(key=lambda p: (p.user_id is None, p.pk))

    def organiser(community_id):
        roles = office.get(community_id, {})
        return roles.get("staff") or roles.get("secretary") or roles.get("office_director")

    # Yearly requirement: the default everywhere, 县府街 also asks for hours (Xingtai-style).
    RequirementPolicy.objects.bulk_create(
        [
            RequirementPolicy(
                community=c,
                min_items=1,
                target_items=2,
                min_hours=4 if c.code == "xianfujie" else 0,
                target_hours=8 if c.code == "xianfujie" else 0,
            )
            for c in communities
        ]
    )

    # Capacities scaled to the community's size, so some posts fill up and some stay short.
    def scaled(capacity: int, community_id: int) -> int:
        return max(2, round(capacity * len(members[community_id]) / 45))

    posts = ServicePost.objects.bulk_create(
        [
            ServicePost(
                community=c,
                name=name,
                description=duty,
                specialties=wanted,
                capacity=scaled(cap, c.pk),
                sort_order=i,
            )
            for c in communities
            for i, (name, duty, wanted, cap) in enumerate(POSTS)
        ]
    )
    posts_of: dict[int, list[ServicePost]] = {}
    for post in posts:
        posts_of.setdefault(post.community_id, []).append(post)

    # Claims: most members claim the post matching their specialties, while it has room.
    claims, team = [], []
    for c in communities:
        taken = {p.pk: 0 for p in posts_of[c.pk]}
        for person in members[c.pk]:
            if rng.random() > 0.75:
                continue
            skills = set(getattr(getattr(person, "membership", None), "specialties", None) or [])
            fitting = [p for p in posts_of[c.pk] if skills & set(p.specialties) and taken[p.pk] < p.capacity]
            choices = fitting or [p for p in posts_of[c.pk] if taken[p.pk] < p.capacity]
            if not choices:
                continue
            post = rng.choice(choices)
            taken[post.pk] += 1
            pending = rng.random() < 0.12
            claims.append(
                PostClaim(
                    community=c,
                    post=post,
                    person=person,
                    year=today.year,
                    status=ClaimStatus.PENDING if pending else ClaimStatus.APPROVED,
                    note="按专长认领",
                    decided_at=None if pending else now - dt.timedelta(days=rng.randint(5, 120)),
                    decided_by_id=None if pending else organiser(c.pk),
                )
            )
            if not pending:
                team.append(
                    TeamMember(
                        community=c, person=person, joined_on=today - dt.timedelta(days=rng.randint(5, 120))
                    )
                )
    PostClaim.objects.bulk_create(claims)
    TeamMember.objects.bulk_create(team)

    programmes = Programme.objects.bulk_create(
        [
            Programme(community=c, name=name, kind=kind, description=f"{c.name}{name}，党员志愿者参与。")
            for c in communities
            for name, kind in PROGRAMMES.get(c.code, [("党员先锋服务队", ProgrammeKind.OTHER)])
        ]
    )
    programmes_of: dict[int, list[Programme]] = {}
    for p in programmes:
        programmes_of.setdefault(p.community_id, []).append(p)

    # Items: a dozen in the past (this year and late last year), five in the coming weeks, one under way.
    items = []
    for c in communities:
        org = organiser(c.pk)
        plan = [(-rng.randint(2, 330), False) for _ in range(12)] + [
            (rng.randint(1, 28), False) for _ in range(5)
        ]
        plan.append((0, True))
        for offset, running in plan:
            post = rng.choice(posts_of[c.pk])
            title, content = rng.choice(ACTIVITIES[post.name])
            day = today + dt.timedelta(days=offset)
            if running:
                start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) - dt.timedelta(
                    hours=1
                )
                end = start + dt.timedelta(hours=3)
            else:
                hour = 19 if "夜间" in title else rng.choice([8, 9, 14, 15])
                start = _at(day, hour)
                end = start + dt.timedelta(hours=rng.choice([1, 2, 2, 3]))
            programme = rng.choice(programmes_of[c.pk]) if rng.random() < 0.25 else None
            items.append(
                ServiceItem(
                    community=c,
                    title=title,
                    description=content,
                    place=f"{c.name[:-2]}{rng.randint(1, 3)}号院",
                    starts_at=start,
                    ends_at=end,
                    post=post,
                    programme=programme,
                    capacity=rng.choice([4, 6, 8, 10]),
                    recipients=rng.choice(["辖区居民", "楼院居民", "空巢老人", "青少年", "困难家庭"]),
                    organiser_id=org,
                    created_by_id=org,
                )
            )
    items = ServiceItem.objects.bulk_create(items)

    idle = {p.pk for people in members.values() for p in people[5:] if rng.random() < 0.25}
    signups, records = [], []
    counts = {"check_ins": 0, "waitlisted": 0, "pending_records": 0}
    for item in items:
        people = members[item.community_id]
        if not people:
            continue
        past = item.ends_at < now
        running = item.starts_at <= now <= item.ends_at
        want = item.capacity + (rng.randint(1, 3) if not past and rng.random() < 0.4 else 0)
        # the first few (login) members are in on most items; the rest at random, except that a quarter of
        # the members took part in nothing so far (the secretary's "behind" list is not empty)
        chosen = [p for p in people[:3] if rng.random() < 0.6]
        rest = [p for p in people if p not in chosen and (not past or p.pk not in idle)]
        chosen += rng.sample(rest, min(len(rest), max(want - len(chosen), 0)))
        for n, person in enumerate(chosen):
            queued = item.starts_at - dt.timedelta(days=rng.randint(2, 10), minutes=n)
            confirmed = n < item.capacity
            signup = SignUp(
                item=item,
                person=person,
                queued_at=min(queued, now),
                status=SignUpStatus.CONFIRMED if confirmed else SignUpStatus.WAITLISTED,
            )
            if not confirmed:
                counts["waitlisted"] += 1
                signups.append(signup)
                continue
            if running and rng.random() < 0.5:
                signup.checked_in_at = item.starts_at - dt.timedelta(minutes=rng.randint(0, 15))
                signup.check_in_method = CheckInMethod.QR
                counts["check_ins"] += 1
            if past and rng.random() < 0.88:
                late = dt.timedelta(minutes=rng.choice([0, 0, 5, 10, 20]))
                early = dt.timedelta(minutes=rng.choice([0, 0, 0, 15]))
                signup.checked_in_at = item.starts_at - dt.timedelta(minutes=10) + late
                signup.checked_out_at = item.ends_at + dt.timedelta(minutes=5) - early
                signup.check_in_method = rng.choice([CheckInMethod.QR, CheckInMethod.QR, CheckInMethod.CODE])
                counts["check_ins"] += 1
                started = max(signup.checked_in_at, item.starts_at)
                ended = min(signup.checked_out_at, item.ends_at)
                records.append(
                    ServiceRecord(
                        item=item,
                        person=person,
                        started_at=started,
                        ended_at=ended,
                        minutes=int((ended - started).total_seconds() // 60),
                        content=item.description,
                        evaluation=rng.choice(
                            [Evaluation.EXCELLENT, Evaluation.GOOD, Evaluation.GOOD, Evaluation.PASS]
                        ),
                        source=RecordSource.ON_SITE,
                        status=RecordStatus.APPROVED,
                        recorded_by_id=item.organiser_id,
                        approved_by_id=item.organiser_id,
                        approved_at=signup.checked_out_at,
                    )
                )
            elif past and rng.random() < 0.5:
                # forgot to check in: reported afterwards, waiting for the organiser
                records.append(
                    ServiceRecord(
                        item=item,
                        person=person,
                        started_at=item.starts_at,
                        ended_at=item.ends_at,
                        minutes=int((item.ends_at - item.starts_at).total_seconds() // 60),
                        content=f"{item.description}（本人申报）",
                        source=RecordSource.SELF_REPORTED,
                        status=RecordStatus.PENDING,
                        recorded_by_id=person.user_id,
                    )
                )
                counts["pending_records"] += 1
            signups.append(signup)
    SignUp.objects.bulk_create(signups)
    # recorded_at is auto_now_add (bulk_create stamps it now): a record is written when the service ends,
    # so the demo's history spreads over the past weeks like the rest of the town (one UPDATE)
    records = ServiceRecord.objects.bulk_create(records)
    ServiceRecord.objects.filter(pk__in=[r.pk for r in records]).update(recorded_at=F("ended_at"))

    pairings, goods, skills, notes = [], [], [], []
    for c in communities:
        people = members[c.pk]
        for programme in programmes_of[c.pk]:
            label = PAIRED_KINDS.get(programme.kind)
            if label and people:
                for k, person in enumerate(rng.sample(people, min(4, len(people)))):
                    pairings.append(
                        Pairing(
                            programme=programme,
                            person=person,
                            household=f"{HOUSEHOLD_NAMES[(k + c.pk) % len(HOUSEHOLD_NAMES)]}（{label}）",
                            address=f"{rng.randint(1, 5)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                            started_on=today - dt.timedelta(days=rng.randint(30, 400)),
                            created_by_id=organiser(c.pk),
                        )
                    )
            if programme.kind == ProgrammeKind.LOVE_SUPERMARKET:
                for name, category in GOODS:
                    received = rng.randint(3, 20)
                    goods.append(
                        DonatedGood(
                            programme=programme,
                            name=name,
                            category=category,
                            quantity_received=received,
                            quantity_left=received,
                            donor=rng.choice(["爱心居民", "县第一中学", "县人民医院", "匿名"]),
                            received_on=today - dt.timedelta(days=rng.randint(5, 200)),
                            received_by_id=organiser(c.pk),
                        )
                    )
                for k, person in enumerate(people[:6]):
                    skills.append(
                        SkillListing(
                            programme=programme,
                            person=person,
                            skill=SKILLS[k % len(SKILLS)],
                            contact_phone=person.mobile or "0391-6600000",
                            availability=rng.choice(["周末", "工作日晚上", "随叫随到"]),
                        )
                    )
        secretary = office.get(c.pk, {}).get("secretary")
        for person in rng.sample(people, min(3, len(people))):
            kind, text = rng.choice(CONDUCT)
            notes.append(
                ConductNote(
                    community=c,
                    person=person,
                    kind=kind,
                    note=text,
                    recorded_by_id=secretary,
                    noted_on=today - dt.timedelta(days=rng.randint(3, 200)),
                )
            )
    Pairing.objects.bulk_create(pairings)
    goods = DonatedGood.objects.bulk_create(goods)
    handouts = []
    for good in goods:
        if rng.random() < 0.6:
            quantity = rng.randint(1, max(1, good.quantity_received // 3))
            good.quantity_left -= quantity
            handouts.append(
                GoodHandout(
                    good=good,
                    recipient_name=rng.choice(["困难户王某", "低保户李某", "张某家"]),
                    quantity=quantity,
                    handed_out_on=good.received_on + dt.timedelta(days=3),
                    registered_by_id=good.received_by_id,
                )
            )
    DonatedGood.objects.bulk_update(goods, ["quantity_left"])
    GoodHandout.objects.bulk_create(handouts)
    SkillListing.objects.bulk_create(skills)
    ConductNote.objects.bulk_create(notes)

    return {
        "posts": len(posts),
        "claims": len(claims),
        "team_members": len(team),
        "programmes": len(programmes),
        "items": len(items),
        "signups": len(signups),
        "waitlisted": counts["waitlisted"],
        "check_ins": counts["check_ins"],
        "records": len(records),
        "pending_records": counts["pending_records"],
        "pairings": len(pairings),
        "goods": len(goods),
        "handouts": len(handouts),
        "skills": len(skills),
        "conduct_notes": len(notes),
    }
