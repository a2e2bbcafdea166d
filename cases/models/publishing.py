"""What a community publishes: the 七公开 of its service hall and its 集中公告 (public anyway, so any role in
the community reads them; the public page shows them to everyone)."""

from django.conf import settings
from django.db import models

from members.models import Community, ScopedQuerySet


class PublicInfoQuerySet(ScopedQuerySet):
    """Disclosures, announcements and time limits: public anyway, so any role in the community reads them."""

    def _visible(self, scope):
        return self.filter(community_id__in=scope.community_ids | scope.managed_community_ids)


# ------------------------------------------------------------------------------------------ disclosure


class DisclosureKind(models.TextChoices):
    """七公开 of the service hall (小区服务大厅管理制度 §2)."""

    PROCEDURES = "procedures", "办事程序"
    BASIS = "basis", "办事依据"
    STANDARDS = "standards", "服务标准"
    TIME_LIMITS = "time_limits", "办事时限"
    DISCIPLINE = "discipline", "办事纪律"
    RESULTS = "results", "办事结果"
    STAFF = "staff", "责任人员"


class Disclosure(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="disclosures", verbose_name="社区"
    )
    kind = models.CharField("公开事项", max_length=20, choices=DisclosureKind.choices)
    body = models.TextField("内容")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PublicInfoQuerySet.as_manager()

    class Meta:
        verbose_name = "七公开"
        verbose_name_plural = "七公开"
        ordering = ["community_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["community", "kind"], name="disclosure_unique")]

    def __str__(self):
        return self.get_kind_display()


class AnnouncementCategory(models.TextChoices):
    """集中公告 (运行程序 三、公告反馈 2)."""

    POLICY = "policy", "惠民政策"
    PARTY = "party", "党务工作"
    ASSISTANCE = "assistance", "社会救助"
    MINIMUM_INCOME = "minimum_income", "低保发放"
    ELDERLY_ALLOWANCE = "elderly_allowance", "高龄补助"
    CONSCRIPTION = "conscription", "征兵信息"
    FAMILY_PLANNING = "family_planning", "计划生育"
    LOW_RENT_HOUSING = "low_rent_housing", "廉租住房"


class Announcement(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="announcements", verbose_name="社区"
    )
    category = models.CharField("类别", max_length=20, choices=AnnouncementCategory.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    published_on = models.DateField("公告日期")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PublicInfoQuerySet.as_manager()

    class Meta:
        verbose_name = "集中公告"
        verbose_name_plural = "集中公告"
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return self.title
