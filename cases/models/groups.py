"""专题反馈: cases about the same issue grouped and answered with one reply."""

from django.conf import settings
from django.db import models

from members.models import Community, ScopedQuerySet

from .case import FeedbackMethod


class ThematicGroupQuerySet(ScopedQuerySet):
    pass


class ThematicGroup(models.Model):
    """专题反馈: cases about the same issue answered with one reply, recorded on every case."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="case_groups", verbose_name="社区"
    )
    title = models.CharField("专题", max_length=100)
    reply = models.TextField("专题答复", blank=True)
    reply_method = models.CharField("答复方式", max_length=20, choices=FeedbackMethod.choices, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThematicGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "专题反馈"
        verbose_name_plural = "专题反馈"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
