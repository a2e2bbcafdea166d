"""Volunteering (先锋惠民服务制度): the ten service posts, service items, hours, the yearly requirement,
featured programmes (特色载体) and the data behind each member's activity ledger (活动台账).

Builds on `members`; imports no app above it. Every write goes through `volunteering.services`; every
read starts from a queryset's `visible_to(user)` (see `volunteering.access` for who sees what).
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import Building, Community, Person, ScopedQuerySet

from . import access

MAX_POSTS_PER_COMMUNITY = 10  # 十大服务岗位


# ------------------------------------------------------------------------------------------ querysets


class CommunityWideQuerySet(ScopedQuerySet):
    """Rows every role holder of the community may read (posts, items, programmes, the skills directory):
    its office, the town supervising it, and its members, officers and deputies. Employer liaisons see none."""

    def _visible(self, scope):
        return self.filter(**{f"{self.community_path}__in": access.participant_community_ids(scope)})


class PersonalQuerySet(ScopedQuerySet):
    """Rows about one member (claims, sign-ups, hours, pairings): the office and the town read them all,
    a member reads their own."""

    person_path = "person_id"

    def _visible(self, scope):
        q = Q(**{f"{self.community_path}__in": scope.managed_community_ids})
        if scope.person_id:
            q |= Q(**{self.person_path: scope.person_id})
        return self.filter(q)


class OfficeOnlyQuerySet(ScopedQuerySet):
    """Rows only the community's own office (书记/工作人员/办公室主任) may read — not the town, not the member."""

    def visible_to(self, user):
        ids = access.office_community_ids(user)
        if ids is None:
            return self
        return self.filter(**{f"{self.community_path}__in": ids})


# ----------------------------------------------------------------------------------- yearly requirement


class RequirementPolicy(models.Model):
    """年度服务要求: what each in-service member completes per calendar year (Asia/Shanghai).

    The manual asks for 1–2 service items every 12 months; local rules vary (items, hours or both), so each
    community sets its own. A requirement of 0 means "not required"; both non-zero means both must be met.
    """

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="volunteer_policy", verbose_name="社区"
    )
    min_items = models.PositiveSmallIntegerField("每年最少服务事项", default=1)
    target_items = models.PositiveSmallIntegerField("每年目标服务事项", default=2)
    min_hours = models.DecimalField("每年最少服务时长（小时）", max_digits=5, decimal_places=1, default=0)
    target_hours = models.DecimalField("每年目标服务时长（小时）", max_digits=5, decimal_places=1, default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommunityWideQuerySet.as_manager()

    class Meta:
        verbose_name = "年度服务要求"
        verbose_name_plural = "年度服务要求"
        constraints = [
            models.CheckConstraint(
                name="policy_target_items_not_below_min", condition=Q(target_items__gte=models.F("min_items"))
            ),
            models.CheckConstraint(
                name="policy_target_hours_not_below_min", condition=Q(target_hours__gte=models.F("min_hours"))
            ),
            models.CheckConstraint(
                name="policy_requires_something", condition=Q(min_items__gt=0) | Q(min_hours__gt=0)
            ),
        ]

    def __str__(self):
        return f"{self.community} 年度要求"


# ------------------------------------------------------------------------------------- posts and claims


class ServicePost(models.Model):
    """服务岗位 — one of the community's (up to) ten service posts, e.g. 民情信息岗, 治安巡逻岗."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="service_posts", verbose_name="社区"
    )
    name = models.CharField("岗位名称", max_length=50)
    description = models.TextField("岗位职责", blank=True)
    specialties = models.JSONField("所需专长", default=list, blank=True)
    capacity = models.PositiveSmallIntegerField("岗位人数", default=5, validators=[MinValueValidator(1)])
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityWideQuerySet.as_manager()

    class Meta:
        verbose_name = "服务岗位"
        verbose_name_plural = "服务岗位"
        ordering = ["community_id", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="service_post_name_unique"),
            models.CheckConstraint(name="service_post_capacity_positive", condition=Q(capacity__gte=1)),
        ]

    def __str__(self):
        return self.name


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已认领"
    DECLINED = "declined", "未通过"
    WITHDRAWN = "withdrawn", "已退出"


ACTIVE_CLAIM_STATUSES = [ClaimStatus.PENDING, ClaimStatus.APPROVED]


class PostClaimQuerySet(PersonalQuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_CLAIM_STATUSES)


class PostClaim(models.Model):
    """认领: an in-service member claims one post per year by specialty and interest; the office approves."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name="社区")
    post = models.ForeignKey(
        ServicePost, on_delete=models.PROTECT, related_name="claims", verbose_name="岗位"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="post_claims", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    note = models.CharField("认领说明", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField("未通过原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PostClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位认领"
        verbose_name_plural = "岗位认领"
        ordering = ["-year", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_active_post_claim_per_person_year",
            )
        ]
        indexes = [models.Index(fields=["post", "year", "status"])]

    def __str__(self):
        return f"{self.person} · {self.post} ({self.year})"


class TeamMember(models.Model):
    """党员志愿服务队: the community's volunteer team. Joined on request or when a post claim is approved."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name="社区")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="volunteer_teams", verbose_name="队员"
    )
    joined_on = models.DateField("入队日期")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务队队员"
        verbose_name_plural = "志愿服务队队员"
        ordering = ["community_id", "joined_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "person"], name="team_member_unique")]

    def __str__(self):
        return f"{self.person} @ {self.community}"


# ------------------------------------------------------------------------------------------ programmes


class ProgrammeKind(models.TextChoices):
    MUTUAL_AID_FUND = "mutual_aid_fund", "党员关爱互助基金"
    EMPTY_NEST = "empty_nest", "空巢老人爱心服务站"
    LEFT_BEHIND_CHILDREN = "left_behind_children", "留守儿童之家"
    MIGRANT_CHILDREN = "migrant_children", "流动儿童之家"
    LOVE_SUPERMARKET = "love_supermarket", "爱心超市"
    FOLK_CULTURE = "folk_culture", "民俗协会"
    MEDIATION = "mediation", "和事佬协会"
    DISABILITY = "disability", "爱心助残协会"
    HEALTH = "health", "关爱健康进小区"
    OTHER = "other", "其他"


class Programme(models.Model):
    """特色载体: a community's own programme. Hosts service items, member–household pairings (结对) and,
    for a love supermarket, an inventory of donated goods and a directory of members' skills."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="programmes", verbose_name="社区"
    )
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=30, choices=ProgrammeKind.choices)
    description = models.TextField("简介", blank=True)
    is_active = models.BooleanField("运行中", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityWideQuerySet.as_manager()

    class Meta:
        verbose_name = "特色载体"
        verbose_name_plural = "特色载体"
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="programme_name_unique")]

    def __str__(self):
        return self.name

    @property
    def has_inventory(self) -> bool:
        return self.kind == ProgrammeKind.LOVE_SUPERMARKET


class PairingStatus(models.TextChoices):
    ACTIVE = "active", "结对中"
    ENDED = "ended", "已结束"


class PairingQuerySet(PersonalQuerySet):
    community_path = "programme__community_id"


class Pairing(models.Model):
    """结对帮扶: a member paired with a household (an empty-nest elder, a left-behind child, a disabled resident)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="pairings", verbose_name="载体"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="pairings", verbose_name="结对党员"
    )
    household = models.CharField("结对对象", max_length=100, help_text="如：王奶奶（空巢老人）")
    recipient = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结对居民（花名册）",
    )
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="楼栋"
    )
    address = models.CharField("单元/门牌", max_length=50, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PairingStatus.choices, default=PairingStatus.ACTIVE
    )
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["programme_id", "-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "household"],
                condition=Q(status="active"),
                name="pairing_active_unique",
            ),
            models.CheckConstraint(
                name="pairing_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
        ]

    def __str__(self):
        return f"{self.person} ↔ {self.household}"


class GoodCategory(models.TextChoices):
    BOOKS = "books", "书本"
    CLOTHES = "clothes", "衣服"
    TOYS = "toys", "玩具"
    SCHOOLBAGS = "schoolbags", "书包"
    APPLIANCES = "appliances", "旧家电"
    FOOD = "food", "米面粮油"
    OTHER = "other", "其他"


class DonatedGoodQuerySet(CommunityWideQuerySet):
    community_path = "programme__community_id"


class DonatedGood(models.Model):
    """爱心超市 inventory: donated goods, given to residents in need on registration (登记后即可拿去使用)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="goods", verbose_name="载体"
    )
    name = models.CharField("物品", max_length=80)
    category = models.CharField("类别", max_length=20, choices=GoodCategory.choices)
    quantity_received = models.PositiveIntegerField("捐赠数量", validators=[MinValueValidator(1)])
    quantity_left = models.PositiveIntegerField("库存")
    donor = models.CharField("捐赠人", max_length=80, blank=True)
    received_on = models.DateField("接收日期")
    condition = models.CharField("成色/说明", max_length=100, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DonatedGoodQuerySet.as_manager()

    class Meta:
        verbose_name = "爱心超市物品"
        verbose_name_plural = "爱心超市物品"
        ordering = ["programme_id", "-received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="good_stock_within_received",
                condition=Q(quantity_left__lte=models.F("quantity_received")),
            ),
            models.CheckConstraint(name="good_received_positive", condition=Q(quantity_received__gte=1)),
        ]

    def __str__(self):
        return f"{self.name}（余{self.quantity_left}）"


class HandoutQuerySet(OfficeOnlyQuerySet):
    """Who received what is about residents in need: the office only (and the town does not need it)."""

    community_path = "good__programme__community_id"


class GoodHandout(models.Model):
    """发放登记: a resident takes donated goods; registered by the office."""

    good = models.ForeignKey(
        DonatedGood, on_delete=models.PROTECT, related_name="handouts", verbose_name="物品"
    )
    recipient_name = models.CharField("领取人", max_length=50)
    recipient = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="领取人（花名册）",
    )
    quantity = models.PositiveIntegerField("数量", validators=[MinValueValidator(1)])
    handed_out_on = models.DateField("领取日期")
    note = models.CharField("备注", max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HandoutQuerySet.as_manager()

    class Meta:
        verbose_name = "爱心超市发放登记"
        verbose_name_plural = "爱心超市发放登记"
        ordering = ["-handed_out_on", "-pk"]
        constraints = [models.CheckConstraint(name="handout_quantity_positive", condition=Q(quantity__gte=1))]

    def __str__(self):
        return f"{self.recipient_name} · {self.good.name} × {self.quantity}"


class SkillListingQuerySet(CommunityWideQuerySet):
    community_path = "programme__community_id"

    def active(self):
        return self.filter(is_active=True)


class SkillListing(models.Model):
    """技能名录: a member's skill residents can call on (维修电器, 医疗救助 …), listed with the member's consent."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="skills", verbose_name="载体"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="skill_listings", verbose_name="党员"
    )
    skill = models.CharField("专长", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    availability = models.CharField("可服务时间", max_length=100, blank=True)
    is_active = models.BooleanField("有效", default=True)
    # volunteering.retention: the contact phone of a withdrawn listing is blanked SKILL_PHONE_RETENTION_DAYS
    # after this. save() keeps it in step with is_active, however the listing is switched (the service,
    # the admin); a listing switched off before it was recorded counts from `created_at`.
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SkillListingQuerySet.as_manager()

    class Meta:
        verbose_name = "党员技能名录"
        verbose_name_plural = "党员技能名录"
        ordering = ["programme_id", "skill", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "skill"],
                condition=Q(is_active=True),
                name="skill_listing_unique",
            )
        ]

    def __str__(self):
        return f"{self.skill} · {self.person}"

    def save(self, *args, **kwargs):
        withdrawn_at = None if self.is_active else (self.withdrawn_at or timezone.now())
        if withdrawn_at != self.withdrawn_at:
            self.withdrawn_at = withdrawn_at
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "withdrawn_at"}
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------------------- service items


def new_checkin_key() -> str:
    return secrets.token_hex(8)


class ItemStatus(models.TextChoices):
    OPEN = "open", "报名中"
    CANCELLED = "cancelled", "已取消"


class ServiceItem(models.Model):
    """志愿服务事项: one activity at a date, time and place, under a post and/or a programme, with a capacity.

    Sign-ups lock this row (`select_for_update`) so the capacity is never exceeded; `checkin_key` is mixed into
    the QR token and the short code, so rotating it invalidates every code shown so far.
    """

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="service_items", verbose_name="社区"
    )
    title = models.CharField("事项名称", max_length=100)
    description = models.TextField("服务内容", blank=True)
    place = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    post = models.ForeignKey(
        ServicePost,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name="服务岗位",
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name="特色载体",
    )
    capacity = models.PositiveSmallIntegerField(
        "名额", validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    required_skills = models.JSONField("所需技能", default=list, blank=True)
    recipients = models.CharField("服务对象", max_length=100, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="活动负责人",
    )
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    checkin_key = models.CharField(max_length=32, default=new_checkin_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityWideQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务事项"
        verbose_name_plural = "志愿服务事项"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="item_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
            models.CheckConstraint(name="item_capacity_positive", condition=Q(capacity__gte=1)),
        ]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self):
        return self.title


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已报名"
    WAITLISTED = "waitlisted", "候补"
    CANCELLED = "cancelled", "已取消"


class CheckInMethod(models.TextChoices):
    QR = "qr", "扫码"
    CODE = "code", "签到码"
    ORGANISER = "organiser", "负责人登记"


class SignUpQuerySet(PersonalQuerySet):
    community_path = "item__community_id"

    def confirmed(self):
        return self.filter(status=SignUpStatus.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=SignUpStatus.WAITLISTED).order_by("queued_at", "pk")


class SignUp(models.Model):
    """报名. One row per person and item (a database constraint); cancelling and signing up again reuses it.

    The waitlist is ordered by `queued_at`; a cancellation promotes its head in the same transaction.
    """

    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, related_name="signups", verbose_name="事项"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="volunteer_signups", verbose_name="党员"
    )
    status = models.CharField("状态", max_length=10, choices=SignUpStatus.choices)
    queued_at = models.DateTimeField("报名时间")
    promoted_at = models.DateTimeField("候补转正时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    check_in_method = models.CharField("签到方式", max_length=10, choices=CheckInMethod.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["item_id", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "person"], name="signup_once_per_person_item"),
            models.CheckConstraint(
                name="signup_checkout_after_checkin",
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=models.F("checked_in_at")),
            ),
        ]
        indexes = [models.Index(fields=["item", "status", "queued_at"])]

    def __str__(self):
        return f"{self.person} → {self.item} ({self.get_status_display()})"


# ---------------------------------------------------------------------------------------------- hours


class RecordSource(models.TextChoices):
    ON_SITE = "on_site", "现场签到"
    ORGANISER = "organiser", "负责人登记"
    SELF_REPORTED = "self_reported", "本人申报"
    BACK_FILLED = "back_filled", "事后补录"


# Records from these sources were not seen on the spot: they wait for the organiser's approval and are
# audited separately (《志愿服务记录与证明出具办法》).
UNVERIFIED_SOURCES = [RecordSource.SELF_REPORTED, RecordSource.BACK_FILLED]


class RecordStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已确认"
    REJECTED = "rejected", "未通过"
    CANCELLED = "cancelled", "已注销"


class Evaluation(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class ServiceRecordQuerySet(PersonalQuerySet):
    community_path = "item__community_id"

    def approved(self):
        return self.filter(status=RecordStatus.APPROVED)


class ServiceRecord(models.Model):
    """志愿服务记录 per the national rules (民政部《志愿服务记录办法》): the activity, the actual service time
    (inside the item's window, travel excluded), the content, a quality evaluation and the recorder.
    Only approved records count toward the yearly requirement; false hours are cancelled (注销), never deleted."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="records", verbose_name="事项"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="volunteer_records", verbose_name="志愿者"
    )
    started_at = models.DateTimeField("服务开始")
    ended_at = models.DateTimeField("服务结束")
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    content = models.CharField("服务内容", max_length=300)
    evaluation = models.CharField("服务评价", max_length=10, choices=Evaluation.choices, blank=True)
    evaluation_note = models.CharField("评价说明", max_length=200, blank=True)
    source = models.CharField("记录方式", max_length=15, choices=RecordSource.choices)
    status = models.CharField("状态", max_length=10, choices=RecordStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="记录人",
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    status_reason = models.CharField("未通过/注销原因", max_length=200, blank=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "person"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_live_record_per_person_item",
            ),
            models.CheckConstraint(
                name="record_ends_after_start", condition=Q(ended_at__gt=models.F("started_at"))
            ),
        ]
        indexes = [models.Index(fields=["person", "status", "started_at"])]

    def __str__(self):
        return f"{self.person} · {self.item} · {self.minutes} 分钟"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def is_unverified(self) -> bool:
        return self.source in UNVERIFIED_SOURCES


# --------------------------------------------------------------------------- conduct outside work hours


class ConductKind(models.TextChoices):
    PRAISE = "praise", "表现良好"
    CONCERN = "concern", "需要关注"
    NOTE = "note", "一般情况"


class ConductNote(models.Model):
    """八小时以外: dated notes on a member's conduct in their life and social circle outside work.

    Visible to the community's office only (manual 区域化党建 §5) — never to the member, the employer
    liaison, the town, or any other API role.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name="社区")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="conduct_notes", verbose_name="党员"
    )
    noted_on = models.DateField("日期")
    kind = models.CharField("类别", max_length=10, choices=ConductKind.choices, default=ConductKind.NOTE)
    note = models.TextField("情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficeOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "八小时以外情况"
        verbose_name_plural = "八小时以外情况"
        ordering = ["-noted_on", "-pk"]
        indexes = [models.Index(fields=["person", "noted_on"])]

    def __str__(self):
        return f"{self.person} {self.noted_on}"


# --------------------------------------------------------------------------------------------- events


class VolunteerEvent(models.Model):
    """Append-only history of every state change in this app (claims, sign-ups, records, items), written
    by the service in the same transaction as the change."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    claim = models.ForeignKey(
        PostClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    record = models.ForeignKey(
        ServiceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    from_status = models.CharField(max_length=15, blank=True)
    to_status = models.CharField(max_length=15, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = OfficeOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务操作记录"
        verbose_name_plural = "志愿服务操作记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
