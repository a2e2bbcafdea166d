"""Places and organisations: towns, communities, compounds (楼院), buildings and employers."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.ordering import natural

from ..roles import scope_for
from .scoping import ScopedQuerySet


class TownQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(Q(pk__in=scope.town_ids) | Q(communities__pk__in=scope.community_ids)).distinct()


class Town(models.Model):
    """镇 — the level above communities."""

    name = models.CharField("名称", max_length=50, unique=True)
    code = models.SlugField("代码", max_length=30, unique=True)
    # On top of the platform-wide REQUIRE_2FA_FOR_STAFF (env), which it can only add to (core.security).
    require_2fa_for_staff = models.BooleanField(
        "管理人员须动态口令",
        default=False,
        help_text="开启后，本镇的镇管理/督查人员及各社区书记、工作人员、办公室主任每次登录后须输入动态口令"
        "（二次验证）；由镇管理/督查人员开启或关闭",
    )

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = "镇"
        verbose_name_plural = "镇"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommunityQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(Q(pk__in=scope.community_ids) | Q(town_id__in=scope.town_ids))

    def managed_by(self, user):
        scope = scope_for(user)
        return self if scope.is_superuser else self.filter(pk__in=scope.managed_community_ids)


class Community(models.Model):
    """社区 (the manual says 小区) — its party general branch (党总支) is the tenant of most data."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="communities", verbose_name="镇")
    name = models.CharField("名称", max_length=50)
    code = models.SlugField("代码", max_length=30, unique=True)
    officer_quota = models.PositiveIntegerField(
        "民情信息员定额", default=0, help_text="在岗信息员少于定额时提示缺额（0 表示不设定额）"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["town_id", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="community_name_unique_in_town")]

    def __str__(self):
        return self.name


class PlaceQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(community_id__in=scope.community_ids)


class Compound(models.Model):
    """楼院 / 小区 — a compound of buildings inside a community."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="compounds", verbose_name="社区"
    )
    name = models.CharField("名称", max_length=80)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "楼院"
        verbose_name_plural = "楼院"
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="compound_name_unique")]

    def __str__(self):
        return self.name


class Building(models.Model):
    """楼栋. Named within its community (rosters say only '14号楼'); the compound is optional."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="buildings", verbose_name="社区"
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
        verbose_name="楼院",
    )
    name = models.CharField("楼栋", max_length=50)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["community_id", *natural("name")]  # 1号楼, 2号楼, …, 18号楼 (not 1, 18, 2)
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="building_name_unique")]

    def __str__(self):
        return f"{self.community.name} {self.name}" if "community" in self.__dict__ else self.name

    def clean(self):
        if self.compound_id and self.compound.community_id != self.community_id:
            raise ValidationError({"compound": "楼院不属于该社区"})


class EmployerQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        from_town = Q(town_id__in=scope.town_ids) | Q(town__communities__pk__in=scope.community_ids)
        return self.filter(from_town | Q(pk__in=scope.employer_ids)).distinct()

    def managed_by(self, user):
        scope = scope_for(user)
        return self if scope.is_superuser else self.filter(town_id__in=scope.town_ids)


class Employer(models.Model):
    """单位 and its party organisation (单位党组织): outside the town→community tree."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="employers", verbose_name="所在镇")
    name = models.CharField("单位名称", max_length=100)
    party_org_name = models.CharField("单位党组织名称", max_length=100, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="employer_name_unique_in_town")]

    def __str__(self):
        return self.name
