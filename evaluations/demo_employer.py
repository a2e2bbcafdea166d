"""The demo town's employer side (registered as the "evaluations_employer" demo seed): last year's feedback
sheets generated from the ledger, the branch's opinion written, issued, and acknowledged by about half of
the employers; this year's sheets of the first community as drafts (the volunteering demo's records are of
this year); and one open consultation (监督咨询) from an employer about one of its members."""

from __future__ import annotations

import datetime as dt
import random

from members.models import Community, Registration, RegistrationStatus, RoleAssignment
from members.roles import Role

from . import services
from .models import ConsultationPurpose, FeedbackSheet, SheetBatch, SheetState
from .selectors import sheets as selectors

DEMO_COMMUNITIES = 3  # the first three communities: enough to show both sides, quick to seed


def _opinion(sheet: FeedbackSheet) -> str:
    done = sheet.content.get("done", {})
    if done.get("behind"):
        return "该同志本年度参加社区志愿服务偏少，希望今后积极参与社区活动。"
    return "该同志积极参加社区志愿服务，服务居民热情主动，表现良好。"


def seed(*, town, rng: random.Random, today: dt.date) -> dict:
    year = today.year - 1
    sheets = issued = acknowledged = 0
    communities = list(Community.objects.filter(town=town).order_by("pk")[:DEMO_COMMUNITIES])
    for community in communities:
        secretary = (
            RoleAssignment.objects.filter(community=community, role=Role.SECRETARY)
            .select_related("user")
            .first()
        )
        if secretary is None:
            continue
        batch = SheetBatch.objects.create(
            community=community,
            year=year,
            started_by=secretary.user,
            total=selectors.members_for_sheets(community.pk).count(),
        )
        sheets += services.sheet_batch_run(batch_id=batch.pk)
        for sheet in FeedbackSheet.objects.filter(community=community, year=year, is_current=True):
            services.sheet_set_opinion(sheet=sheet, opinion=_opinion(sheet), by=secretary.user)
        issued += services.sheets_issue_all(community=community, year=year, by=secretary.user)

    # This year's sheets of the first community, still drafts: the secretary writes opinions before issue.
    drafts = 0
    if communities:
        first = communities[0]
        secretary = RoleAssignment.objects.filter(community=first, role=Role.SECRETARY).first()
        if secretary is not None:
            batch = SheetBatch.objects.create(
                community=first,
                year=today.year,
                started_by_id=secretary.user_id,
                total=selectors.members_for_sheets(first.pk).count(),
            )
            drafts = services.sheet_batch_run(batch_id=batch.pk)

    # About half of the employers with a liaison have acknowledged their sheets; the others have not.
    liaisons = list(
        RoleAssignment.objects.filter(role=Role.EMPLOYER_LIAISON, employer__town=town)
        .select_related("user", "employer")
        .order_by("employer_id", "pk")
    )
    acknowledging = {a.employer_id: a.user for a in liaisons if rng.random() < 0.5}
    for sheet in FeedbackSheet.objects.filter(
        employer_id__in=acknowledging, year=year, is_current=True, state=SheetState.ISSUED
    ).order_by("pk"):
        services.sheet_acknowledge(sheet=sheet, by=acknowledging[sheet.employer_id])
        acknowledged += 1

    # One open consultation: an employer asks before an award.
    consultations = 0
    for assignment in liaisons:
        registration = (
            Registration.objects.filter(
                status=RegistrationStatus.CONFIRMED,
                person__membership__employer_id=assignment.employer_id,
                person__membership__category="in_service",
            )
            .select_related("person__membership")
            .order_by("pk")
            .first()
        )
        if registration is not None:
            services.consultation_ask(
                employer=assignment.employer,
                person=registration.person,
                purpose=ConsultationPurpose.AWARD,
                question=f"拟推荐为本单位{today.year}年度优秀共产党员，请社区党组织提出意见。",
                by=assignment.user,
            )
            consultations = 1
            break
    return {
        "sheets": sheets,
        "issued": issued,
        "acknowledged": acknowledged,
        "drafts": drafts,
        "consultations": consultations,
    }
