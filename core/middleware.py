"""Request-level security middleware (order in settings.MIDDLEWARE matters; see the comments there).

RequestIdMiddleware          every request gets an id: response header, error pages, log lines
SecurityHeadersMiddleware    CSP, Permissions-Policy (and X-Frame-Options for responses that bypass the
                             clickjacking middleware, e.g. WhiteNoise's static files)
SessionLimitsMiddleware      idle timeout and absolute session lifetime
SecondFactorMiddleware       office accounts verify a TOTP device first when REQUIRE_2FA_FOR_STAFF or their
                             town (Town.require_2fa_for_staff) asks it
ForcePasswordChangeMiddleware  an account holding an initial password changes it before anything else
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from . import security

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {
            "error": {
                "code": code,
                "message": message,
                "fields": {},
                "request_id": security.current_request_id(),
            }
        },
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def is_exempt(request, names: tuple[str, ...]) -> bool:
    path = request.path_info
    if path.startswith(settings.STATIC_URL) or path == "/favicon.ico":
        return True
    return any(path == url for url in map(_url, names) if url)


# -------------------------------------------------------------------------------------------- request id


class RequestIdMiddleware:
    """Outermost: binds the id before anything logs, and the handler-500 response still gets the header.

    The id stays bound until the response is closed (`request_finished`, see core.security), so Django's
    own "Internal Server Error: /path" line, logged after the middleware chain returns, carries it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = security.accept_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        security.bind_request_id(request_id)
        response = self.get_response(request)
        response[security.REQUEST_ID_HEADER] = request_id
        return response


# -------------------------------------------------------------------------------------- security headers


def build_csp(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy (settings.CONTENT_SECURITY_POLICY, with per-path overrides from
    CONTENT_SECURITY_POLICY_PATH_OVERRIDES) and Permissions-Policy on every response.

    Django's SecurityMiddleware adds nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and HSTS.
    A view that sets its own CSP keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.default = build_csp(settings.CONTENT_SECURITY_POLICY)
        self.overrides = [
            (prefix, build_csp({**settings.CONTENT_SECURITY_POLICY, **changes}))
            for prefix, changes in getattr(settings, "CONTENT_SECURITY_POLICY_PATH_OVERRIDES", {}).items()
        ]
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def policy_for(self, path: str) -> str:
        for prefix, policy in self.overrides:
            if path.startswith(prefix):
                return policy
        return self.default

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy_for(request.path_info))
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


# ---------------------------------------------------------------------------------------- session limits


class SessionLimitsMiddleware:
    """Logs a browser session out after IDLE_TIMEOUT_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS
    after login, whichever comes first.

    The clocks live in the session (core.security stamps them at login). Activity is written at most every
    SESSION_TOUCH_SECONDS, so ordinary requests do not rewrite the session row each time. The request
    then goes on as anonymous: pages send it to the login page, the API answers 401/403.
    Token-authenticated API calls have no session and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        auth_at = session.get(security.SESSION_AUTH_AT)
        seen_at = session.get(security.SESSION_SEEN_AT)
        if auth_at is None or seen_at is None:
            # A session from before these stamps existed: start the clocks now.
            security.stamp_login(session, now)
            return
        idle = now - seen_at > settings.IDLE_TIMEOUT_SECONDS
        expired = now - auth_at > settings.SESSION_ABSOLUTE_SECONDS
        if idle or expired:
            logout(request)
            if not is_api(request):
                messages.info(
                    request,
                    "长时间未操作，已自动退出，请重新登录。" if idle else "登录已过期，请重新登录。",
                    fail_silently=True,
                )
            return
        if now - seen_at >= settings.SESSION_TOUCH_SECONDS:
            session[security.SESSION_SEEN_AT] = int(now)


# ------------------------------------------------------------------------------------ password change

PASSWORD_CHANGE_EXEMPT = ("password_change", "logout", "otp_setup", "otp_verify", "set_language")


class ForcePasswordChangeMiddleware:
    """An account with `must_change_password` (an initial password handed out by the office) changes it
    before anything else: pages redirect to the password change page, the API answers 403
    `password_change_required`. The flag is cleared by the password change form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not is_exempt(request, PASSWORD_CHANGE_EXEMPT)
        ):
            if is_api(request):
                return api_error("password_change_required", "请先在网页上修改初始密码", 403)
            return redirect("password_change")
        return self.get_response(request)
