"""The member's own evidence: star level, certificates (志愿服务证明) to download, and the public page
where anyone checks a certificate's verification number (no login; the name masked)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases.security import client_ip
from core import audit
from core.forms import Form
from members.models import Person
from members.roles import scope_for
from volunteering.models import RecordStatus, ServiceRecord
from volunteering.selectors import STAR_LEVELS, hours_of, star_level

from .. import services
from ..documents.certificates import certificate_pdf
from ..models import ServiceCertificate
from .sheets import download, run


def mask_name(name: str) -> str:
    """马明 → 马*, 欧阳娜娜 → 欧***: the surname's first character only."""
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


class CertificateForm(Form):
    year = forms.TypedChoiceField(
        label="期间", coerce=lambda v: int(v) if v else None, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "全部年度（累计）")] + [
            (y, f"{y} 年") for y in range(this_year, this_year - 6, -1)
        ]


@login_required
def my_certificates(request):
    person_id = scope_for(request.user).person_id
    if not person_id:
        raise DjangoPermissionDenied("只有登记在册的本人可以开具志愿服务证明")
    person = get_object_or_404(Person, pk=person_id)
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def issue():
            holder["cert"] = services.certificate_issue(
                person=person, year=form.cleaned_data["year"], by=request.user
            )

        if run(request, issue, "证明已开具"):
            return redirect("evaluations:certificate_download", holder["cert"].pk)
    minutes = (
        ServiceRecord.objects.filter(person=person, status=RecordStatus.APPROVED).aggregate(m=Sum("minutes"))[
            "m"
        ]
        or 0
    )
    hours = hours_of(minutes)
    stars = star_level(float(hours))
    next_step = next(((t, s) for t, s in sorted(STAR_LEVELS) if float(hours) < t), None)
    return render(
        request,
        "evaluations/certificates/mine.html",
        {
            "section": "certificates",
            "person": person,
            "hours": hours,
            "stars": stars,
            "star_text": "★" * stars,
            "next_step": next_step,
            "steps": sorted(STAR_LEVELS),
            "form": form,
            "certificates": ServiceCertificate.objects.filter(person=person).order_by("-issued_at")[:20],
        },
    )


@login_required
def certificate_download(request, pk: int):
    cert = get_object_or_404(ServiceCertificate.objects.visible_to(request.user), pk=pk)
    audit.record_access(
        what="print", obj=cert, description=f"志愿服务证明 {cert.verification_no}", request=request
    )
    return download(
        certificate_pdf(cert),
        filename=f"志愿服务证明-{cert.verification_no}.pdf",
        content_type="application/pdf",
    )


VERIFY_MISSES_PER_HOUR = 30  # per address: the number is unguessable anyway; this keeps scanners slow


@never_cache
def certificate_verify(request):
    """Public: the masked name, the hours, the issuing organisation and the date — nothing else."""
    number = (request.GET.get("no") or "").strip().upper()[:32]
    misses_key = f"evaluations:verify-miss:{client_ip(request)}"
    if number and cache.get(misses_key, 0) >= VERIFY_MISSES_PER_HOUR:
        return render(
            request,
            "evaluations/certificates/verify.html",
            {"number": number, "found": None, "asked": True, "blocked": True},
            status=429,
        )
    cert = ServiceCertificate.objects.filter(verification_no=number).first() if number else None
    if number and cert is None and not cache.add(misses_key, 1, timeout=3600):
        cache.incr(misses_key)
    found = None
    if cert is not None:
        found = {
            "name": mask_name(cert.content.get("person_name", "")),
            "hours": cert.content.get("hours", ""),
            "period": f"{cert.year} 年度" if cert.year else "累计",
            "organisation": cert.content.get("organisation", ""),
            "issued_on": timezone.localtime(cert.issued_at).date(),
        }
    return render(
        request,
        "evaluations/certificates/verify.html",
        {"number": number, "found": found, "asked": bool(number)},
    )
