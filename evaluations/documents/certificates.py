"""志愿服务证明 as a PDF: the fields of the 2021 志愿服务记录与证明出具办法 (the volunteer, each activity with
its date, place, content and recorded hours, the recording organisation, the issuing organisation and date)
and the verification number anyone can check on the public page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from ..models import ServiceCertificate
from .pdfbase import chinese_date, render_pdf

TITLE = "志愿服务证明"


def _render(doc, cert: ServiceCertificate) -> None:
    c = cert.content
    period = f"{cert.year}年度" if cert.year else "累计"
    doc.page()
    doc.line(f"验证编号：{cert.verification_no}", size=9, height=5, align="R")
    doc.title(TITLE)
    doc.ln(2)
    doc.line(
        f"兹证明 {c['person_name']} 同志{period}在{c['community_name']}参加志愿服务 {len(c['records'])} 次，"
        f"经记录的服务时长共计 {c['hours']} 小时（不含往返时间）。截至出具日累计服务 {c['cumulative_hours']} 小时，"
        f"星级：{'★' * c['stars'] or '未达一星'}。",
        size=12,
        height=8,
    )
    doc.ln(3)
    doc.table(
        ["日期", "服务项目", "地点", "服务内容", "时长（小时）", "记录组织"],
        [[r["date"], r["title"], r["place"], r["content"], r["hours"], r["recorder"]] for r in c["records"]],
        widths=[24, 34, 28, 44, 18, 26],
    )
    doc.ln(8)
    doc.line(f"出具组织：{c['organisation']}（盖章）", align="R")
    doc.line(f"出具日期：{chinese_date(timezone.localtime(cert.issued_at).date())}", align="R")
    doc.ln(6)
    doc.line(
        f"本证明可在本平台公开页面核验：{reverse('evaluations:certificate_verify')}?no={cert.verification_no}",
        size=9,
    )


def certificate_pdf(cert: ServiceCertificate) -> bytes:
    return render_pdf(_render, [cert], title=f"{TITLE} {cert.verification_no}")
