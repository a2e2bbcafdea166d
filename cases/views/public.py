"""The public pages (/cases/public/…), the only ones open without a login: submit a concern, track it with
number + access code and rate the reply, the reception rota, a community's disclosure."""

from django.shortcuts import get_object_or_404, redirect, render

from core.errors import DomainError
from members.models import Community

from .. import forms, retention, security, selectors, services
from ..models import Case
from ..states import CaseState


def public_home(request):
    return render(request, "cases/public/home.html", {"communities": Community.objects.all()})


def public_submit(request):
    form = forms.PublicSubmitForm(request.POST or None, request.FILES or None)
    notice = retention.privacy_notice()
    if request.method == "POST":
        if not security.submit_allowed(security.client_ip(request)):
            return render(
                request,
                "cases/public/submit.html",
                {"form": form, "flooded": True, "notice": notice},
                status=429,
            )
        if form.is_valid():
            data = dict(form.cleaned_data)
            files = data.pop("attachments") or []
            data.pop("consent")  # required by the form: no consent, no submission
            try:
                case = services.public_submit(
                    attachments=files, privacy_notice=retention.PRIVACY_NOTICE_VERSION, **data
                )
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    for message in errors if isinstance(errors, list) else [errors]:
                        form.add_error(field if field in form.fields else None, message)
            else:
                request.session["public_cases"] = [*request.session.get("public_cases", [])[-9:], case.pk]
                return render(
                    request,
                    "cases/public/submitted.html",
                    {"tracking_no": case.tracking_no, "access_code": case.access_code},
                )
    return render(request, "cases/public/submit.html", {"form": form, "notice": notice})


def _public_case_or_none(request, pk):
    if pk not in request.session.get("public_cases", []):
        return None
    return Case.objects.select_related("community").prefetch_related("events").filter(pk=pk).first()


def public_track(request):
    # the notice's QR code opens this page with ?no=…&code=…: looked up like a submitted form (throttled)
    from_qr = request.method == "GET" and {"no", "code"} <= set(request.GET)
    data = {"tracking_no": request.GET["no"], "access_code": request.GET["code"]} if from_qr else request.POST
    form = forms.PublicTrackForm(data if (from_qr or request.method == "POST") else None)
    if (request.method == "POST" or from_qr) and form.is_valid():
        ip, number = security.client_ip(request), form.cleaned_data["tracking_no"]
        if security.lookup_blocked(ip, number):
            return render(request, "cases/public/track.html", {"form": form, "blocked": True}, status=429)
        case = services.public_find(**form.cleaned_data)
        if case is None:
            security.record_lookup_miss(ip, number)
            form.add_error(None, "受理编号或查询码不正确")
        else:
            request.session["public_cases"] = [*request.session.get("public_cases", [])[-9:], case.pk]
            return redirect("cases:public_case", pk=case.pk)
    return render(request, "cases/public/track.html", {"form": form})


def public_case(request, pk):
    case = _public_case_or_none(request, pk)
    if case is None:
        return redirect("cases:public_track")
    form = forms.RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_rate(case=case, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("cases:public_case", pk=pk)
    return render(
        request,
        "cases/public/case.html",
        {
            "case": case,
            "content": security.mask_text(case.content),
            "reply": security.mask_text(case.feedback_text),
            "explanation": security.mask_text(case.explanation),
            "timeline": selectors.public_timeline(case),
            "form": form if case.state == CaseState.FEEDBACK_GIVEN else None,
        },
    )


def public_schedule(request):
    return render(request, "cases/public/schedule.html", {"days": selectors.public_schedule()})


def public_disclosure(request, code):
    community = get_object_or_404(Community, code=code)
    return render(
        request, "cases/public/disclosure.html", selectors.public_disclosure(community) | {"obj": community}
    )
