"""Demo data of the cases app, driven through the real services so every timeline is consistent.

`seed(town=…, rng=…, today=…)` expects a town already seeded with communities, buildings, people, officers
and logins (members' seed_demo does that). Per community it publishes time limits and the seven
disclosures, sets up mailboxes with openings (one missed on the previous working day), officers' diaries,
the reception rota with recorded visits, a forum, a thematic group, and cases in every state and channel.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from core import workdays
from members.demo import DemoClock, spread
from members.models import Building, Community, InformationOfficer, OfficerStatus, RoleAssignment
from members.roles import MANAGING_ROLES, Role

from . import services
from .models import (
    AnnouncementCategory,
    Case,
    Category,
    Channel,
    DisclosureKind,
    FeedbackMethod,
    HandlingType,
    Mailbox,
    MailboxOpening,
    PrioritySubject,
    Rating,
    ReceptionDay,
    ReceptionKind,
)
from .states import CaseState

CONCERNS = [
    ("property", "楼道灯坏了，晚上上下楼看不见"),
    ("environment", "小区垃圾桶满了没人清运，气味很大"),
    ("property", "单元门禁坏了，陌生人随便进出"),
    ("security", "小区车棚电动车乱拉电线充电，有火灾隐患"),
    ("assistance", "家里老人想申请低保，不知道要准备什么材料"),
    ("elderly", "独居老人行动不便，希望有人定期上门看看"),
    ("neighbour", "楼上住户晚上装修噪音太大，协商不成"),
    ("policy", "想咨询高龄补贴的申领条件"),
    ("employment", "下岗后想参加技能培训，哪里可以报名"),
    ("procedure", "开具居住证明需要带哪些材料"),
    ("environment", "路边积水严重，下雨天出行困难"),
    ("other", "希望小区增加健身器材"),
]

DISCLOSURES = {
    DisclosureKind.PROCEDURES: "受理 → 分类（五件式）→ 交办 → 办理 → 反馈 → 评价 → 归档",
    DisclosureKind.BASIS: "《“民情流水线”工作法运行程序》及相关政策法规",
    DisclosureKind.STANDARDS: "热情周到、一次性告知、首问负责",
    DisclosureKind.TIME_LIMITS: "即办件当场办结；承诺件 5 个工作日；补办件材料齐全后 5 个工作日；上报件批复后 3 个工作日内回复",
    DisclosureKind.DISCIPLINE: "不得吃拿卡要，不得乱收费，工作时间窗口不得无人",
    DisclosureKind.RESULTS: "办理结果每月在居务公开栏公布",
    DisclosureKind.STAFF: "窗口工作人员佩戴胸牌上岗，桌牌公示姓名、职责",
}

# The moves (after register) that bring a case to each state; "worker" is the assignee.
PATHS = {
    CaseState.REGISTERED: [],
    CaseState.CLASSIFIED: ["classify"],
    CaseState.ASSIGNED: ["classify", "assign"],
    CaseState.IN_PROGRESS: ["classify", "assign", "start"],
    CaseState.WAITING_DOCUMENTS: ["classify", "assign", "start", "request_documents"],
    CaseState.ESCALATED: ["classify", "assign", "start", "escalate"],
    CaseState.RESOLVED: ["classify", "assign", "start", "resolve", "schedule_visit"],
    CaseState.REFERRED: ["classify", "refer"],
    CaseState.FEEDBACK_GIVEN: ["classify", "assign", "start", "resolve", "feedback"],
    CaseState.RATED: ["classify", "assign", "start", "resolve", "feedback", "rate"],
    CaseState.CLOSED: ["classify", "assign", "start", "resolve", "feedback", "rate", "close"],
}


def _drive(case: Case, state: str, *, office, worker, rng: random.Random, today: dt.date) -> None:
    """Move the case along its path, each step at a plausible moment after the last (members.demo.DemoClock):
    the timeline reads as days of work, not one instant."""
    clock = DemoClock()
    last = case.events.order_by("at", "pk").last()
    start = max(case.received_at, last.at) if last else case.received_at
    moments = spread(rng, start, len(PATHS[state]), real_now=clock.real_now)
    for name, moment in zip(PATHS[state], moments, strict=True):
        with clock.at(moment):
            _step(case, name, office=office, worker=worker, rng=rng, today=today)


def _step(case: Case, name: str, *, office, worker, rng: random.Random, today: dt.date) -> None:
    if name == "classify":
        services.case_classify(case=case, by=office, handling_type=HandlingType.PROMISED)
    elif name == "assign":
        services.case_assign(case=case, by=office, assignee=worker)
    elif name == "start":
        services.case_start(case=case, by=worker)
    elif name == "request_documents":
        services.case_request_documents(
            case=case, by=worker, missing=["户口本复印件", "身份证复印件", "收入证明"]
        )
    elif name == "escalate":
        services.case_escalate(case=case, by=office, to_unit="镇城建办")
    elif name == "resolve":
        services.case_resolve(case=case, by=worker, resolution="已协调相关单位处理完毕")
    elif name == "schedule_visit":
        visit = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=2), dt.time(18, 30)))
        services.case_schedule_visit(case=case, by=worker, visit_at=visit, address="居民家中")
    elif name == "refer":
        services.case_refer(
            case=case,
            by=office,
            department="县人社局",
            explanation="该事项不属于社区职权，请到县人社局办理",
        )
    elif name == "feedback":
        method = rng.choice([FeedbackMethod.PHONE, FeedbackMethod.FACE_TO_FACE, FeedbackMethod.LETTER])
        services.case_give_feedback(case=case, by=worker, method=method, text="已将办理结果告知居民")
    elif name == "rate":
        services.case_rate(
            case=case, rating=rng.choice([Rating.SATISFIED, Rating.BASICALLY]), comment="办得及时"
        )
    elif name == "close":
        services.case_close(case=case, by=office)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _seed_community(community: Community, *, rng: random.Random, today: dt.date, counts: dict) -> None:
    roles = list(RoleAssignment.objects.filter(community=community).select_related("user").order_by("pk"))
    office_users = [ra.user for ra in roles if ra.role in MANAGING_ROLES]
    if not office_users:
        return
    office = office_users[0]
    members = [ra.user for ra in roles if ra.role == Role.MEMBER]
    deputies = [ra.user for ra in roles if ra.role == Role.DEPUTY]
    officers = list(
        InformationOfficer.objects.filter(
            community=community, status=OfficerStatus.ACTIVE, person__user__isnull=False
        )
        .select_related("person__user")
        .order_by("pk")
    )
    officer_users = [o.person.user for o in officers]
    workers = officer_users + members + office_users
    buildings = list(Building.objects.filter(community=community).order_by("pk")) or [None]
    town_id = community.town_id

    # Published limits, the seven disclosures, announcements.
    for handling_type, days in [
        ("immediate", 0),
        ("promised", 5),
        ("pending_documents", 5),
        ("escalated", 3),
        ("referral", 2),
    ]:
        services.time_limit_set(
            community=community, by=office, handling_type=handling_type, working_days=days
        )
    for kind, body in DISCLOSURES.items():
        services.disclosure_save(community=community, by=office, kind=kind, body=body)
    for i, category in enumerate(AnnouncementCategory):
        services.announcement_publish(
            community=community,
            by=office,
            category=category,
            title=f"{category.label}公告",
            body=f"{community.name}关于{category.label}的公告，详情请到社区服务大厅咨询。",
            published_on=today - dt.timedelta(days=i * 3),
        )
        counts["announcements"] += 1

    def register(channel, *, days_ago=0, **extra):
        category, content = rng.choice(CONCERNS)
        day = today - dt.timedelta(days=days_ago)
        received = _at(day, 9 + days_ago % 8)
        with DemoClock().at(received):
            case = _register(channel, received, category, content, extra)
        counts["cases"] += 1
        return case

    def _register(channel, received, category, content, extra):
        return services.case_register(
            community=community,
            by=office,
            channel=channel,
            content=content,
            category=category,
            building=rng.choice(buildings),
            resident_name=rng.choice(["王桂兰", "李建国", "张秀英", "刘志强", "陈淑珍"]),
            resident_phone=f"139{rng.randrange(10**8):08d}",
            received_at=received,
            **extra,
        )

    # Cases in every state (received 1–20 days ago, so some promised ones are overdue), all channels used.
    channels = list(Channel.values)
    for i, state in enumerate(CaseState.values):
        case = register(channels[i % len(channels)], days_ago=rng.randint(1, 20))
        _drive(case, state, office=office, worker=rng.choice(workers), rng=rng, today=today)
    # An immediate case settled at the window, and an unsatisfied rating that reopened a case.
    services.case_register(
        community=community,
        by=office,
        channel=Channel.HALL_WINDOW,
        content="开具居住证明",
        category=Category.PROCEDURE,
        settle_on_spot=True,
        resolution="当场开具",
        resident_name="赵大爷",
    )
    counts["cases"] += 1
    reopened = register(Channel.HOTLINE, days_ago=6)
    _drive(
        reopened, CaseState.FEEDBACK_GIVEN, office=office, worker=rng.choice(workers), rng=rng, today=today
    )
    services.case_rate(case=reopened, rating=Rating.UNSATISFIED, comment="问题没有解决")
    # An escalated case whose higher-level reply has arrived.
    answered = register(Channel.CONTACT_CARD, days_ago=10)
    _drive(answered, CaseState.ESCALATED, office=office, worker=rng.choice(workers), rng=rng, today=today)
    services.case_record_higher_reply(
        case=answered,
        by=office,
        reply="同意安排维修资金",
        replied_on=workdays.previous_working_day(today, town=town_id),
    )

    # Mailboxes: opened on each of the last five working days, except the second one yesterday.
    keepers = members[:2] or office_users[:2]
    compounds = [b.compound for b in buildings if b is not None and b.compound_id]
    boxes = []
    for i, keeper in enumerate([keepers[0], keepers[-1]]):
        box = services.mailbox_save(
            community=community,
            by=office,
            location=f"{community.name}{i + 1}号信箱",
            keeper=keeper,
            compound=compounds[i] if i < len(compounds) else None,
        )
        Mailbox.objects.filter(pk=box.pk).update(installed_on=today - dt.timedelta(days=30))
        boxes.append(box)
        counts["mailboxes"] += 1
    clock = DemoClock()
    day = today
    for back in range(5):
        day = workdays.previous_working_day(day, town=town_id)
        for i, box in enumerate(boxes):
            if back == 0 and i == 1:
                continue  # missed: visible to the secretary this morning
            letters = (
                [{"content": rng.choice(CONCERNS)[1], "category": "other"}] if back == 1 and i == 0 else []
            )
            with clock.at(_on(day, 8, rng)):  # opened in the morning of that day, not when the seed runs
                services.mailbox_open(mailbox=box, by=box.keeper, opened_on=day, letters=letters)
            counts["cases"] += len(letters)
            counts["openings"] += 1

    # Officers' diaries: three visits each, one of them turned into a case.
    for user in officer_users:
        for k in range(3):
            category, heard = rng.choice(CONCERNS)
            visited_on = today - dt.timedelta(days=k * 4 + 1)
            with clock.at(_on(visited_on, 15, rng)):  # written up the afternoon of the visit
                entry = services.diary_add(
                    by=user,
                    community=community,
                    visited_on=visited_on,
                    household=f"{rng.choice(buildings).name if buildings[0] else ''}{rng.randint(1, 6)}0{rng.randint(1, 4)} 室",
                    heard=heard,
                    building=rng.choice(buildings),
                )
                counts["diary_entries"] += 1
                if k == 0:
                    services.diary_to_case(entry=entry, by=user, category=category)
                    counts["cases"] += 1

    # The reception rota: last month (held, with visitors), this month and next (published ahead).
    first = today.replace(day=1)
    months = [
        (first - dt.timedelta(days=1)).replace(day=1),
        first,
        (first + dt.timedelta(days=32)).replace(day=1),
    ]
    for month in months:
        for kind in ReceptionKind.values:
            host_user = deputies[0] if (kind == ReceptionKind.DEPUTIES and deputies) else None
            reception = services.reception_schedule(
                community=community,
                by=office,
                kind=kind,
                year=month.year,
                month=month.month,
                host_name=host_user.display_name
                if host_user
                else ("人大代表 周明" if kind == ReceptionKind.DEPUTIES else "镇党委副书记 孙海"),
                host_user=host_user,
                place=f"{community.name}民情联络站",
            )
            counts["receptions"] += 1
            if reception.held_on <= today and month == months[0]:
                for _ in range(2):
                    category, content = rng.choice(CONCERNS)
                    with clock.at(_on(reception.held_on, 9, rng)):  # heard on the reception day
                        services.reception_item_record(
                            reception=reception,
                            by=office,
                            visitor_name=rng.choice(["吴阿姨", "郑师傅", "冯老师"]),
                            visitor_phone=f"138{rng.randrange(10**8):08d}",
                            content=content,
                            category=category,
                            priority_subject=PrioritySubject.MANY_RESIDENTS
                            if kind == ReceptionKind.LEADERS
                            else "",
                        )
                    counts["cases"] += 1

    # Last month's forum: one matter answered on the spot, two registered as cases.
    forum_day = workdays.previous_working_day(first, town=town_id)
    with clock.at(_on(forum_day, 15, rng)):  # minutes recorded the afternoon of the forum
        services.forum_record(
            community=community,
            by=office,
            held_on=forum_day,
            title=f"{forum_day:%m}月民情恳谈会",
            attendees=[
                {"name": "孙海", "role": "镇党委副书记"},
                {"name": "周明", "role": "人大代表"},
                {"name": "县人民医院代表", "role": "辖区单位"},
                {"name": "王桂兰", "role": "居民代表"},
            ],
            minutes="通报社区本月工作，听取辖区单位和居民意见。",
            items=[
                {
                    "raised_by": "王桂兰",
                    "content": "社区活动室开放时间能否延长",
                    "answered_on_spot": True,
                    "answer": "下月起延长至晚八点",
                },
                {
                    "raised_by": "县人民医院代表",
                    "content": "医院门口停车混乱，需要协调",
                    "category": "security",
                },
                {"raised_by": "周明", "content": "老旧小区加装电梯的政策", "category": "policy"},
            ],
        )
    counts["forums"] += 1
    counts["cases"] += 2

    # A thematic group: three reports of the same issue, answered with one reply.
    similar = [register(Channel.HOTLINE, days_ago=3) for _ in range(3)]
    for case in similar:
        Case.objects.filter(pk=case.pk).update(content="3号楼前路灯不亮，晚上出行不安全", category="property")
        case.refresh_from_db()
    for case in similar[:2]:
        services.case_classify(case=case, by=office, handling_type=HandlingType.PROMISED)
    group = services.group_create(community=community, by=office, title="3号楼前路灯不亮", cases=similar)
    services.group_reply(
        group=group, by=office, reply="已联系供电所更换路灯，本周内修复。", method=FeedbackMethod.ONLINE
    )
    counts["groups"] += 1


@transaction.atomic
def _on(day: dt.date, hour: int, rng: random.Random) -> dt.datetime:
    """A moment in office hours of `day` (Asia/Shanghai), for DemoClock."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59))))


def seed(*, town, rng: random.Random, today: dt.date) -> dict:
    counts = dict.fromkeys(
        [
            "cases",
            "mailboxes",
            "openings",
            "diary_entries",
            "receptions",
            "forums",
            "groups",
            "announcements",
        ],
        0,
    )
    for community in Community.objects.filter(town=town).order_by("pk"):
        _seed_community(community, rng=rng, today=today, counts=counts)
    cases = Case.objects.filter(community__town=town)
    counts["by_state"] = dict(cases.values_list("state").annotate(n=Count("pk")).order_by("state"))
    counts["by_channel"] = dict(cases.values_list("channel").annotate(n=Count("pk")).order_by("channel"))
    counts["cases"] = Case.objects.filter(community__town=town).count()
    counts["reception_days"] = ReceptionDay.objects.filter(community__town=town).count()
    counts["openings"] = MailboxOpening.objects.filter(mailbox__community__town=town).count()
    return counts
