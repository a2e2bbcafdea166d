"""监督咨询 pages: the liaison asks (phone), the secretary answers with the ledger (desktop); both sides and
the town see the list, the overdue ones first."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import Form
from members.models import Employer, MemberCategory, Person
from members.roles import scope_for

from .. import services
from ..models import Consultation, ConsultationOpinion, ConsultationPurpose, ConsultationState
from .sheets import run


@login_required
def consultations(request):
    scope = scope_for(request.user)
    if not (scope.employer_ids or scope.is_office_anywhere):
        raise DjangoPermissionDenied("只有单位党组织联络人、社区党总支和镇督查可以查看监督咨询")
    today = timezone.localdate()
    rows = (
        Consultation.objects.visible_to(request.user)
        .select_related("community", "employer", "person")
        .annotate(
            late=Case(
                When(state=ConsultationState.OPEN, due_on__lt=today, then=Value(0)),
                When(state=ConsultationState.OPEN, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("late", "due_on", "-pk")
    )
    if request.GET.get("overdue") == "1":
        rows = rows.filter(state=ConsultationState.OPEN, due_on__lt=today)
    return render(
        request,
        "evaluations/consultation/list.html",
        {
            "section": "consultations",
            "page": Paginator(rows, 30).get_page(request.GET.get("page")),
            "today": today,
            "is_liaison": bool(scope.employer_ids),
            "overdue_only": request.GET.get("overdue") == "1",
        },
    )


class AskForm(Form):
    person = forms.ModelChoiceField(label="党员", queryset=Person.objects.none())
    purpose = forms.ChoiceField(label="咨询事由", choices=ConsultationPurpose.choices)
    question = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, employer_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the employer's own in-service members only; anyone else is refused by the service, naming the field
        self.fields["person"].queryset = Person.objects.filter(
            membership__employer_id__in=employer_ids, membership__category=MemberCategory.IN_SERVICE
        ).order_by("name")


@login_required
def consultation_new(request):
    scope = scope_for(request.user)
    if not scope.employer_ids:
        raise DjangoPermissionDenied("只有单位党组织联络人可以发起咨询")
    employer = Employer.objects.filter(pk__in=scope.employer_ids).order_by("pk").first()
    form = AskForm(request.POST or None, employer_ids=scope.employer_ids)
    if request.method == "POST" and form.is_valid():
        holder = {}

        def ask():
            holder["c"] = services.consultation_ask(
                employer=Employer.objects.get(pk=form.cleaned_data["person"].membership.employer_id)
                if form.cleaned_data["person"].membership.employer_id in scope.employer_ids
                else employer,
                person=form.cleaned_data["person"],
                purpose=form.cleaned_data["purpose"],
                question=form.cleaned_data["question"],
                by=request.user,
            )

        if run(request, ask, "已提交咨询，社区将在 10 个工作日内答复"):
            return redirect("evaluations:consultation_detail", holder["c"].pk)
    return render(request, "evaluations/consultation/new.html", {"section": "consultations", "form": form})


class AnswerForm(Form):
    opinion = forms.ChoiceField(
        label="社区意见", choices=ConsultationOpinion.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label="理由", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


@login_required
def consultation_detail(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.visible_to(request.user).select_related("community", "employer", "person"), pk=pk
    )
    scope = scope_for(request.user)
    can_answer = scope.runs_office(consultation.community_id) and consultation.state == ConsultationState.OPEN
    form = AnswerForm(request.POST or None)
    if (
        request.method == "POST"
        and can_answer
        and form.is_valid()
        and run(
            request,
            lambda: services.consultation_answer(
                consultation=consultation,
                opinion=form.cleaned_data["opinion"],
                reasons=form.cleaned_data["reasons"],
                by=request.user,
            ),
            "已答复",
        )
    ):
        return redirect("evaluations:consultation_detail", consultation.pk)
    ledger = sorted(consultation.ledger.items()) if consultation.ledger else []
    return render(
        request,
        "evaluations/consultation/detail.html",
        {
            "section": "consultations",
            "c": consultation,
            "form": form,
            "can_answer": can_answer,
            "can_withdraw": consultation.employer_id in scope.employer_ids
            and consultation.state == ConsultationState.OPEN,
            "ledger": ledger,
            "overdue": consultation.state == ConsultationState.OPEN
            and consultation.due_on < timezone.localdate(),
            "events": consultation.events.select_related("by"),
        },
    )


@login_required
@require_POST
def consultation_withdraw(request, pk: int):
    consultation = get_object_or_404(Consultation.objects.visible_to(request.user), pk=pk)
    run(request, lambda: services.consultation_withdraw(consultation=consultation, by=request.user), "已撤回")
    return redirect("evaluations:consultation_detail", consultation.pk)
