"""What the public side needs to be safe: upload checks, flood and guessing limits, masking.

Counters live in the Django cache (locmem in tests, file or Redis in production), keyed by the client
address taken from REMOTE_ADDR only (a forged X-Forwarded-For cannot reset them) and by tracking number.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from rest_framework.throttling import SimpleRateThrottle

from core.masking import mask_text as _mask_text

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_CONTENT_CHARS = 5000

# Lookups that failed (wrong number or code): per address and per tracking number, in a 10-minute window.
LOOKUP_WINDOW_SECONDS = 600
LOOKUP_MISSES_PER_IP = 10
LOOKUP_MISSES_PER_NUMBER = 5


def sniff_image(head: bytes) -> str | None:
    """The image type from the file's first bytes (not its name or the browser's claim), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_attachments(files) -> tuple[list[tuple[File, str]], dict]:
    """[(file, content_type)] for acceptable uploads, or field errors. Reads only the first 12 bytes."""
    files = list(files or [])
    errors: list[str] = []
    checked = []
    if len(files) > MAX_ATTACHMENTS:
        errors.append(f"最多上传 {MAX_ATTACHMENTS} 张图片")
    for upload in files[:MAX_ATTACHMENTS]:
        name = getattr(upload, "name", "附件")
        if upload.size > MAX_ATTACHMENT_BYTES:
            errors.append(f"{name}：图片不能超过 5 MB")
            continue
        upload.seek(0)
        head = upload.read(12)
        upload.seek(0)
        kind = sniff_image(head)
        if kind is None:
            errors.append(f"{name}：只能上传 JPEG、PNG、WebP 或 GIF 图片")
            continue
        checked.append((upload, kind))
    return checked, ({"attachments": errors} if errors else {})


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _hit(key: str, window: int) -> int:
    """Increment a windowed counter and return its new value."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def _rate(scope: str) -> tuple[int, int]:
    """(requests, seconds) from REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, the one place rates are set."""
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(scope) or "5/minute"
    num, period = rate.split("/")
    return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def submit_allowed(ip: str) -> bool:
    """Counts a public submission from `ip`; False once the address exceeds its rate (a flood)."""
    limit, window = _rate("public_submit")
    return _hit(f"cases:submit:{ip}", window) <= limit


def lookup_blocked(ip: str, tracking_no: str) -> bool:
    ip_misses = cache.get(f"cases:miss:ip:{ip}", 0)
    no_misses = cache.get(f"cases:miss:no:{tracking_no.upper()}", 0)
    return ip_misses >= LOOKUP_MISSES_PER_IP or no_misses >= LOOKUP_MISSES_PER_NUMBER


def record_lookup_miss(ip: str, tracking_no: str) -> None:
    _hit(f"cases:miss:ip:{ip}", LOOKUP_WINDOW_SECONDS)
    if tracking_no:
        _hit(f"cases:miss:no:{tracking_no.upper()}", LOOKUP_WINDOW_SECONDS)


class PublicLookupThrottle(SimpleRateThrottle):
    """Every public lookup/rating request per address (on top of the miss counters above)."""

    scope = "public_lookup"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def mask_text(text: str) -> str:
    """Hide mobile, landline and ID numbers in free text shown on public pages (core.masking, public)."""
    return _mask_text(text, public=True)
