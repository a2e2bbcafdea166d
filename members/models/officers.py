"""民情信息员: appointments, and the commendations and penalties of the manual's ladder."""

from django.db import models
from django.db.models import Q

from .people import Person, User
from .places import Community, Compound
from .scoping import ScopedQuerySet


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
PENALTY_LADDER: list[str] = [
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
