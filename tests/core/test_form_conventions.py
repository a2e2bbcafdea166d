"""Every form of the pages reads in Chinese and works with the browser's own inputs (core.forms.ZhFormMixin):
ISO values in date inputs (zh-hans would render 2026/12/03, which <input type=date> drops), "请选择…"
instead of Django's "---------", a full-width colon after labels, phone fields with the phone keypad."""

import datetime as dt
import re

import pytest
import time_machine
from django import forms as django_forms
from django.test import Client
from django.urls import reverse

from core import forms as core_forms
from tests.security.test_control_characters import project_form_classes
from tests.volunteering.factories import at

pytestmark = pytest.mark.django_db

ASCII_COLON_LABEL = re.compile(r"<label[^>]*>[^<]*:</label>")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Sample(core_forms.Form):
    on = django_forms.DateField(label="日期", widget=django_forms.DateInput(attrs={"type": "date"}))
    at = django_forms.DateTimeField(label="时间", widget=django_forms.DateTimeInput())
    starts = django_forms.TimeField(label="开始", widget=django_forms.TimeInput())
    resident_phone = django_forms.CharField(label="联系电话")
    mobile = django_forms.CharField(label="手机号")
    kind = django_forms.TypedChoiceField(label="类型", choices=[("", "---------"), ("a", "甲")])
    category = django_forms.ChoiceField(label="类别", choices=[("a", "甲")])


class SampleFilter(Sample):
    blank_means_all = True


def test_the_mixin_gives_iso_dates_chinese_blanks_colons_and_phone_inputs():
    form = Sample(initial={"on": dt.date(2026, 12, 3), "at": at(2026, 12, 3, 9, 30), "starts": dt.time(8, 5)})
    html = str(form.as_p())

    assert 'type="date" name="on" value="2026-12-03"' in html
    assert 'type="datetime-local" name="at" value="2026-12-03T09:30"' in html
    assert 'type="time" name="starts" value="08:05"' in html
    assert html.count('inputmode="tel"') == 2 and 'type="tel" name="resident_phone"' in html
    assert "---------" not in html and '<option value="" selected>请选择类型</option>' in html
    assert '<label for="id_on">日期：</label>' in html and not ASCII_COLON_LABEL.search(html)
    assert '<option value="" selected>全部类型</option>' in str(SampleFilter().as_p())


def test_the_iso_values_are_read_back():
    form = Sample(
        {
            "on": "2026-12-03",
            "at": "2026-12-03T09:30",
            "starts": "08:05",
            "resident_phone": "1",
            "mobile": "1",
        }
        | {"kind": "a", "category": "a"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == dt.date(2026, 12, 3) and form.cleaned_data["starts"] == dt.time(8, 5)


def test_every_form_of_the_project_uses_the_conventions():
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in project_form_classes()
        if not issubclass(cls, core_forms.ZhFormMixin)
    )
    assert missing == []


def test_the_diary_date_is_filled_with_an_iso_date_and_the_category_is_labelled(cast):
    from cases import services

    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        services.diary_add(
            by=cast.officer,
            community=cast.beijie,
            visited_on=dt.date(2026, 12, 2),
            household="3号楼王家",
            heard="楼道灯坏了",
        )
        html = client_for(cast.officer).get(reverse("cases:diary")).content.decode()

    assert 'name="visited_on" value="2026-12-03"' in html and "2026/12/03" not in html
    assert re.search(r"<label>类别 <select name=\"category\"", html)
    assert 'for="id_visited_on">走访日期：</label>' in html


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("secretary", "cases:intake"),
        ("secretary", "cases:list"),
        ("officer", "cases:diary"),
        ("secretary", "cases:receptions"),
        ("secretary", "cases:forums"),
        ("secretary", "members:person_create"),
        ("secretary", "members:officer_appoint"),
        ("secretary", "members:registration_window"),
        ("secretary", "members:roster"),
        ("secretary", "volunteering:item_new"),
        ("member", "volunteering:record_new"),
        ("secretary", "evaluations:appraisals"),
        ("anonymous", "cases:public_submit"),
    ],
)
def test_no_page_form_shows_dashes_or_an_ascii_colon(cast, who, url_name):
    client = Client() if who == "anonymous" else client_for(getattr(cast, who))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()

    assert "---------" not in html
    assert not ASCII_COLON_LABEL.search(html), ASCII_COLON_LABEL.search(html).group(0)
    for tag in re.findall(r"<input[^>]*name=\"[a-z_]*(?:phone|mobile)\"[^>]*>", html):
        assert 'inputmode="tel"' in tag and 'type="tel"' in tag, tag


def test_the_case_list_filters_by_assignee_with_names_not_ids(cast):
    from cases.states import CaseState
    from tests.cases.factories import make_case

    make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    html = client_for(cast.secretary).get(reverse("cases:list")).content.decode()

    assert "承办人 id 或 me" not in html
    select = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)
    assert '<option value="me">我承办的</option>' in select
    assert f'<option value="{cast.staff.pk}">{cast.staff.display_name}</option>' in select
