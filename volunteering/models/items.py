"""志愿服务事项: service items, members' sign-ups with the waitlist, and attendance (check-in and out)."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from members.models import Community, Person

from .posts import ServicePost
from .programmes import Programme
from .querysets import CommunityWideQuerySet, PersonalQuerySet


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
