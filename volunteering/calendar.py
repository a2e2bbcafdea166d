"""iCalendar (.ics) for a member's service items: a per-person feed a phone calendar can subscribe to.

The feed URL carries a signed person id instead of a session (calendar apps cannot log in); it reveals
only the member's own confirmed items (title, place, time).
"""

import datetime as dt

from django.core import signing
from django.utils import timezone

FEED_SALT = "volunteering.ics-feed"


def feed_token(person_id: int) -> str:
    return signing.dumps(person_id, salt=FEED_SALT)


def feed_person_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=FEED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _escape(text: str) -> str:
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (continuation lines start with a space)."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > 74:
            out.append(current)
            current = " " + ch
        else:
            current += ch
    out.append(current)
    return out


def ics(items, *, name: str = "志愿服务事项", host: str = "minqing.local") -> bytes:
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//minqing//volunteering//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:vol-item-{item.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(item.starts_at)}",
            f"DTEND:{_utc(item.ends_at)}",
            f"SUMMARY:{_escape(item.title)}",
            f"LOCATION:{_escape(item.place)}",
            f"DESCRIPTION:{_escape(item.description)}",
            "STATUS:CANCELLED" if item.status == "cancelled" else "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode()
