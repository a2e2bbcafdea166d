"""The intake channels that keep their own records (运行程序 一、民情受理): the 民情信箱 and its daily
openings, an information officer's visit diary (民情日志), the reception days of deputies and leaders
(民情接待日) with their visitor lines, and the monthly forum (民情恳谈会). Each line that needs handling
becomes a `Case` (`cases.services`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Building, Community, Compound, InformationOfficer, Person, ScopedQuerySet


class PrioritySubject(models.TextChoices):
    """小区领导干部民情接待日制度 §1: the six subjects of the leaders' reception day."""

    MANY_RESIDENTS = "many_residents", "涉及众多群众利益或反映强烈"
    GROUP_PETITION = "group_petition", "易引发群体性越级上访或突发事件"
    MULTI_DEPARTMENT = "multi_department", "涉及多个单位部门需领导协调"
    MAJOR_POLICY = "major_policy", "涉及重大方针政策"
    NEEDS_LEADERSHIP = "needs_leadership", "需向领导反映并由组织处理"
    CADRE_CONDUCT = "cadre_conduct", "反映社区干部作风和廉政问题"


class MailboxQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(Q(community_id__in=scope.managed_community_ids) | Q(keeper_id=scope.user_id))


class MailboxOpeningQuerySet(ScopedQuerySet):
    community_path = "mailbox__community_id"

    def _visible(self, scope):
        return self.filter(
            Q(mailbox__community_id__in=scope.managed_community_ids) | Q(mailbox__keeper_id=scope.user_id)
        )


class DiaryQuerySet(ScopedQuerySet):
    """An officer sees only their own diary; the office of the community sees all of its officers'."""

    community_path = "officer__community_id"

    def _visible(self, scope):
        q = Q(officer__community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(officer__person_id=scope.person_id)
        return self.filter(q)


class ReceptionQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(
            Q(community_id__in=scope.managed_community_ids)
            | Q(community_id__in=scope.deputy_community_ids)
            | Q(host_user_id=scope.user_id)
        )


class ForumQuerySet(ScopedQuerySet):
    pass


class ForumItemQuerySet(ScopedQuerySet):
    community_path = "forum__community_id"


# ----------------------------------------------------------------------------------------- intake rows


class Mailbox(models.Model):
    """民情信箱: installed in a compound, opened every day by its keeper (民情信箱管理制度)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="mailboxes", verbose_name="社区"
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="楼院"
    )
    location = models.CharField("安装位置", max_length=100)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="kept_mailboxes",
        verbose_name="管理人",
    )
    active = models.BooleanField("在用", default=True)
    installed_on = models.DateField("安装日期", null=True, blank=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name = "民情信箱"
        verbose_name_plural = "民情信箱"
        ordering = ["community_id", "location"]
        constraints = [
            models.UniqueConstraint(fields=["community", "location"], name="mailbox_location_unique")
        ]

    def __str__(self):
        return self.location


class MailboxOpening(models.Model):
    """One daily opening (每日开箱取件) with the number of letters found; each letter becomes a case."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="openings", verbose_name="信箱"
    )
    opened_on = models.DateField("开箱日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letters = models.PositiveSmallIntegerField("信件数", default=0)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailboxOpeningQuerySet.as_manager()

    class Meta:
        verbose_name = "开箱记录"
        verbose_name_plural = "开箱记录"
        ordering = ["-opened_on", "mailbox_id"]
        constraints = [models.UniqueConstraint(fields=["mailbox", "opened_on"], name="one_opening_per_day")]

    def __str__(self):
        return f"{self.mailbox} {self.opened_on}"


class ReceptionKind(models.TextChoices):
    DEPUTIES = "deputies", "两代表一委员民情接待日（每月15日）"
    LEADERS = "leaders", "领导干部民情接待日（每月25日）"


NOMINAL_DAY: dict[str, int] = {ReceptionKind.DEPUTIES: 15, ReceptionKind.LEADERS: 25}


class ReceptionDay(models.Model):
    """One reception day of the rota: nominally the 15th (deputies) or 25th (leaders) of a month; when that
    is not a working day it happens on the next working day (`held_on`), which the public schedule shows."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="reception_days", verbose_name="社区"
    )
    kind = models.CharField("类型", max_length=10, choices=ReceptionKind.choices)
    nominal_date = models.DateField("规定日期")
    held_on = models.DateField("实际接待日期")
    host_name = models.CharField("接待人", max_length=100)
    host_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接待人账号",
    )
    place = models.CharField("地点", max_length=100, blank=True)
    published = models.BooleanField("已公开", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ReceptionQuerySet.as_manager()

    class Meta:
        verbose_name = "民情接待日"
        verbose_name_plural = "民情接待日"
        ordering = ["nominal_date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "nominal_date"], name="reception_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"

    @property
    def moved(self) -> bool:
        return self.held_on != self.nominal_date


class ReceptionItemQuerySet(ScopedQuerySet):
    community_path = "reception__community_id"

    def _visible(self, scope):
        return self.filter(
            Q(reception__community_id__in=scope.managed_community_ids)
            | Q(reception__community_id__in=scope.deputy_community_ids)
        )


class ReceptionItem(models.Model):
    """One line of the 接待群众来访记录表: a visitor and what they raised. Every item becomes a case."""

    reception = models.ForeignKey(ReceptionDay, on_delete=models.CASCADE, related_name="items")
    visitor_name = models.CharField("来访人", max_length=50)
    visitor_phone = models.CharField("联系方式", max_length=30, blank=True)
    content = models.TextField("反映问题")
    priority_subject = models.CharField(
        "接待重点内容", max_length=20, choices=PrioritySubject.choices, blank=True, help_text="领导接待日必填"
    )
    case = models.OneToOneField("Case", on_delete=models.PROTECT, related_name="reception_item")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReceptionItemQuerySet.as_manager()

    class Meta:
        verbose_name = "接待记录"
        verbose_name_plural = "接待群众来访记录"
        ordering = ["reception_id", "pk"]

    def __str__(self):
        return f"{self.visitor_name}: {self.content[:20]}"


class Forum(models.Model):
    """民情恳谈会: once a month at month end; attendees and minutes are recorded."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="forums", verbose_name="社区"
    )
    held_on = models.DateField("召开日期")
    title = models.CharField("主题", max_length=100)
    attendees = models.JSONField("参会人员", default=list, help_text='[{"name": "...", "role": "..."}]')
    minutes = models.TextField("会议纪要", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = "民情恳谈会"
        verbose_name_plural = "民情恳谈会"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.title}"


class ForumItem(models.Model):
    """A matter raised at a forum: answered on the spot, or turned into a case to be handled in time."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="items")
    raised_by = models.CharField("提出人", max_length=100)
    content = models.TextField("意见建议")
    answered_on_spot = models.BooleanField("现场答复", default=False)
    answer = models.TextField("现场答复内容", blank=True)
    case = models.OneToOneField(
        "Case", on_delete=models.PROTECT, null=True, blank=True, related_name="forum_item"
    )

    objects = ForumItemQuerySet.as_manager()

    class Meta:
        verbose_name = "恳谈会事项"
        verbose_name_plural = "恳谈会事项"
        ordering = ["forum_id", "pk"]
        constraints = [
            models.CheckConstraint(
                name="forum_item_answered_or_case",
                condition=Q(answered_on_spot=True, case__isnull=True)
                | Q(answered_on_spot=False, case__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.raised_by}: {self.content[:20]}"


class DiaryEntry(models.Model):
    """民情日志: an information officer's visit — household, date, what was heard. Can become a case."""

    officer = models.ForeignKey(
        InformationOfficer, on_delete=models.CASCADE, related_name="diary", verbose_name="信息员"
    )
    visited_on = models.DateField("走访日期")
    household = models.CharField("走访户", max_length=100)
    resident = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    heard = models.TextField("了解到的情况")
    case = models.OneToOneField(
        "Case", on_delete=models.PROTECT, null=True, blank=True, related_name="diary_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DiaryQuerySet.as_manager()

    class Meta:
        verbose_name = "民情日志"
        verbose_name_plural = "民情日志"
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.visited_on} {self.household}"
