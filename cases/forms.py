"""Forms of the server-rendered pages. They only parse input; the services decide."""

from django import forms

from core.forms import DateInput, DateTimeInput, Form
from core.validators import BUSINESS_DATES, PAST_DATES, YEARS
from members.models import Building, Community

from .models import (
    AssigneeKind,
    Category,
    Channel,
    FeedbackMethod,
    HandlingType,
    PrioritySubject,
    Rating,
    ReceptionKind,
)
from .states import CaseState


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class CaseFilterForm(Form):
    blank_means_all = True
    community = forms.ModelChoiceField(queryset=Community.objects.none(), required=False, label="社区")
    channel = forms.ChoiceField(choices=[("", "全部渠道"), *Channel.choices], required=False, label="渠道")
    handling_type = forms.ChoiceField(
        choices=[("", "全部类型"), *HandlingType.choices], required=False, label="类型"
    )
    state = forms.ChoiceField(choices=[("", "全部状态"), *CaseState.choices], required=False, label="状态")
    overdue = forms.ChoiceField(
        choices=[("", "是否超期"), ("true", "已超期"), ("false", "未超期")], required=False, label="是否超期"
    )
    # "me" or a user id, as the API's filter takes it; the choices are the people the user's cases are with
    assignee = forms.ChoiceField(
        required=False, label="承办人", choices=[("", "全部承办人"), ("me", "我承办的")]
    )
    q = forms.CharField(
        required=False, label="搜索", widget=forms.TextInput(attrs={"placeholder": "编号/内容"})
    )

    def __init__(self, *args, communities=None, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            communities if communities is not None else Community.objects.none()
        )
        self.fields["assignee"].choices = [
            ("", "全部承办人"),
            ("me", "我承办的"),
            *((str(user.pk), user.display_name) for user in assignees),
        ]
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)  # the filter bar shows no labels


class IntakeForm(Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label="社区")
    channel = forms.ChoiceField(choices=Channel.choices, label="受理渠道")
    category = forms.ChoiceField(choices=Category.choices, label="类别")
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="反映内容", required=False)
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False, label="楼栋")
    resident_name = forms.CharField(required=False, max_length=50, label="反映人")
    resident_phone = forms.CharField(required=False, max_length=30, label="联系电话")
    anonymous = forms.BooleanField(required=False, label="匿名")
    needs_home_visit = forms.BooleanField(required=False, label="需约定上门（年老体弱、残疾、上班时间冲突）")
    received_at = forms.DateTimeField(
        required=False,
        label="受理时间（默认现在）",
        widget=DateTimeInput(),
        validators=[PAST_DATES],
    )
    settle_on_spot = forms.BooleanField(required=False, label="即办件：当场办结")
    resolution = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="当场办理结果"
    )
    attachments = MultipleFileField(label="图片（最多 3 张，每张 ≤ 5 MB）")

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        communities = communities if communities is not None else Community.objects.none()
        self.fields["community"].queryset = communities
        self.fields["building"].queryset = Building.objects.filter(community__in=communities).select_related(
            "community"
        )


class RevealPhoneForm(Form):
    """查看完整号码 on a case: the reason goes into the access log; the page offers one-tap reasons."""

    reason = forms.CharField(
        label="查看原因",
        min_length=4,
        max_length=300,
        error_messages={"required": "请填写查看原因", "min_length": "查看原因至少 4 个字"},
    )


class ClassifyForm(Form):
    handling_type = forms.ChoiceField(choices=HandlingType.choices, label="办件类型")
    time_limit_days = forms.IntegerField(
        required=False, min_value=1, max_value=60, label="承诺时限（工作日）"
    )
    note = forms.CharField(required=False, label="备注")


class AssignForm(Form):
    assignee = forms.IntegerField(label="承办人", widget=forms.Select)
    kind = forms.ChoiceField(choices=[("", "自动"), *AssigneeKind.choices], required=False, label="身份")
    note = forms.CharField(required=False, label="交办说明")


class NoteForm(Form):
    note = forms.CharField(required=False, label="备注")


class DocumentsForm(Form):
    missing = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="需补齐的全部材料（每行一项）")

    def clean_missing(self):
        return [line.strip() for line in self.cleaned_data["missing"].splitlines() if line.strip()]


class EscalateForm(Form):
    to_unit = forms.CharField(label="上报单位")
    note = forms.CharField(required=False, label="说明")


class HigherReplyForm(Form):
    reply = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="上级批复")
    replied_on = forms.DateField(label="批复日期", widget=DateInput(), validators=[PAST_DATES])


class ReferForm(Form):
    department = forms.CharField(label="建议办理部门")
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="解释说明")


class ResolveForm(Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="办理结果")


class VisitForm(Form):
    visit_at = forms.DateTimeField(
        label="约定上门时间",
        widget=DateTimeInput(),
        validators=[BUSINESS_DATES],
    )
    address = forms.CharField(required=False, label="地点")


class FeedbackForm(Form):
    method = forms.ChoiceField(choices=FeedbackMethod.choices, label="反馈方式")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="反馈内容")


class RateForm(Form):
    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect, label="满意度")
    comment = forms.CharField(
        required=False, max_length=500, label="意见", widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(Form):
    reason = forms.CharField(label="重新办理原因")


ACTION_FORMS = {
    "classify": ClassifyForm,
    "assign": AssignForm,
    "start": NoteForm,
    "request_documents": DocumentsForm,
    "documents_received": NoteForm,
    "escalate": EscalateForm,
    "higher_reply": HigherReplyForm,
    "refer": ReferForm,
    "resolve": ResolveForm,
    "schedule_visit": VisitForm,
    "give_feedback": FeedbackForm,
    "rate": RateForm,
    "reopen": ReasonForm,
    "close": NoteForm,
}


class PublicSubmitForm(Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.all(), label="所在社区", to_field_name="code"
    )
    category = forms.ChoiceField(choices=Category.choices, label="问题类别")
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="反映内容", required=False)
    resident_name = forms.CharField(required=False, max_length=50, label="姓名（可不填）")
    resident_phone = forms.CharField(required=False, max_length=30, label="联系电话（可不填）")
    anonymous = forms.BooleanField(required=False, label="匿名反映")
    attachments = MultipleFileField(label="图片（最多 3 张，每张不超过 5 MB）")
    consent = forms.BooleanField(
        label="我已阅读上方《个人信息处理说明》，同意按说明处理我的个人信息",
        error_messages={"required": "请阅读并勾选同意《个人信息处理说明》后再提交"},
    )


class PublicTrackForm(Form):
    tracking_no = forms.CharField(max_length=40, label="受理编号")
    access_code = forms.CharField(max_length=40, label="查询码")


class DiaryForm(Form):
    visited_on = forms.DateField(label="走访日期", widget=DateInput(), validators=[PAST_DATES])
    household = forms.CharField(max_length=100, label="走访户")
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False, label="楼栋")
    heard = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="了解到的情况")

    def __init__(self, *args, community_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(community_id=community_id)


class ToCaseForm(Form):
    category = forms.ChoiceField(choices=Category.choices, label="类别")


class OpeningForm(Form):
    opened_on = forms.DateField(label="开箱日期", widget=DateInput(), validators=[PAST_DATES])
    letters = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="信件内容（每封一段，空行分隔；无信件留空）",
    )
    note = forms.CharField(required=False, label="备注")

    def clean_letters(self):
        text = self.cleaned_data["letters"].replace("\r\n", "\n")
        return [{"content": block.strip()} for block in text.split("\n\n") if block.strip()]


class ReceptionForm(Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label="社区")
    kind = forms.ChoiceField(choices=ReceptionKind.choices, label="类型")
    year = forms.IntegerField(label="年", validators=[YEARS])
    month = forms.IntegerField(min_value=1, max_value=12, label="月")
    host_name = forms.CharField(max_length=100, label="接待人")
    place = forms.CharField(required=False, max_length=100, label="地点")

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            communities if communities is not None else Community.objects.none()
        )


class ReceptionItemForm(Form):
    visitor_name = forms.CharField(max_length=50, label="来访人")
    visitor_phone = forms.CharField(required=False, max_length=30, label="联系方式")
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="反映问题")
    category = forms.ChoiceField(choices=Category.choices, label="类别")
    priority_subject = forms.ChoiceField(
        choices=[("", "（两代表一委员接待日不填）"), *PrioritySubject.choices],
        required=False,
        label="接待重点内容",
    )


class ForumForm(Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label="社区")
    held_on = forms.DateField(label="召开日期", widget=DateInput(), validators=[PAST_DATES])
    title = forms.CharField(max_length=100, label="主题")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="参会人员（每行：姓名 身份）")
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="会议纪要")
    items = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="意见建议（每行：提出人｜内容｜现场答复内容，答复为空则登记为民情件）",
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            communities if communities is not None else Community.objects.none()
        )

    def clean_attendees(self):
        people = []
        for line in self.cleaned_data["attendees"].splitlines():
            parts = line.split(maxsplit=1)
            if parts:
                people.append({"name": parts[0], "role": parts[1] if len(parts) > 1 else ""})
        return people

    def clean_items(self):
        items = []
        for line in self.cleaned_data["items"].splitlines():
            parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
            if len(parts) >= 2 and parts[1]:
                answer = parts[2] if len(parts) > 2 else ""
                items.append(
                    {
                        "raised_by": parts[0],
                        "content": parts[1],
                        "answered_on_spot": bool(answer),
                        "answer": answer,
                    }
                )
        return items


class GroupForm(Form):
    title = forms.CharField(max_length=100, label="专题名称")


class GroupReplyForm(Form):
    method = forms.ChoiceField(
        choices=[c for c in FeedbackMethod.choices if c[0] != FeedbackMethod.HOME_VISIT], label="答复方式"
    )
    reply = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="专题答复")
