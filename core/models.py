from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own notifications (a superuser: all). Needs no tenancy scope: a notification has one
        recipient, whatever community it is about."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(recipient_id=user.pk)


class Notification(models.Model):
    """An in-app message to one user (waitlist promotions, reminders, report-backs, alerts).

    `dedupe_key` makes sending idempotent: a retried task cannot notify twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=50)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    smsed_at = models.DateTimeField("短信发送时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class NotificationPreferenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """One's own choice (a superuser: all)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self if user.is_superuser else self.filter(user_id=user.pk)


class NotificationPreference(models.Model):
    """How a user wants to be told (通知方式). In-app is always on; email and SMS are the user's choice.
    A user without a row has the defaults: email on (as before preferences existed), SMS off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
        verbose_name="账号",
    )
    mail_enabled = models.BooleanField("邮件通知", default=True)
    sms_enabled = models.BooleanField("短信通知", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = NotificationPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "通知方式"
        verbose_name_plural = "通知方式"

    def __str__(self):
        return f"{self.user_id}"


# ---------------------------------------------------------------------------------------------- outbox


class OutboxMessage(models.Model):
    """A task to hand to the broker, written in the transaction of the write that causes it (the
    transactional outbox, core/outbox.py). The relay publishes it after commit and retries with backoff
    while the broker is down; `key` makes enqueueing idempotent, the tasks make delivery idempotent."""

    task = models.CharField("任务", max_length=200)
    args = models.JSONField("位置参数", default=list, blank=True)
    kwargs = models.JSONField("关键字参数", default=dict, blank=True)
    key = models.CharField("幂等键", max_length=200, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    next_attempt_at = models.DateTimeField("下次投递时间", default=timezone.now)
    dispatched_at = models.DateTimeField("投递时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("投递次数", default=0)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "待投递任务"
        verbose_name_plural = "待投递任务"
        ordering = ["pk"]
        indexes = [
            # The relay's scan: undelivered rows that are due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(fields=["dispatched_at"], name="outbox_dispatched"),
        ]

    def __str__(self):
        return f"{self.task} {self.key}"


# ---------------------------------------------------------------------------------------- audit trail


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are never changed or removed through the ORM: an invariant of the trail, not a business
    rule. The only deletion is the retention purge (`core.audit.purge_expired`), which bypasses this on
    purpose; on PostgreSQL a trigger refuses UPDATE/DELETE outside that purge too (migration 0004)."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    delete.queryset_only = True  # type: ignore[attr-defined]  # read by Manager.from_queryset


class AppendOnlyModel(models.Model):
    """The abstract base of every append-only table (the audit trail, the access log, and every domain
    event table: case events, registration events, volunteering events …): rows are added, never changed
    or removed through the ORM; a retention purge that must delete uses `_raw_delete` on purpose."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


def _actor_field():
    # No database constraint and DO_NOTHING: deleting an account must neither cascade into the trail nor
    # rewrite it (SET_NULL would be an UPDATE, which the trigger refuses). `actor_label` keeps the name.
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )


class AuditEvent(AppendOnlyModel):
    """审计日志: one write to a domain object (who, when, before/after), or a security event (logins,
    failures, lockouts, role changes, permission denials). Written by `core.audit` only.

    `changes` is {field: [before, after]} with personal identifiers masked and secrets left out, so the
    trail never becomes a second copy of residents' personal data.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = _actor_field()
    actor_label = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=40)
    object_type = models.CharField("对象类型", max_length=100, blank=True, help_text="app.Model")
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    community_id = models.BigIntegerField("社区ID", null=True, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    reason = models.CharField("原因", max_length=300, blank=True)
    extra = models.JSONField("其他", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["community_id", "at"], name="audit_community_at"),
        ]

    def __str__(self):
        target = f" {self.object_type}#{self.object_id}" if self.object_type else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action}{target}"


class AccessKind(models.TextChoices):
    READ_FULL = "read_full", "查看完整信息"
    EXPORT = "export", "导出"
    PRINT = "print", "打印"
    REVEAL = "reveal", "显示完整号码"


class AccessLog(AppendOnlyModel):
    """访问日志: a read of a resident's full record, an export, a print of a personal document
    (who, what, when, from where, why). Written by `core.audit.record_access` only."""

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = _actor_field()
    actor_label = models.CharField("操作人账号", max_length=150, blank=True)
    what = models.CharField("访问类型", max_length=20, choices=AccessKind.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    description = models.CharField("说明", max_length=300, blank=True)
    community_id = models.BigIntegerField("社区ID", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    reason = models.CharField("事由", max_length=300, blank=True)
    extra = models.JSONField("其他", default=dict, blank=True)

    class Meta:
        verbose_name = "访问日志"
        verbose_name_plural = "访问日志"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="access_object"),
            models.Index(fields=["actor", "at"], name="access_actor_at"),
            models.Index(fields=["community_id", "at"], name="access_community_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.get_what_display()}"
