"""Places, organisations, people, roles, registration (报到登记), information officers, responsibility zones.

This is the core app: it imports none of the other domain apps.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .roles import Role, scope_for
from .validators import validate_id_number, validate_mobile


class ScopedQuerySet(models.QuerySet):
    """Base for tenant-scoped querysets. Subclasses implement `_visible(scope)`."""

    def visible_to(self, user):
        scope = scope_for(user)
        if not scope.is_authenticated:
            return self.none()
        if scope.is_superuser:
            return self
        return self._visible(scope)

    def managed_by(self, user):
        """Rows the user may change (the office of the row's community)."""
        scope = scope_for(user)
        if scope.is_superuser:
            return self
        return self.filter(**{f"{self.community_path}__in": scope.managed_community_ids})

    community_path = "community_id"

    def _visible(self, scope):
        return self.filter(**{f"{self.community_path}__in": scope.managed_community_ids})


# --------------------------------------------------------------------------------------------- accounts


class User(AbstractUser):
    """A login. What it may do comes from its RoleAssignment rows, never from flags on the user."""

    mobile = models.CharField("手机号", max_length=11, blank=True, validators=[validate_mobile])
    must_change_password = models.BooleanField("须修改初始密码", default=False)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.first_name or self.username


# ----------------------------------------------------------------------------------- places and orgs


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
        ordering = ["community_id", "name"]
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


class RoleAssignmentQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(
            Q(community_id__in=scope.managed_community_ids)
            | Q(town_id__in=scope.town_ids)
            | Q(user_id=scope.user_id)
        )


class RoleAssignment(models.Model):
    """One role of one user in one organisation (a town, a community or an employer)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="账号"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    town = models.ForeignKey(Town, on_delete=models.CASCADE, null=True, blank=True, verbose_name="镇")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, verbose_name="社区"
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, null=True, blank=True, verbose_name="单位"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.CheckConstraint(
                name="role_has_exactly_its_organisation",
                condition=(
                    Q(
                        role=Role.TOWN_SUPERVISOR,
                        town__isnull=False,
                        community__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(
                        role=Role.EMPLOYER_LIAISON,
                        employer__isnull=False,
                        town__isnull=True,
                        community__isnull=True,
                    )
                    | (
                        Q(community__isnull=False, town__isnull=True, employer__isnull=True)
                        & ~Q(role__in=[Role.TOWN_SUPERVISOR, Role.EMPLOYER_LIAISON])
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "town", "community", "employer"], name="role_assignment_unique"
            ),
        ]

    def __str__(self):
        org = self.community or self.town or self.employer
        return f"{self.user} · {self.get_role_display()} · {org}"


# ---------------------------------------------------------------------------------------------- people


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class PersonQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(pk=scope.person_id)
        if scope.employer_ids:
            q |= Q(
                membership__employer_id__in=scope.employer_ids,
                membership__category=MemberCategory.IN_SERVICE,
            )
        return self.filter(q)


class Person(models.Model):
    """A resident identity. Party membership, if any, is a separate row (PartyMembership)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="people", verbose_name="居住社区"
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    education = models.CharField("学历", max_length=20, blank=True)
    mobile = models.CharField("联系电话", max_length=11, blank=True, validators=[validate_mobile])
    id_number = models.CharField(
        "身份证号码", max_length=18, null=True, blank=True, unique=True, validators=[validate_id_number]
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name="楼栋",
    )
    unit_room = models.CharField("单元/门牌", max_length=50, blank=True)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="person", verbose_name="账号"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["community_id", "name", "pk"]
        indexes = [models.Index(fields=["community", "name"])]
        # granted by the town to see phone and ID numbers in full (members.privacy)
        permissions = [("view_full_personal_data", "查看完整个人信息（电话、身份证号）")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.building_id and self.building.community_id != self.community_id:
            raise ValidationError({"building": "楼栋不属于该人员的居住社区"})


class MemberCategory(models.TextChoices):
    IN_SERVICE = "in_service", "在职党员"
    RETIRED = "retired", "离退休党员"
    LAID_OFF = "laid_off", "下岗失业党员"
    FLOATING = "floating", "流动党员"
    VETERAN = "veteran", "非在职复转军人党员"
    GRADUATE = "graduate", "大中专毕业生党员"


class PartyMembershipQuerySet(ScopedQuerySet):
    """Seen exactly where its person is (PersonQuerySet)."""

    community_path = "person__community_id"

    def _visible(self, scope):
        q = Q(person__community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        if scope.employer_ids:
            q |= Q(employer_id__in=scope.employer_ids, category=MemberCategory.IN_SERVICE)
        return self.filter(q)


class PartyMembership(models.Model):
    """党员信息. In-service members (在职党员) have an employer and are dual-managed (双重管理)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="membership", verbose_name="人员"
    )
    category = models.CharField("党员类别", max_length=20, choices=MemberCategory.choices)
    joined_on = models.DateField("入党时间", null=True, blank=True)
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="工作单位",
    )
    position = models.CharField("职务", max_length=50, blank=True)
    specialties = models.JSONField("专长", default=list, blank=True)
    interests = models.JSONField("兴趣", default=list, blank=True)

    objects = PartyMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "党员信息"
        verbose_name_plural = "党员信息"
        constraints = [
            models.CheckConstraint(
                name="in_service_member_has_employer",
                condition=~Q(category="in_service") | Q(employer__isnull=False),
            )
        ]
        indexes = [models.Index(fields=["category", "employer"])]

    def __str__(self):
        return f"{self.person} ({self.get_category_display()})"

    @property
    def is_in_service(self) -> bool:
        return self.category == MemberCategory.IN_SERVICE


# ------------------------------------------------------------------------------------------ registration


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认"
    CONFIRMED = "confirmed", "已报到"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"
    TRANSFERRED = "transferred", "已转出"


ACTIVE_REGISTRATION_STATUSES = [RegistrationStatus.SUBMITTED, RegistrationStatus.CONFIRMED]


class RegistrationChannel(models.TextChoices):
    ONLINE = "online", "网上报到"
    WINDOW = "window", "窗口报到"


class RegistrationQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        if scope.employer_ids:
            # Like PersonQuerySet: a liaison sees the registrations of the employer's in-service members only.
            q |= Q(
                person__membership__employer_id__in=scope.employer_ids,
                person__membership__category=MemberCategory.IN_SERVICE,
            )
        return self.filter(q)

    def active(self):
        return self.filter(status__in=ACTIVE_REGISTRATION_STATUSES)


class Registration(models.Model):
    """报到登记: an in-service member registers with the community where the family lives.

    Only `members.services` changes `status`, through the transition table there, writing a
    RegistrationEvent in the same transaction. A move closes the old row as TRANSFERRED and opens a new
    one that points back to it, so the history is kept.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="registrations", verbose_name="党员"
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="registrations", verbose_name="报到社区"
    )
    status = models.CharField(
        "状态", max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED
    )
    channel = models.CharField("报到方式", max_length=10, choices=RegistrationChannel.choices)
    specialties = models.JSONField("专长", default=list, blank=True)
    interests = models.JSONField("兴趣爱好", default=list, blank=True)
    desired_posts = models.CharField("意向服务岗位", max_length=200, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="提交人"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="处理人"
    )
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name="转自",
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "报到登记"
        verbose_name_plural = "报到登记"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["submitted", "confirmed"]),
                name="one_active_registration_per_person",
            )
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"{self.person} → {self.community} ({self.get_status_display()})"


class RegistrationEvent(models.Model):
    """Append-only history of a registration: who moved it from which state to which, and why."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "报到记录"
        verbose_name_plural = "报到记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


# ------------------------------------------------------------------------------- information officers


class OfficerSource(models.TextChoices):
    RETIRED = "retired", "离退休干部党员"
    LAID_OFF = "laid_off", "下岗失业职员党员"
    FLOATING = "floating", "流动党员"
    VETERAN = "veteran", "非在职复转军人党员"
    GRADUATE = "graduate", "大中专毕业学生党员"
    ACTIVIST = "activist", "小区积极分子"
    SECURITY_VOLUNTEER = "security_volunteer", "优秀综治员"


MEMBER_SOURCES = {
    OfficerSource.RETIRED,
    OfficerSource.LAID_OFF,
    OfficerSource.FLOATING,
    OfficerSource.VETERAN,
    OfficerSource.GRADUATE,
}


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", "在聘"
    ENDED = "ended", "已解聘/离任"


class OfficerEndReason(models.TextChoices):
    DISMISSED = "dismissed", "解除聘用"
    RESIGNED = "resigned", "本人辞任"
    TERM_ENDED = "term_ended", "聘期届满"
    MOVED = "moved", "迁出社区"


class OfficerQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        return self.filter(q)

    def active(self):
        return self.filter(status=OfficerStatus.ACTIVE)


class InformationOfficer(models.Model):
    """民情信息员: appointed by the branch (聘用), entered on the roster (登记造册), given a letter (聘书)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="officers", verbose_name="社区"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="officer_posts", verbose_name="人员"
    )
    appointment_no = models.CharField("聘书编号", max_length=30)
    appointed_on = models.DateField("聘用日期")
    term_end = models.DateField("聘期至")
    source = models.CharField("人员来源", max_length=30, choices=OfficerSource.choices)
    compound = models.ForeignKey(
        Compound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name="负责楼院",
    )
    status = models.CharField(
        "状态", max_length=10, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE
    )
    ended_on = models.DateField("离任日期", null=True, blank=True)
    end_reason = models.CharField("离任原因", max_length=20, choices=OfficerEndReason.choices, blank=True)
    appointed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = "民情信息员"
        verbose_name_plural = "民情信息员"
        ordering = ["community_id", "appointment_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "appointment_no"], name="officer_appointment_no_unique"
            ),
            models.UniqueConstraint(
                fields=["community", "person"], condition=Q(status="active"), name="one_active_officer_post"
            ),
            models.CheckConstraint(
                name="officer_term_after_appointment", condition=Q(term_end__gt=models.F("appointed_on"))
            ),
        ]

    def __str__(self):
        return f"{self.appointment_no} {self.person}"


class OfficerRecordKind(models.TextChoices):
    COMMENDATION = "commendation", "推荐表彰"
    CRITICISM = "criticism", "批评教育"
    PUBLIC_CRITICISM = "public_criticism", "通报批评"
    ECONOMIC_PENALTY = "economic_penalty", "经济处罚"
    DISMISSAL = "dismissal", "解除聘用"


# The manual's penalty ladder, mildest first (民情信息员管理制度 §5).
PENALTY_LADDER = [
    OfficerRecordKind.CRITICISM,
    OfficerRecordKind.PUBLIC_CRITICISM,
    OfficerRecordKind.ECONOMIC_PENALTY,
    OfficerRecordKind.DISMISSAL,
]


class OfficerRecordQuerySet(ScopedQuerySet):
    community_path = "officer__community_id"


class OfficerRecord(models.Model):
    """奖惩记录 of an information officer."""

    officer = models.ForeignKey(InformationOfficer, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField("类型", max_length=20, choices=OfficerRecordKind.choices)
    on = models.DateField("日期")
    reason = models.CharField("事由", max_length=300)
    amount_yuan = models.DecimalField("处罚金额（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "信息员奖惩"
        verbose_name_plural = "信息员奖惩"
        ordering = ["on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


# ---------------------------------------------------------------------------------- responsibility zones


class ZoneQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        # Like the buildings they group, zones are seen by everyone with a role in the community: a member
        # must see them to self-report (自报) for one.
        q = Q(community_id__in=scope.community_ids)
        if scope.person_id:
            q |= Q(assignments__person_id=scope.person_id)
        return self.filter(q).distinct()


class ResponsibilityZone(models.Model):
    """党员责任区: buildings assigned to members, by self-report plus branch assignment, with a signed letter."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="zones", verbose_name="社区"
    )
    name = models.CharField("名称", max_length=80)
    buildings = models.ManyToManyField(Building, related_name="zones", blank=True, verbose_name="楼栋")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = "党员责任区"
        verbose_name_plural = "党员责任区"
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="zone_name_unique")]

    def __str__(self):
        return self.name


class ZoneSource(models.TextChoices):
    SELF_REPORTED = "self", "党员自报"
    ASSIGNED = "assigned", "党总支分配"


class ZoneAssignment(models.Model):
    zone = models.ForeignKey(ResponsibilityZone, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="zone_assignments", verbose_name="党员"
    )
    source = models.CharField("方式", max_length=10, choices=ZoneSource.choices, default=ZoneSource.ASSIGNED)
    letter_signed_on = models.DateField("责任书签订日期", null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "责任区党员"
        verbose_name_plural = "责任区党员"
        constraints = [models.UniqueConstraint(fields=["zone", "person"], name="zone_person_unique")]

    def __str__(self):
        return f"{self.zone} · {self.person}"


# ------------------------------------------------------------------------------------------- roster import


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "待确认"
    INVALID = "invalid", "有错误"
    COMMITTED = "committed", "已导入"


class RosterImportQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(Q(uploaded_by_id=scope.user_id) | Q(community_id__in=scope.managed_community_ids))


class RosterImport(models.Model):
    """One upload of a 花名册. Parsed and checked first (preview); committed all-or-nothing."""

    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="导入人所在社区（镇级导入为空）",
    )
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    rows = models.JSONField(default=list, help_text="normalised rows ready to write")
    errors = models.JSONField(default=list, help_text="[{row, column, message}]")
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    # members.retention: after ROSTER_IMPORT_RETENTION_DAYS the uploaded rows (full ID numbers) and the row
    # errors are blanked; the summary stays. A purged upload can no longer be committed.
    purged_at = models.DateTimeField("明细清除时间", null=True, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


# ------------------------------------------------------------------------------- working-day calendar


class WorkdayOverrideQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Nationwide rows for every login, and the rows of the towns the user belongs to (its own town's
        supervisor, or any role in one of the town's communities)."""
        scope = scope_for(user)
        if not scope.is_authenticated:
            return self.none()
        if scope.is_superuser:
            return self
        towns = set(scope.town_ids) | set(
            Community.objects.filter(pk__in=scope.community_ids).values_list("town_id", flat=True)
        )
        return self.filter(Q(town__isnull=True) | Q(town_id__in=towns))


class WorkdayOverride(models.Model):
    """One day of the official calendar entered by hand (节假日/调休), for the whole country or one town.

    The State Council publishes next year's holidays around November; the library we ship knows only the
    years up to its release. Rows here override the library (a town's row beats a nationwide one), and for a
    year the library does not know they are the calendar. Read through `core.workdays` (members registers this table as its override source), never directly.
    """

    date = models.DateField("日期")
    is_working_day = models.BooleanField("是否工作日", help_text="勾选：调休上班；不勾选：放假")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如：春节、国庆节调休上班")
    town = models.ForeignKey(
        "Town",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workday_overrides",
        verbose_name="镇",
        help_text="留空表示全国统一安排",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkdayOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整（节假日/调休）"
        ordering = ["date"]
        # moved from core (no migration of data): the table keeps its name
        db_table = "core_workdayoverride"
        constraints = [
            models.UniqueConstraint(fields=["date", "town"], name="workday_override_unique_per_town"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(town__isnull=True), name="workday_override_unique_global"
            ),
        ]

    def __str__(self):
        kind = "上班" if self.is_working_day else "放假"
        return f"{self.date} {self.name or kind}（{kind}）"
