"""A double submit of the same ballot on PostgreSQL: the evaluator row lock (and behind it the unique
constraint on appraisal, evaluator and subject) lets exactly one through. Skipped on SQLite."""

import pytest
import time_machine

from core.errors import DomainError
from evaluations import services
from evaluations.models import Ballot
from tests.volunteering.test_races_postgres import run_together

from .appraisal_support import NOW, open_appraisal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_link_submitted_ten_times_at_once_counts_once(cast):
    with time_machine.travel(NOW, tick=False):
        ev = open_appraisal(cast, residents=1, members=0)
        token = services.evaluator_issue_link(evaluator=ev.residents[0], by=cast.secretary)
        grades = {cast.member_person.pk: "excellent"}

        def submit():
            try:
                return len(services.ballot_submit_by_link(token=token, grades=grades))
            except DomainError as exc:
                return exc.code

        results, errors = run_together([submit] * 10)

    assert errors == []
    assert results.count(1) == 1
    assert Ballot.objects.count() == 1


def test_a_paper_ballot_and_the_link_racing_count_once(cast):
    with time_machine.travel(NOW, tick=False):
        ev = open_appraisal(cast, residents=1, members=0)
        evaluator = ev.residents[0]
        token = services.evaluator_issue_link(evaluator=evaluator, by=cast.secretary)
        grades = {cast.member_person.pk: "competent"}

        def by_link():
            try:
                return len(services.ballot_submit_by_link(token=token, grades=grades))
            except DomainError as exc:
                return exc.code

        def on_paper():
            try:
                return len(services.ballot_enter_paper(evaluator=evaluator, by=cast.staff, grades=grades))
            except DomainError as exc:
                return exc.code

        results, errors = run_together([by_link, on_paper] * 3)

    assert errors == []
    assert results.count(1) == 1
    assert Ballot.objects.count() == 1
