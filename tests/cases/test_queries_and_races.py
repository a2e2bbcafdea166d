"""Query counts independent of the number of rows, and tracking numbers unique under concurrency."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case
from cases.states import CaseState
from members.models import Community
from tests.cases.factories import make_case


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/",
        "/api/v1/cases/?overdue=true",
        "/api/v1/cases/?state=assigned&channel=hotline",
        "/api/v1/cases/mine/",
    ],
)
def test_case_list_query_count_does_not_grow_with_rows(cast, as_user, path, django_assert_max_num_queries):
    for _ in range(5):
        make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    client = as_user("staff")
    few = _count(client, path)
    for _ in range(25):
        make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    with django_assert_max_num_queries(few):
        client.get(path)
    assert few <= 8


@pytest.mark.parametrize("path", ["/api/v1/case-groups/", "/api/v1/mailboxes/", "/api/v1/receptions/"])
def test_other_lists_query_count_does_not_grow_with_rows(cast, as_user, path, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            case = make_case(cast.beijie, by=cast.secretary)
            services.group_create(
                community=cast.beijie, by=cast.secretary, title=f"专题{i}{case.pk}", cases=[case]
            )
            services.mailbox_save(
                community=cast.beijie, by=cast.secretary, location=f"信箱{case.pk}", keeper=cast.member
            )
            services.reception_schedule(
                community=cast.beijie,
                by=cast.secretary,
                kind="deputies",
                year=2020 + case.pk // 12,
                month=case.pk % 12 + 1,
                host_name="周明",
            )

    add(5)
    client = as_user("secretary")
    few = _count(client, path)
    add(25)
    with django_assert_max_num_queries(few):
        client.get(path)


def test_case_detail_query_count_is_bounded(cast, as_user, django_assert_max_num_queries):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED, worker=cast.officer)
    with django_assert_max_num_queries(12):
        assert as_user("secretary").get(f"/api/v1/cases/{case.pk}/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tracking_numbers_are_unique_under_20_concurrent_submits(cast):
    community = Community.objects.get(pk=cast.beijie.pk)
    numbers, errors = [], []
    barrier = threading.Barrier(20)

    def submit(i):
        try:
            barrier.wait()
            case = services.public_submit(community=community, content=f"并发提交 {i}")
            numbers.append(case.tracking_no)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(numbers) == 20 and len(set(numbers)) == 20
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 21))
    assert Case.objects.filter(community=community).count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_racing_to_move_the_same_case_cannot_both_win(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS, worker=cast.officer)
    results, barrier = [], threading.Barrier(2)

    def act(fn):
        try:
            barrier.wait()
            fn()
            results.append("ok")
        except Exception as exc:
            results.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=act,
            args=(
                lambda: services.case_resolve(
                    case=Case.objects.get(pk=case.pk), by=cast.officer, resolution="修好"
                ),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                lambda: services.case_escalate(
                    case=Case.objects.get(pk=case.pk), by=cast.secretary, to_unit="镇"
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["Conflict", "ok"]
    case.refresh_from_db()
    assert case.events.count() == 5  # register, classify, assign, start + exactly one winner


def test_every_cases_route_is_in_the_openapi_schema(db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in [
        "/api/v1/cases/",
        "/api/v1/cases/{id}/classify/",
        "/api/v1/cases/{id}/higher-reply/",
        "/api/v1/cases/{id}/notice/",
        "/api/v1/case-groups/{id}/reply/",
        "/api/v1/mailboxes/{id}/open/",
        "/api/v1/diary/{id}/to-case/",
        "/api/v1/receptions/{id}/items/",
        "/api/v1/forums/",
        "/api/v1/workday-overrides/",
        "/api/v1/public/cases/",
        "/api/v1/public/cases/lookup/",
        "/api/v1/public/cases/rate/",
        "/api/v1/public/receptions/",
        "/api/v1/public/disclosures/{code}/",
    ]:
        assert path in paths, path
