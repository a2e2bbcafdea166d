"""Pages of the democratic evaluation: the secretary's desktop page (open, panel, links to hand out with a
QR code, paper-ballot entry, tally, excellent members, the cadres' publication) and the evaluator's phone
page reached through the personal link (no login)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import DateInput, Form
from core.validators import BUSINESS_DATES, YEARS
from members.models import Community, InformationOfficer, Person
from members.roles import scope_for
from volunteering import checkin

from .. import selectors, services
from ..api.appraisal import ballot_form, ballot_url, live_evaluator
from ..models import (
    GROUPS_BY_KIND,
    Appraisal,
    AppraisalKind,
    AppraisalState,
    Evaluator,
    Grade,
    OfficerOutcome,
    OfficerReview,
)


def _oversees_any(request) -> None:
    if not scope_for(request.user).is_office_anywhere:
        raise DjangoPermissionDenied


def _run(request, action, success: str) -> bool:
    try:
        action()
    except DomainError as exc:
        detail = "；".join(f"{m}" for msgs in exc.fields.values() for m in msgs if m not in exc.message)
        messages.error(request, exc.message + (f"（{detail}）" if detail else ""))
        return False
    if success:
        messages.success(request, success)
    return True


class AppraisalForm(Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label="社区")
    year = forms.IntegerField(label="年度", validators=[YEARS])
    kind = forms.ChoiceField(label="类型", choices=AppraisalKind.choices)
    closes_on = forms.DateField(
        label="截止日期",
        validators=[BUSINESS_DATES],
        widget=DateInput(),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        qs = (
            Community.objects.all()
            if scope.is_superuser
            else Community.objects.filter(pk__in=scope.office_community_ids)
        )
        self.fields["community"].queryset = qs


class EvaluatorForm(Form):
    name = forms.CharField(label="代表姓名", max_length=50)
    group = forms.ChoiceField(label="代表类别")

    def __init__(self, *args, kind=AppraisalKind.MEMBERS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.value, g.label) for g in GROUPS_BY_KIND[kind]]


def ballot_grades_from_post(post, subject_ids) -> dict:
    """{subject id: {"grade", "comment"}} from the ballot form (grade_<id>, comment_<id>); the service
    checks every value and names the field of a bad one."""
    return {
        pk: {"grade": post.get(f"grade_{pk}", ""), "comment": post.get(f"comment_{pk}", "")[:400]}
        for pk in subject_ids
    }


# ---------------------------------------------------------------------------------------- the office


@login_required
def appraisal_list(request):
    _oversees_any(request)
    form = AppraisalForm(request.POST or None, user=request.user, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = {}

        def create():
            made["a"] = services.appraisal_create(
                community=data["community"],
                by=request.user,
                year=data["year"],
                kind=data["kind"],
                closes_on=data["closes_on"],
            )

        if _run(request, create, "评议已建立，请添加评议代表"):
            return redirect("evaluations:appraisal_detail", made["a"].pk)
    appraisals = (
        Appraisal.objects.visible_to(request.user)
        .select_related("community")
        .order_by("-year", "community_id", "kind")
    )
    return render(
        request,
        "evaluations/appraisal/list.html",
        {
            "appraisals": appraisals,
            "form": form,
            "can_create": bool(scope_for(request.user).office_community_ids) or request.user.is_superuser,
        },
    )


def _detail_context(request, appraisal: Appraisal, **extra) -> dict:
    people = list(selectors.subjects(appraisal).values_list("pk", "name"))
    results = selectors.tally(appraisal, subject_ids=[pk for pk, _ in people])
    summaries = selectors.ledger_summaries(appraisal) if appraisal.kind == AppraisalKind.MEMBERS else {}
    groups = GROUPS_BY_KIND[appraisal.kind]
    rows = [
        {
            "pk": pk,
            "name": name,
            "result": results[pk],
            "by_group": [(g.label, results[pk].counts.get(g, {})) for g in groups],
            "ledger": summaries.get(pk),
        }
        for pk, name in people
    ]
    scope = scope_for(request.user)
    return {
        "appraisal": appraisal,
        "evaluators": appraisal.evaluators.order_by("group", "pk"),
        "events": appraisal.events.select_related("by"),
        "rows": rows,
        "groups": groups,
        "grades": Grade.choices,
        "is_office": scope.runs_office(appraisal.community_id),
        "is_town": scope.supervises_town(appraisal.community.town_id),
        "accepts": selectors.accepts_ballots(appraisal),
        "evaluator_form": EvaluatorForm(kind=appraisal.kind),
        "closed": appraisal.state == AppraisalState.CLOSED,
        **extra,
    }


@login_required
def appraisal_detail(request, pk):
    appraisal = get_object_or_404(
        Appraisal.objects.visible_to(request.user).select_related("community"), pk=pk
    )
    return render(request, "evaluations/appraisal/detail.html", _detail_context(request, appraisal))


@login_required
@require_POST
def appraisal_action(request, pk, action):
    appraisal = get_object_or_404(
        Appraisal.objects.visible_to(request.user).select_related("community"), pk=pk
    )
    if action == "open":
        _run(request, lambda: services.appraisal_open(appraisal=appraisal, by=request.user), "评议已开始")
    elif action == "close":
        _run(request, lambda: services.appraisal_close(appraisal=appraisal, by=request.user), "评议已结束")
    elif action == "reopen":
        closes_on = None
        try:
            closes_on = (
                dt.date.fromisoformat(request.POST.get("closes_on", ""))
                if request.POST.get("closes_on")
                else None
            )
        except ValueError:
            messages.error(request, "截止日期格式有误")
            return redirect("evaluations:appraisal_detail", pk)
        _run(
            request,
            lambda: services.appraisal_reopen(
                appraisal=appraisal,
                by=request.user,
                reason=request.POST.get("reason", "")[:400],
                closes_on=closes_on,
            ),
            "评议已重新开放",
        )
    elif action == "publish":
        _run(
            request,
            lambda: services.cadre_result_publish(appraisal=appraisal, by=request.user),
            "结果已在公开栏公示",
        )
    elif action == "excellent":
        person = Person.objects.filter(
            pk=request.POST.get("person") if str(request.POST.get("person", "")).isdigit() else None
        ).first()
        if person is None:
            messages.error(request, "请选择党员")
        else:
            _run(
                request,
                lambda: services.excellent_select(
                    appraisal=appraisal,
                    person=person,
                    by=request.user,
                    reason=request.POST.get("reason", "")[:400],
                ),
                f"已评选{person.name}为优秀党员，并生成通报表彰",
            )
    elif action == "evaluator":
        form = EvaluatorForm(request.POST, kind=appraisal.kind)
        if form.is_valid():
            _run(
                request,
                lambda: services.evaluator_add(appraisal=appraisal, by=request.user, **form.cleaned_data),
                "已添加评议代表",
            )
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    else:
        raise DjangoPermissionDenied
    return redirect("evaluations:appraisal_detail", pk)


@never_cache
@login_required
@require_POST
def evaluator_link(request, pk):
    """Issue the evaluator's personal link and show it once, as a URL and a QR code."""
    evaluator = get_object_or_404(
        Evaluator.objects.visible_to(request.user).select_related("appraisal__community"), pk=pk
    )
    made = {}

    def issue():
        made["token"] = services.evaluator_issue_link(evaluator=evaluator, by=request.user)

    if not _run(request, issue, ""):
        return redirect("evaluations:appraisal_detail", evaluator.appraisal_id)
    url = ballot_url(request, made["token"])
    return render(
        request,
        "evaluations/appraisal/link.html",
        {
            "evaluator": evaluator,
            "appraisal": evaluator.appraisal,
            "url": url,
            "svg": checkin.qr_svg(url, scale=6),
        },
    )


@login_required
def paper_ballot(request, pk):
    """Staff enter an evaluator's paper ballot: one grade per subject, all at once."""
    evaluator = get_object_or_404(
        Evaluator.objects.visible_to(request.user).select_related("appraisal__community"), pk=pk
    )
    appraisal = evaluator.appraisal
    if not scope_for(request.user).runs_office(appraisal.community_id):
        raise DjangoPermissionDenied
    people = list(selectors.subjects(appraisal).values_list("pk", "name"))
    errors: dict = {}
    if request.method == "POST":
        grades = ballot_grades_from_post(request.POST, [pk_ for pk_, _ in people])
        try:
            services.ballot_enter_paper(evaluator=evaluator, by=request.user, grades=grades)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
        else:
            messages.success(request, f"已录入{evaluator.name}的纸质选票")
            return redirect("evaluations:appraisal_detail", appraisal.pk)
    rows = [{"pk": p, "name": n, "error": "；".join(errors.get(f"grades.{p}", []))} for p, n in people]
    return render(
        request,
        "evaluations/appraisal/paper.html",
        {
            "evaluator": evaluator,
            "appraisal": appraisal,
            "rows": rows,
            "grades": Grade.choices,
            "posted": request.POST,
        },
    )


# ------------------------------------------------------------------------------------ the evaluator


@never_cache
def ballot(request):
    """The evaluator's phone page: every subject with the year's ledger summary, one grade each, sent once.
    The personal link's token is the credential (query string `t`, posted back as a hidden field)."""
    token = (request.POST.get("t") or request.GET.get("t") or "")[:64]
    try:
        evaluator = live_evaluator(token)
    except DomainError as exc:
        return render(request, "evaluations/appraisal/ballot_done.html", {"message": exc.message}, status=403)
    form = ballot_form(evaluator)
    errors: dict = {}
    if request.method == "POST":
        # No per-address limit: a panel often votes together from one meeting room (one address), and
        # the 192-bit token cannot be guessed.
        grades = ballot_grades_from_post(request.POST, [row["person"] for row in form["subjects"]])
        try:
            services.ballot_submit_by_link(token=token, grades=grades)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
        else:
            return render(
                request,
                "evaluations/appraisal/ballot_done.html",
                {"message": "选票已提交，感谢您的参与！", "ok": True},
            )
    for row in form["subjects"]:
        row["error"] = "；".join(errors.get(f"grades.{row['person']}", []))
        row["chosen"] = request.POST.get(f"grade_{row['person']}", "")
        row["comment"] = request.POST.get(f"comment_{row['person']}", "")
    return render(
        request, "evaluations/appraisal/ballot.html", {**form, "token": token, "grade_choices": Grade.choices}
    )


# ------------------------------------------------------------------------------- officers' review


class OfficerReviewForm(Form):
    officer = forms.ModelChoiceField(queryset=InformationOfficer.objects.none(), label="信息员")
    year = forms.IntegerField(label="年度", validators=[YEARS])
    outcome = forms.ChoiceField(label="考评结果", choices=OfficerOutcome.choices)
    note = forms.CharField(label="评语", max_length=300)
    amount_yuan = forms.DecimalField(
        label="处罚金额（元，经济处罚时填写）", required=False, min_value=0, max_digits=8, decimal_places=2
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            InformationOfficer.objects.visible_to(user).active().select_related("person")
        )


@login_required
def officer_reviews(request):
    _oversees_any(request)
    year = timezone.localdate().year
    form = OfficerReviewForm(request.POST or None, user=request.user, initial={"year": year})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(request, lambda: services.officer_review(by=request.user, **form.cleaned_data), "考评已记录")
    ):
        return redirect(reverse("evaluations:officer_reviews"))
    officers = list(
        InformationOfficer.objects.visible_to(request.user).active().select_related("person", "community")
    )
    figures = [(o, selectors.officer_figures(o, year)) for o in officers]
    reviews = OfficerReview.objects.visible_to(request.user).select_related("officer__person", "record")
    return render(
        request,
        "evaluations/appraisal/officer_reviews.html",
        {"form": form, "figures": figures, "reviews": reviews, "year": year},
    )
