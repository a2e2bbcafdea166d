"""特色载体: a community's featured programmes, with their member–household pairings, the love supermarket's
donated goods and hand-outs, and the skills directory."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import Building, Community, Person

from .querysets import CommunityWideQuerySet, OfficeOnlyQuerySet, PersonalQuerySet


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
