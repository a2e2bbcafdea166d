"""Error pages (handler400/403/404/500, CSRF failure) and the TOTP second-factor pages.

Error pages show the request id and nothing else about the failure: no traceback, no SQL, no exception
text. They are rendered without a RequestContext, so no context processor runs and the 500 page renders
even when the database is down. Under /api/ they answer in the API's error shape instead.
"""

from __future__ import annotations

import logging
from base64 import b32encode
from urllib.parse import quote

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods

from . import security
from .middleware import api_error, is_api

logger = logging.getLogger(__name__)

ERRORS = {
    400: ("bad_request", "请求有误"),
    403: ("permission_denied", "无权访问此页面"),
    404: ("not_found", "页面不存在"),
    500: ("server_error", "服务器出错了，请稍后再试"),
}


def _error(request, status: int, *, message: str | None = None):
    code, title = ERRORS[status]
    if request is not None and is_api(request):
        return api_error(code, message or title, status)
    context = {"request_id": security.current_request_id(), "title": title, "message": message}
    try:
        body = loader.get_template(f"{status}.html").render(context)
    except Exception:  # the error page itself must never fail
        logger.exception("error template %s.html failed", status)
        body = f"<!doctype html><meta charset=utf-8><title>{status}</title><h1>{title}</h1>"
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error(request, 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(request, 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    """handler500: a plain function, no database, no context processors."""
    try:
        return _error(request, 500)
    except Exception:
        return HttpResponseServerError("Server error", content_type="text/plain; charset=utf-8")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: usually a page left open past its session, or cookies switched off."""
    return _error(request, 403, message="页面已过期或浏览器禁用了 Cookie，请返回、刷新页面后重试。")


# --------------------------------------------------------------------------------------- second factor


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _token(request) -> str:
    return "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())[:8]


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """动态口令设置: scan the otpauth URI (QR code) with an authenticator app, then type one code to confirm.

    An account that already has a confirmed device verifies it instead: adding a second device needs the
    first (or an administrator, who can delete devices in the admin).
    """
    import django_otp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if django_otp.user_has_device(request.user):
        return redirect(f"{reverse('otp_verify')}?next={quote(_next_url(request))}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="动态口令", confirmed=False)
    error = None
    if request.method == "POST":
        if device.verify_token(_token(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            logger.info("otp device confirmed user=%s", request.user.pk)
            return redirect(_next_url(request))
        error = "动态口令不正确，请核对手机时间后重试"
        logger.warning("otp setup failed user=%s", request.user.pk)
    uri = device.config_url
    context = {
        "otpauth_uri": uri,
        "qr_data_uri": segno.make(uri, error="m").svg_data_uri(scale=5),
        "secret": _group(b32encode(device.bin_key).decode()),
        "error": error,
        "next": _next_url(request),
    }
    return render(request, "core/otp_setup.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """动态口令验证: once per login for accounts that must (or chose to) use a second factor."""
    import django_otp

    if not django_otp.user_has_device(request.user):
        return redirect(f"{reverse('otp_setup')}?next={quote(_next_url(request))}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    error = None
    if request.method == "POST":
        # Each device throttles its own failures (django-otp's ThrottlingMixin: growing delays).
        device = django_otp.match_token(request.user, _token(request))
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next_url(request))
        error = "动态口令不正确或尝试过于频繁，请稍后重试"
        logger.warning("otp verify failed user=%s", request.user.pk)
    return render(
        request,
        "core/otp_verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
