"""志愿服务证明 (民政部《志愿服务记录与证明出具办法（试行）》2021): a member's own evidence of recorded service
hours — the activities, their dates, the recorded hours and the recording organisation — with a verification
number anyone can check on a public page (no login), where only the masked name, the hours, the issuing
organisation and the date are shown. The number is random and unguessable, stored, and unique.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Community, Person, ScopedQuerySet

# Crockford-like alphabet without look-alikes (0/O, 1/I/L): read aloud or typed from paper without mistakes.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_LENGTH = 16  # 31^16 ≈ 7·10^23: not guessable


def new_verification_no() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(VERIFICATION_LENGTH))


class CertificateQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        return self.filter(q)


class ServiceCertificate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="志愿者")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name="出具组织"
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, help_text="empty: all years")
    verification_no = models.CharField(
        "验证编号", max_length=32, unique=True, default=new_verification_no, editable=False
    )
    content = models.JSONField("证明内容", default=dict, help_text="the records at issue time")
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务证明"
        verbose_name_plural = "志愿服务证明"
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return f"志愿服务证明 {self.verification_no}"
