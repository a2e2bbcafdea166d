"""What the office notes and what happened: conduct outside working hours (八小时以外) and the append-only
history of every state change in the app."""

from django.conf import settings
from django.db import models

from core.labels import label
from core.models import AppendOnlyModel, AppendOnlyQuerySet
from members.models import Community, Person

from .hours import RecordStatus, ServiceRecord
from .items import ItemStatus, ServiceItem, SignUp, SignUpStatus
from .posts import ClaimStatus, PostClaim
from .querysets import OfficeOnlyQuerySet


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


VOLUNTEER_ACTION_LABELS = {
    "claim.submit": "申请认领岗位",
    "claim.approve": "同意认领",
    "claim.decline": "不同意认领",
    "claim.withdraw": "退出岗位",
    "item.create": "发布服务事项",
    "item.update": "修改服务事项",
    "item.cancel": "取消服务事项",
    "item.rotate_code": "更换签到码",
    "signup.create": "报名",
    "signup.cancel": "取消报名",
    "signup.promote": "候补转正",
    "signup.demote": "转为候补",
    "signup.check_in": "签到",
    "signup.check_out": "签退",
    "record.on_site": "现场记录时长",
    "record.mark": "登记服务记录",
    "record.self_report": "本人补报时长",
    "record.approve": "确认时长",
    "record.reject": "不予确认",
    "record.evaluate": "评价服务",
    "record.cancel": "注销记录",
}

# The status a `from_status`/`to_status` names depends on the subject (an approved claim is 已认领, an
# approved record 已确认): the action's prefix says which.
_STATUSES_BY_SUBJECT = {
    "claim": ClaimStatus,
    "item": ItemStatus,
    "signup": SignUpStatus,
    "record": RecordStatus,
}


class VolunteerEventQuerySet(AppendOnlyQuerySet, OfficeOnlyQuerySet):
    """Read by the community's office only; never updated or deleted in bulk (core.models.AppendOnlyQuerySet)."""


class VolunteerEvent(AppendOnlyModel):
    """Append-only history of every state change in this app (claims, sign-ups, records, items), written
    by the service in the same transaction as the change (`core.models.AppendOnlyModel`: a row is never
    changed or deleted through the ORM). Nothing in the app updates or deletes one, and no retention purge
    touches them. The only writes past that guard are Django's own, through the base manager, on purpose:
    the cascade when a community, item, claim, sign-up or record is itself deleted (no service deletes one;
    volunteering's admin offers no delete for the last four), and `by` set to NULL when an account is
    deleted.
    """

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

    objects = VolunteerEventQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务操作记录"
        verbose_name_plural = "志愿服务操作记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action_display}"

    @property
    def action_display(self) -> str:
        return label(VOLUNTEER_ACTION_LABELS, self.action)

    def _status_label(self, code: str) -> str:
        statuses = _STATUSES_BY_SUBJECT.get(self.action.partition(".")[0])
        return label(statuses, code) if statuses else label({}, code)

    @property
    def from_status_display(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_status_display(self) -> str:
        return self._status_label(self.to_status)
