"""QR and short-code check-in (扫码签到).

The organiser's screen shows a QR code of a URL carrying a short-lived signed token (Django's
TimestampSigner through `signing.dumps`), renewed every minute, plus a 6-character short code from an HMAC
over a five-minute window. Both mix in the item's `checkin_key`, so rotating it voids every code shown.
Verifying never writes: the services decide what a valid code does (and make a replay harmless).
"""

import datetime as dt
import hashlib
import hmac

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError

TOKEN_SALT = "volunteering.checkin"
TOKEN_MAX_AGE = dt.timedelta(minutes=10)
CODE_WINDOW_SECONDS = 300
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed on a phone
CODE_LENGTH = 6
CODE_VALID_WINDOWS = 2  # the current window and the one before: up to ten minutes
CODE_EXPIRED_LOOKBACK = 288  # a code from the last 24 hours is "expired", anything else is "wrong"
REFRESH_SECONDS = 60
# A second scan this soon after checking in is a double tap, not a check-out.
SCAN_REPLAY_GRACE = dt.timedelta(minutes=5)

# Check-in opens half an hour before the start; check-out closes two hours after the end.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
CHECKOUT_CLOSES_AFTER = dt.timedelta(hours=2)


class WrongCode(DomainError):
    def __init__(self):
        super().__init__(
            "签到码无效，请核对后重试", code="checkin_code_wrong", fields={"code": ["签到码无效"]}
        )


class ExpiredCode(DomainError):
    def __init__(self):
        super().__init__(
            "签到码已过期，请扫描现场最新的二维码",
            code="checkin_code_expired",
            fields={"code": ["签到码已过期"]},
        )


def make_token(item) -> str:
    return signing.dumps({"i": item.pk, "k": item.checkin_key}, salt=TOKEN_SALT, compress=False)


def token_item_id(token: str) -> int | None:
    """The item a token names, without checking its age (to route a scanned URL to its item)."""
    try:
        return int(signing.loads(token, salt=TOKEN_SALT, max_age=None)["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def check_token(item, token: str) -> None:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        if token_item_id(token) == item.pk:
            raise ExpiredCode()
        raise WrongCode()
    except signing.BadSignature:
        raise WrongCode()
    if payload.get("i") != item.pk or payload.get("k") != item.checkin_key:
        raise WrongCode()


def _window(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // CODE_WINDOW_SECONDS


def _code_for(item, window: int) -> str:
    key = hashlib.sha256(f"{settings.SECRET_KEY}:volunteering.code".encode()).digest()
    digest = hmac.new(key, f"{item.pk}:{item.checkin_key}:{window}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, rest = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[rest])
    return "".join(chars)


def make_code(item, now: dt.datetime | None = None) -> str:
    return _code_for(item, _window(now or timezone.now()))


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def check_code(item, code: str, now: dt.datetime | None = None) -> None:
    code = normalise_code(code or "")
    current = _window(now or timezone.now())
    if len(code) == CODE_LENGTH:
        for back in range(CODE_EXPIRED_LOOKBACK):
            # as bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500)
            if hmac.compare_digest(code.encode(), _code_for(item, current - back).encode()):
                if back < CODE_VALID_WINDOWS:
                    return
                raise ExpiredCode()
    raise WrongCode()


def verify(item, *, token: str = "", code: str = "", now: dt.datetime | None = None) -> str:
    """Check a scanned token or a typed code for this item. Returns the check-in method ("qr" or "code")."""
    if token:
        check_token(item, token)
        return "qr"
    if code:
        check_code(item, code, now)
        return "code"
    raise DomainError(
        "请扫描二维码或输入签到码", code="checkin_code_missing", fields={"code": ["请输入签到码"]}
    )


def checkin_url(request, item) -> str:
    path = reverse("volunteering:checkin_scan", args=[make_token(item)])
    return request.build_absolute_uri(path) if request is not None else path


def qr_svg(url: str, *, scale: int = 6) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#1f2328", omitsize=True)
