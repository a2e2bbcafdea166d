"""Forms of the volunteering pages: input shapes only (rules are in services). Phone-first inputs: a date
plus start/end times rather than one datetime box; lists typed as text separated by 、 or commas."""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from core.forms import DateInput, Form, TimeInput
from core.validators import BUSINESS_DATES, PAST_DATES

from .models import ConductKind, Evaluation, GoodCategory, ProgrammeKind


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；\n]+", text or "") if part.strip()]


def join_list(values) -> str:
    return "、".join(values or [])


def aware(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at), timezone.get_current_timezone())


def span(day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """Start and end on `day`; an end before the start means the next morning (an evening patrol)."""
    begins = aware(day, start)
    ends = aware(day if end > start else day + dt.timedelta(days=1), end)
    return begins, ends


DATE = DateInput()
TIME = TimeInput()


class ListField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "多个用顿号或逗号分隔")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return join_list(value) if isinstance(value, list) else value

    def to_python(self, value):
        return split_list(super().to_python(value))


class PostForm(Form):
    name = forms.CharField(label="岗位名称", max_length=50)
    description = forms.CharField(label="岗位职责", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    specialties = ListField(label="所需专长")
    capacity = forms.IntegerField(label="岗位人数", min_value=1, max_value=500, initial=5)
    sort_order = forms.IntegerField(label="排序", min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


class ItemForm(Form):
    title = forms.CharField(label="事项名称", max_length=100)
    description = forms.CharField(label="服务内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    place = forms.CharField(label="地点", max_length=100)
    day = forms.DateField(label="日期", widget=DATE, validators=[BUSINESS_DATES])
    start = forms.TimeField(label="开始", widget=TIME)
    end = forms.TimeField(label="结束", widget=TIME)
    post = forms.ModelChoiceField(label="服务岗位", queryset=None, required=False)
    programme = forms.ModelChoiceField(label="特色载体", queryset=None, required=False)
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=500, initial=10)
    required_skills = ListField(label="所需技能（可不填）")
    recipients = forms.CharField(label="服务对象", max_length=100, required=False)
    demote_excess = forms.BooleanField(
        label="名额少于已报名人数时，把最后报名的人转为候补（会通知本人）", required=False
    )

    def __init__(self, *args, posts=None, programmes=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
        self.fields["programme"].queryset = programmes
        if not editing:
            del self.fields["demote_excess"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["starts_at"], data["ends_at"] = span(data.pop("day"), data.pop("start"), data.pop("end"))
        data.pop("demote_excess", None)
        return data


class ReasonForm(Form):
    reason = forms.CharField(label="原因", max_length=200)


class CodeForm(Form):
    code = forms.CharField(
        label="签到码",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "inputmode": "text",
                "placeholder": "6 位签到码",
            }
        ),
    )


class HoursForm(Form):
    start = forms.TimeField(label="服务开始", widget=TIME)
    end = forms.TimeField(label="服务结束", widget=TIME)
    content = forms.CharField(label="服务内容", max_length=300, required=False)

    def times(self, item) -> tuple[dt.datetime, dt.datetime]:
        day = timezone.localtime(item.starts_at).date()
        return span(day, self.cleaned_data["start"], self.cleaned_data["end"])


class AttendanceForm(HoursForm):
    person = forms.ModelChoiceField(label="党员", queryset=None)
    evaluation = forms.ChoiceField(label="服务评价", choices=[("", "—")] + Evaluation.choices, required=False)

    field_order = ["person", "start", "end", "content", "evaluation"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class SelfReportForm(HoursForm):
    item = forms.ModelChoiceField(label="服务事项", queryset=None)
    content = forms.CharField(label="服务内容", max_length=300)

    field_order = ["item", "start", "end", "content"]

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class EvaluationForm(Form):
    evaluation = forms.ChoiceField(label="服务评价", choices=Evaluation.choices)
    evaluation_note = forms.CharField(label="评价说明", max_length=200, required=False)


class PolicyForm(Form):
    min_items = forms.IntegerField(label="每年最少服务事项", min_value=0, max_value=50)
    target_items = forms.IntegerField(label="每年目标服务事项", min_value=0, max_value=50)
    min_hours = forms.DecimalField(
        label="每年最少服务时长（小时，0 表示不要求）", min_value=0, max_digits=5, decimal_places=1
    )
    target_hours = forms.DecimalField(
        label="每年目标服务时长（小时）", min_value=0, max_digits=5, decimal_places=1
    )


class ConductNoteForm(Form):
    noted_on = forms.DateField(label="日期", widget=DATE, validators=[PAST_DATES])
    kind = forms.ChoiceField(label="类别", choices=ConductKind.choices, initial=ConductKind.NOTE)
    note = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ProgrammeForm(Form):
    name = forms.CharField(label="名称", max_length=80)
    kind = forms.ChoiceField(label="类型", choices=ProgrammeKind.choices)
    description = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PairingForm(Form):
    person = forms.ModelChoiceField(label="结对党员", queryset=None)
    household = forms.CharField(label="结对对象", max_length=100, help_text="如：王奶奶（空巢老人）")
    building = forms.ModelChoiceField(label="楼栋", queryset=None, required=False)
    address = forms.CharField(label="单元/门牌", max_length=50, required=False)
    started_on = forms.DateField(label="结对日期", widget=DATE, validators=[BUSINESS_DATES])
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, people=None, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["building"].queryset = buildings


class GoodForm(Form):
    name = forms.CharField(label="物品", max_length=80)
    category = forms.ChoiceField(label="类别", choices=GoodCategory.choices)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=100000)
    donor = forms.CharField(label="捐赠人", max_length=80, required=False)
    received_on = forms.DateField(label="接收日期", widget=DATE, validators=[PAST_DATES])
    condition = forms.CharField(label="成色/说明", max_length=100, required=False)


class HandOutForm(Form):
    recipient_name = forms.CharField(label="领取人", max_length=50)
    quantity = forms.IntegerField(label="数量", min_value=1, initial=1)
    note = forms.CharField(label="备注", max_length=200, required=False)


class SkillForm(Form):
    person = forms.ModelChoiceField(label="党员", queryset=None, required=False)
    skill = forms.CharField(label="专长", max_length=50, help_text="如：维修电器、医疗救助")
    contact_phone = forms.CharField(
        label="联系电话",
        max_length=30,
        required=False,
        help_text="留空使用花名册中的手机号；登记即表示同意公开给本社区居民",
    )
    availability = forms.CharField(label="可服务时间", max_length=100, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
