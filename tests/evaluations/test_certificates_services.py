"""志愿服务证明: the member's certificate of recorded hours, with a public verification number."""

import pytest
import time_machine

from core.errors import DomainError, PermissionDenied
from evaluations import services
from evaluations.documents.certificates import certificate_pdf
from evaluations.models import ServiceCertificate
from tests.evaluations.employer_world import build_ledger
from tests.evaluations.test_sheets_services import pdftotext
from tests.volunteering.factories import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 10, 10)


@pytest.fixture
def ledger(cast):
    with time_machine.travel(NOW, tick=False):
        return build_ledger(cast)


def test_the_member_gets_a_certificate_of_the_years_approved_hours(cast, ledger):
    with time_machine.travel(NOW, tick=False):
        cert = services.certificate_issue(person=ledger.person, year=2026, by=cast.member)

    assert cert.minutes == 390
    assert [(r["title"], r["date"], r["hours"], r["recorder"]) for r in cert.content["records"]] == [
        ("义诊进社区", "2026-03-14", "2.0", "北街社区"),
        ("法律咨询日", "2026-05-20", "1.5", "北街社区"),
        ("垃圾分类宣传", "2026-09-06", "3.0", "北街社区"),
    ]
    assert cert.content["cumulative_hours"] == "106.5" and cert.content["stars"] == 1
    assert len(cert.verification_no) == 16
    text = pdftotext(certificate_pdf(cert))
    assert "志愿服务证明" in text and "马明" in text and cert.verification_no in text and "6.5" in text


def test_all_years_and_numbers_are_unique(cast, ledger):
    with time_machine.travel(NOW, tick=False):
        a = services.certificate_issue(person=ledger.person, year=None, by=cast.member)
        b = services.certificate_issue(person=ledger.person, year=None, by=cast.secretary)
    assert a.minutes == b.minutes == 6390
    assert a.verification_no != b.verification_no
    assert ServiceCertificate.objects.count() == 2


def test_someone_else_may_not_obtain_a_members_certificate(cast, ledger):
    with pytest.raises(PermissionDenied):
        services.certificate_issue(person=ledger.person, year=None, by=cast.officer)


def test_no_records_no_certificate(cast, ledger):
    with time_machine.travel(NOW, tick=False), pytest.raises(DomainError) as refused:
        services.certificate_issue(person=ledger.person, year=2024, by=cast.member)
    assert "year" in refused.value.fields
