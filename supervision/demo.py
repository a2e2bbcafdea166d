"""The supervision part of the demo town: orders in every state (issued, answered, closed, escalated, and
the town-level orders the escalations made), unread order notices for the directors and the town, and two
staff complaints, one concluded on the ladder.

Runs after the cases seed (INSTALLED_APPS order), through the real services, on the cases that the cases
seed left overdue."""

from __future__ import annotations

import datetime as dt
import random

from cases.models import Channel
from core import workdays
from members.models import RoleAssignment
from members.roles import Role

from . import services
from .models import ORDER_WORKING_DAYS, Finding, Measure, OrderLevel, OrderState, SupervisionOrder


def seed(*, town, rng: random.Random, today: dt.date) -> dict:
    supervisor = (
        RoleAssignment.objects.filter(town=town, role=Role.TOWN_SUPERVISOR).select_related("user").first()
    )
    # A week ago the sweep issued orders for what was overdue then; today those still unanswered climb to
    # the town's office, and what is overdue now gets its first order.
    earlier = today
    for _ in range(ORDER_WORKING_DAYS + 2):
        earlier = workdays.previous_working_day(earlier, town=town.pk)
    issued = services.issue_orders(today=earlier, town_ids=[town.pk])
    escalated = services.escalate_overdue(today=today, town_ids=[town.pk])
    issued += services.issue_orders(today=today, town_ids=[town.pk])
    fresh = list(
        SupervisionOrder.objects.filter(town=town, issued_on=today, level=OrderLevel.COMMUNITY)
        .exclude(addressee=None)
        .select_related("addressee")
        .order_by("pk")
    )
    rng.shuffle(fresh)
    for i, order in enumerate(fresh[:6]):
        if i % 3 == 0:
            services.order_answer(
                order=order, answer="已督促承办人，联系物业本周内修复并回复居民。", by=order.addressee
            )
        elif i % 3 == 1 and supervisor:
            services.order_answer(
                order=order, answer="已联系相关部门，预计三个工作日内办结。", by=order.addressee
            )
            services.order_close(
                order=order, reason="承办人已落实整改措施，居民表示理解，继续跟踪。", by=supervisor.user
            )
    town_orders = SupervisionOrder.objects.filter(
        town=town, level=OrderLevel.TOWN_OFFICE, state=OrderState.ISSUED
    )
    first_town_order = town_orders.order_by("pk").first()
    if supervisor and first_town_order is not None:
        services.order_answer(
            order=first_town_order, answer="镇投诉监督室已约谈社区负责人，限期办结。", by=supervisor.user
        )
    complaints = 0
    if supervisor:
        staff = (
            RoleAssignment.objects.filter(community__town=town, role=Role.STAFF)
            .select_related("community", "user")
            .order_by("pk")[:2]
        )
        for n, assignment in enumerate(staff):
            complaint = services.complaint_receive(
                community=assignment.community,
                staff=assignment.user,
                content="办理居住证明时态度生硬，让群众来回跑了三趟。"
                if n == 0
                else "窗口工作时间无人值守。",
                channel=Channel.COMPLAINT_ROOM if n == 0 else Channel.HOTLINE,
                complainant="居民李先生" if n == 0 else "",
                by=supervisor.user,
            )
            complaints += 1
            if n == 0:
                services.complaint_conclude(
                    complaint=complaint,
                    finding=Finding.FOUNDED,
                    findings="经调阅窗口记录并询问当事人，反映基本属实。",
                    measure=Measure.ADMONITION,
                    by=supervisor.user,
                )
    services.notify_issued(today=today)
    by_state = {
        state: SupervisionOrder.objects.filter(town=town, state=state).count() for state in OrderState.values
    }
    return {"orders": issued, "escalated": escalated, "by_state": by_state, "staff_complaints": complaints}
