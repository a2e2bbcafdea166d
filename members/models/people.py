"""People and accounts: the login (User), the resident (Person) and their party membership."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..validators import validate_id_number, validate_mobile
from .places import Building, Community, Employer
from .scoping import ScopedQuerySet

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
