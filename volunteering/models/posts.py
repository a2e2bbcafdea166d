"""十大服务岗位: the community's service posts, members' yearly claims on them and the volunteer team."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from members.models import Community, Person

from .querysets import CommunityWideQuerySet, PersonalQuerySet

MAX_POSTS_PER_COMMUNITY = 10  # 十大服务岗位


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

    # Not columns: what volunteering.selectors adds to the posts it returns (`posts_with_staffing`
    # annotates this year's claim counts; `suggested_posts` ranks by the member's skills).
    approved_count: int
    pending_count: int
    matched: list[str]
    match_score: int

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
