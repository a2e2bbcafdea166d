"""督办单 (民情办理督办制度 §2, §5; 跟踪监督): a case past its deadline gets a supervision order with its own
deadline, addressed first to the community's office director (办公室主任负责制); an order still open after
its deadline escalates to the town's complaint-supervision office (投诉监督室督查制), which can escalate it
once more, to the town party committee's meeting (镇关键领导责任制: 提交镇党委会议讨论).

An escalated order stays as it was (state `escalated`) and the next level gets a new order pointing to it
(`parent`), so the climb is visible order by order. Only `supervision.services` changes `state`, through
the transition table (core.transitions), writing a `SupervisionOrderEvent` each time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case
from core.models import AppendOnlyModel, AppendOnlyQuerySet
from members.models import Community, ScopedQuerySet, Town

# The order's own deadline: 3 working days on the town's calendar (the day of issue not counted). The
# manual says the office director must act "立即" and the town hands out orders "限期办理" without a number;
# 3 working days is the manual's own term for answering a resident once the higher level has replied
# (上报件), the shortest written limit after "at once", and the rule of this product for every level.
ORDER_WORKING_DAYS = 3


class OrderLevel(models.IntegerChoices):
    """Who an order is addressed to; an escalation moves one level up."""

    COMMUNITY = 1, "社区办公室主任"
    TOWN_OFFICE = 2, "镇投诉监督室"
    TOWN_COMMITTEE = 3, "镇党委会议"


class OrderState(models.TextChoices):
    ISSUED = "issued", "已下发"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已销号"
    ESCALATED = "escalated", "已升级督办"


ACTION_LABELS = {"issue": "下发", "answer": "答复", "close": "销号", "escalate": "升级督办"}
OPEN_ORDER_STATES = [OrderState.ISSUED, OrderState.ANSWERED]


class OrderQuerySet(ScopedQuerySet):
    """Visible: the orders about a community whose office the user runs (its secretary, staff and office
    director; the town's supervisors for every community of the town), and the orders addressed to the
    user."""

    def _visible(self, scope):
        return self.filter(Q(community_id__in=scope.managed_community_ids) | Q(addressee_id=scope.user_id))

    def open(self):
        return self.filter(state__in=OPEN_ORDER_STATES)

    def overdue(self, today):
        return self.filter(state=OrderState.ISSUED, due_on__lt=today)


class SupervisionOrder(models.Model):
    """督办单: one overdue case, one level, one deadline."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="supervision_orders", verbose_name="民情件"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+", verbose_name="镇")
    level = models.PositiveSmallIntegerField(
        "督办层级", choices=OrderLevel.choices, default=OrderLevel.COMMUNITY
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上一级督办单",
    )
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
        verbose_name="承办人",
        help_text="社区一级：办公室主任（无则书记）；镇一级为空，由镇投诉监督室（镇督查）办理",
    )
    case_due_on = models.DateField("民情件办结期限", help_text="督办时民情件的期限；同一期限每级只督办一次")
    issued_on = models.DateField("下发日期")
    due_on = models.DateField("督办期限")
    state = models.CharField("状态", max_length=12, choices=OrderState.choices, default=OrderState.ISSUED)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    close_reason = models.CharField("销号说明", max_length=500, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # The sweep's idempotency: one order per case, level and day, and per case, level and deadline
            # (a case whose order was closed is not ordered again until its deadline changes) …
            models.UniqueConstraint(
                fields=["case", "level", "issued_on"], name="order_once_per_case_level_day"
            ),
            models.UniqueConstraint(
                fields=["case", "level", "case_due_on"], name="order_once_per_case_deadline"
            ),
            # … and never two open orders about one case.
            models.UniqueConstraint(
                fields=["case"], condition=Q(state__in=["issued", "answered"]), name="one_open_order_per_case"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "state", "-issued_on"], name="order_community_state"),
            models.Index(fields=["town", "level", "state"], name="order_town_level_state"),
            models.Index(fields=["addressee", "state"], name="order_addressee_state"),
            models.Index(fields=["state", "due_on"], name="order_state_due"),
        ]

    def __str__(self):
        return f"督办单 {self.number}"

    @property
    def number(self) -> str:
        return f"DB{self.issued_on:%Y%m%d}-{self.pk:05d}" if self.pk else "DB(未保存)"

    def is_overdue(self, today) -> bool:
        return self.state == OrderState.ISSUED and self.due_on < today


class OrderEventQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    community_path = "order__community_id"

    def _visible(self, scope):
        return self.filter(
            Q(order__community_id__in=scope.managed_community_ids) | Q(order__addressee_id=scope.user_id)
        )


class SupervisionOrderEvent(AppendOnlyModel):
    """The timeline of an order: issued, answered, closed, escalated (by whom, when, why)."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = OrderEventQuerySet.as_manager()

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self):
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
