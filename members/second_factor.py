"""The second factor (TOTP) policy of office accounts, with the middleware and the API authentication that
enforce it. It lives next to `Scope` because it is a rule about roles and towns; core keeps the generic
plumbing (request ids, sessions, headers, parsers).
"""

from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device
from rest_framework import authentication, exceptions

from core.middleware import api_error, is_api, is_exempt

from .roles import SECOND_FACTOR_ROLES, scope_for

# ------------------------------------------------------------------------------------------- second factor


def second_factor_roles() -> set[str]:
    return {str(r) for r in SECOND_FACTOR_ROLES}


def requires_second_factor(user) -> bool:
    """Whether `user` must verify a TOTP device after logging in before any page or API works.

    Two sources, either one suffices:
    - the platform-wide floor REQUIRE_2FA_FOR_STAFF (env): every office account (the managing roles, the
      town supervisor) and every admin (superuser, admin staff);
    - a town (Town.require_2fa_for_staff, switched by its supervisor): the accounts holding one of those
      roles in it (its supervisor, the office of one of its communities). A town cannot switch off what
      the env asks, nor ask it of platform admins who hold no role in it.
    Read from the request's cached Scope (members.roles), no query of its own.
    """
    if user is None or not user.is_authenticated:
        return False
    if getattr(settings, "REQUIRE_2FA_FOR_STAFF", False):
        if user.is_superuser or user.is_staff:
            return True
        if scope_for(user).roles & second_factor_roles():
            return True
    return scope_for(user).town_requires_second_factor


# -------------------------------------------------------------------------------------- API authentication


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_detail = "请先修改初始密码"
    default_code = "password_change_required"


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = "请先完成动态口令（二次验证）"
    default_code = "otp_required"


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF token auth that honours the same gates as the session.

    A token is a long-lived credential used without the login page, so it cannot carry a forced password
    change or a verified second factor: an account with an initial password is refused
    (`password_change_required`), and so is the token of an account that must verify a second factor
    (`otp_required`, see requires_second_factor: REQUIRE_2FA_FOR_STAFF or its town's setting) — those
    accounts use the API through a verified browser session.
    Session requests get the same answers from SecondFactorMiddleware below and core.middleware.
    """

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.must_change_password:
            raise PasswordChangeRequired()
        if requires_second_factor(user):
            raise SecondFactorRequired()
        return user, token


# ----------------------------------------------------------------------------------------- second factor

OTP_EXEMPT = ("otp_setup", "otp_verify", "logout", "set_language")


class SecondFactorMiddleware:
    """An account that must use a second factor (requires_second_factor above: REQUIRE_2FA_FOR_STAFF,
    or its town's setting) and whose session has not verified a TOTP device reaches nothing but the
    set-up / verify pages and logout: pages redirect there, the API answers 403 `otp_required`.

    The town's setting is read from the request's Scope (members.roles), which the view reads anyway, so a
    logged-in request pays no extra query; a town switching it on takes effect on each account's next
    request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        blocked = self._gate(request)
        if blocked is not None:
            return blocked
        return self.get_response(request)

    def _gate(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_exempt(request, OTP_EXEMPT):
            return None
        if user.is_verified() or not requires_second_factor(user):
            return None
        if is_api(request):
            return api_error("otp_required", "请先在网页上完成动态口令（二次验证）", 403)
        target = "otp_verify" if user_has_device(user) else "otp_setup"
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
