"""How long volunteering keeps residents' (and a withdrawn listing's) personal data; core.retention runs these
nightly (registered with core.retention.register below, called with `now=`).

| data                                                   | kept                                      | then    |
| 爱心超市 hand-out: recipient's name, roster link, note  | HANDOUT_RETENTION_DAYS (730) after it     | blanked |
| 爱心超市 good: the donor's name                         | HANDOUT_RETENTION_DAYS (730) after receipt| blanked |
| ended 结对: household, roster link, address, note        | PAIRING_RETENTION_DAYS (730) after the end| blanked |
| withdrawn 技能名录 listing: its contact phone            | SKILL_PHONE_RETENTION_DAYS (30) after     | blanked |

What stays: the goods, quantities and dates (the supermarket's accounts), the member's pairing and its dates
(their service record), the member and skill of a withdrawn listing. Each purge is one set-based UPDATE
per table (a constant number of queries whatever the number of rows), touches only rows that still hold
something to remove (so a rerun changes nothing) and writes one audit summary when it changed anything.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit, retention

from .models import DonatedGood, GoodHandout, Pairing, PairingStatus, SkillListing

DEFAULT_HANDOUT_RETENTION_DAYS = 730  # two years, as residents' data on cases
DEFAULT_PAIRING_RETENTION_DAYS = 730
DEFAULT_SKILL_PHONE_RETENTION_DAYS = 30  # time to undo a mistaken withdrawal, then the consent is gone


def _days(setting: str, default: int) -> int:
    return int(getattr(settings, setting, default))


@transaction.atomic
def purge_love_supermarket_names(*, now: dt.datetime) -> dict:
    """爱心超市: hand-outs made more than HANDOUT_RETENTION_DAYS before `now` lose the recipient's name,
    roster link and note; goods received that long ago lose the donor's name."""
    days = _days("HANDOUT_RETENTION_DAYS", DEFAULT_HANDOUT_RETENTION_DAYS)
    before = timezone.localdate(now) - dt.timedelta(days=days)
    with audit.bulk_operation():
        handouts = (
            GoodHandout.objects.filter(handed_out_on__lt=before)
            .filter(~Q(recipient_name="") | Q(recipient__isnull=False) | ~Q(note=""))
            .update(recipient_name="", recipient=None, note="")
        )
        donors = DonatedGood.objects.filter(received_on__lt=before).exclude(donor="").update(donor="")
    if handouts or donors:
        audit.record(
            action="bulk_handout_names_purged",
            object_type="volunteering.GoodHandout",
            reason=f"爱心超市领取人、捐赠人姓名超过保存期限（{days} 天）",
            extra={"handouts": handouts, "donors": donors, "before": before.isoformat()},
        )
    return {"handouts": handouts, "donors": donors}


@transaction.atomic
def purge_ended_pairings(*, now: dt.datetime) -> dict:
    """结对: pairings ended more than PAIRING_RETENTION_DAYS before `now` lose the household's name, roster
    link, address and note; the member, programme, status and dates stay."""
    days = _days("PAIRING_RETENTION_DAYS", DEFAULT_PAIRING_RETENTION_DAYS)
    before = timezone.localdate(now) - dt.timedelta(days=days)
    with audit.bulk_operation():
        count = (
            Pairing.objects.filter(status=PairingStatus.ENDED, ended_on__lt=before)
            .filter(~Q(household="") | Q(recipient__isnull=False) | ~Q(address="") | ~Q(note=""))
            .update(household="", recipient=None, address="", note="")
        )
    if count:
        audit.record(
            action="bulk_pairings_anonymised",
            object_type="volunteering.Pairing",
            reason=f"结对结束超过保存期限（{days} 天），删除结对对象信息",
            extra={"pairings": count, "ended_before": before.isoformat()},
        )
    return {"pairings": count}


@transaction.atomic
def purge_withdrawn_skill_phones(*, now: dt.datetime) -> dict:
    """技能名录: a listing withdrawn more than SKILL_PHONE_RETENTION_DAYS before `now` loses its contact phone.
    A listing switched off in the admin has no withdrawal time: it counts from its creation."""
    days = _days("SKILL_PHONE_RETENTION_DAYS", DEFAULT_SKILL_PHONE_RETENTION_DAYS)
    cutoff = now - dt.timedelta(days=days)
    withdrawn = Q(withdrawn_at__lt=cutoff) | Q(withdrawn_at__isnull=True, created_at__lt=cutoff)
    with audit.bulk_operation():
        count = (
            SkillListing.objects.filter(withdrawn, is_active=False)
            .exclude(contact_phone="")
            .update(contact_phone="")
        )
    if count:
        audit.record(
            action="bulk_skill_phones_purged",
            object_type="volunteering.SkillListing",
            reason=f"撤下的技能名录超过保存期限（{days} 天），删除联系电话",
            extra={"skill_phones": count, "cutoff": cutoff.isoformat()},
        )
    return {"skill_phones": count}


def register() -> None:
    """Volunteering's entries in core.retention's registry (VolunteeringConfig.ready)."""
    retention.register(
        kinds={
            "love_supermarket": retention.RetentionKind(
                "HANDOUT_RETENTION_DAYS (730) after the hand-out, or after the goods were received",
                "blanked",
                (purge_love_supermarket_names,),
            ),
            "ended_pairing": retention.RetentionKind(
                "while the pairing lasts, then PAIRING_RETENTION_DAYS (730) after it ended",
                "blanked",
                (purge_ended_pairings,),
            ),
            "withdrawn_skill": retention.RetentionKind(
                "while listed, then SKILL_PHONE_RETENTION_DAYS (30) after the listing is withdrawn",
                "blanked",
                (purge_withdrawn_skill_phones,),
            ),
        },
        personal_data={
            "volunteering.GoodHandout.recipient_name": "love_supermarket",
            "volunteering.GoodHandout.recipient": "love_supermarket",
            "volunteering.GoodHandout.note": "love_supermarket",
            "volunteering.DonatedGood.donor": "love_supermarket",
            "volunteering.Pairing.household": "ended_pairing",
            "volunteering.Pairing.recipient": "ended_pairing",
            "volunteering.Pairing.address": "ended_pairing",
            "volunteering.Pairing.note": "ended_pairing",
            "volunteering.SkillListing.contact_phone": "withdrawn_skill",
        },
        kept={
            "volunteering.ServicePost.name": retention.NOT_A_PERSON,
            "volunteering.Programme.name": retention.NOT_A_PERSON,
            "volunteering.DonatedGood.name": retention.NOT_A_PERSON,
            "volunteering.ServiceItem.recipients": "the group an activity serves (如：小区老人), published with it",
        },
        nightly_purges=(purge_love_supermarket_names, purge_ended_pairings, purge_withdrawn_skill_phones),
    )
