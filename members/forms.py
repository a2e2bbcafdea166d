"""Forms of the members pages.

They only check and shape input. Every write goes through `members.services`; when a service refuses
(`DomainError`, or a model `ValidationError` from `full_clean`), `add_service_error` puts its message
on the form — under the field it names, or above the form.
"""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import Form, RefuseControlCharactersMixin, ZhFormMixin
from core.validators import BIRTH_DATES, BUSINESS_DATES, JOIN_DATES, PAST_DATES

from .form_parts import (  # noqa: F401  (re-exported: views call forms.add_service_error)
    DateInput,
    LabelledModelChoiceField,
    ListField,
    add_service_error,
    building_label,
    person_label,
    split_list,
)
from .models import (
    Gender,
    MemberCategory,
    OfficerEndReason,
    OfficerRecordKind,
    OfficerSource,
    ZoneSource,
)
from .validators import (
    mask_id_number,
    mask_mobile,
    normalise_id_number,
    validate_id_number,
    validate_mobile,
)

# ---------------------------------------------------------------------------------------------- accounts


class PasswordChangeForm(ZhFormMixin, RefuseControlCharactersMixin, auth_forms.PasswordChangeForm):
    """Changing the password also clears 须修改初始密码 (Django's own form saves the user the same way)."""

    # The current password is only compared with its hash, never stored: refusing a character in it would
    # lock out a user whose password (set in the admin or by a command) happens to hold one.
    control_characters_allowed = ("old_password",)

    def save(self, commit=True):
        self.user.set_password(self.cleaned_data["new_password1"])
        self.user.must_change_password = False
        if commit:
            self.user.save(update_fields=["password", "must_change_password"])
        return self.user


# ---------------------------------------------------------------------------------------------- roster


REGISTRATION_STATES = [
    ("", "全部报到状态"),
    ("registered", "已报到"),
    ("waiting", "待确认"),
    ("unregistered", "在职未报到"),
]
NOT_A_MEMBER = "none"


class RosterFilterForm(Form):
    blank_means_all = True
    community = forms.ModelChoiceField(queryset=None, required=False, empty_label="全部社区", label="社区")
    category = forms.ChoiceField(
        choices=[("", "全部类别"), *MemberCategory.choices, (NOT_A_MEMBER, "非党员")],
        required=False,
        label="类别",
    )
    state = forms.ChoiceField(choices=REGISTRATION_STATES, required=False, label="报到状态")
    q = forms.CharField(
        required=False,
        max_length=50,
        label="搜索",
        widget=forms.TextInput(attrs={"placeholder": "姓名或手机号", "type": "search"}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        # the filters show no <label>: each control is named for screen readers
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)


class PersonForm(Form):
    """A person of the roster and, if a party member, their membership (person_save)."""

    PERSON_FIELDS = [
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "education",
        "mobile",
        "id_number",
        "building",
        "unit_room",
        "note",
    ]
    MEMBERSHIP_FIELDS = ["category", "joined_on", "employer", "position", "specialties", "interests"]

    community = forms.ModelChoiceField(queryset=None, label="居住社区", empty_label="请选择社区")
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=[("", "—"), *Gender.choices], required=False)
    ethnicity = forms.CharField(label="民族", max_length=20, required=False)
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=DateInput(), validators=[BIRTH_DATES]
    )
    education = forms.CharField(label="学历", max_length=20, required=False)
    mobile = forms.CharField(
        label="联系电话",
        max_length=11,
        required=False,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    building = LabelledModelChoiceField(
        queryset=None, label="楼栋", required=False, empty_label="—", label_from=building_label
    )
    unit_room = forms.CharField(label="单元/门牌", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)
    category = forms.ChoiceField(
        label="党员类别", choices=[("", "非党员"), *MemberCategory.choices], required=False
    )
    joined_on = forms.DateField(label="入党时间", required=False, widget=DateInput(), validators=[JOIN_DATES])
    employer = forms.ModelChoiceField(
        queryset=None, label="工作单位", required=False, empty_label="—", help_text="在职党员必填"
    )
    position = forms.CharField(label="职务", max_length=50, required=False)
    specialties = ListField(label="专长")
    interests = ListField(label="兴趣")

    NUMBER_FIELDS = ["mobile", "id_number"]

    def __init__(self, *args, communities, buildings, employers, person=None, full_numbers=True, **kwargs):
        # Without 'full personal data' (members.privacy) the numbers are never sent to the browser: the
        # fields start empty with the masked value as a placeholder, and left empty they stay unchanged.
        self.person = person
        self.keep_numbers = person is not None and not full_numbers
        if person is not None:
            initial = {name: getattr(person, name) for name in self.PERSON_FIELDS}
            initial["id_number"] = person.id_number or ""
            if self.keep_numbers:
                initial.update(mobile="", id_number="")
            membership = getattr(person, "membership", None)
            if membership is not None:
                initial.update({name: getattr(membership, name) for name in self.MEMBERSHIP_FIELDS})
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["building"].queryset = buildings
        self.fields["employer"].queryset = employers
        if person is not None:
            # A move goes through the registration transfer, which keeps the history.
            del self.fields["community"]
            if getattr(person, "membership", None) is not None:
                self.fields["category"].choices = MemberCategory.choices
        if self.keep_numbers:
            shown = {"mobile": mask_mobile(person.mobile), "id_number": mask_id_number(person.id_number)}
            for name in self.NUMBER_FIELDS:
                field = self.fields[name]
                field.widget.attrs["placeholder"] = shown[name]
                field.help_text = "留空则不修改" if shown[name] else ""

    def clean_id_number(self):
        value = normalise_id_number(self.cleaned_data["id_number"])
        if not value and self.keep_numbers:
            return self.person.id_number  # left empty: unchanged, not cleared
        if value:
            validate_id_number(value)
        return value

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if not value and self.keep_numbers:
            return self.person.mobile  # left empty: unchanged, not cleared
        return value

    def fieldsets(self) -> list[tuple[str, list]]:
        basic = [name for name in ["community", *self.PERSON_FIELDS] if name in self.fields]
        return [
            ("基本信息", [self[n] for n in basic]),
            ("党员信息", [self[n] for n in self.MEMBERSHIP_FIELDS]),
        ]

    def person_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}
        if "community" in self.fields:
            fields["community"] = self.cleaned_data["community"]
        return fields

    def membership(self) -> dict | None:
        """The membership to save, or None to leave it as it is (a non-member stays a non-member)."""
        data = {name: self.cleaned_data[name] for name in self.MEMBERSHIP_FIELDS}
        return data if data["category"] else None


class RosterUploadForm(Form):
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label="花名册文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                "请上传 Excel 2007 及以上格式（.xlsx）的花名册；.xls 请先在 Excel 中另存为 .xlsx"
            )
        if upload.size > self.MAX_BYTES:
            raise ValidationError("文件超过 5 MB，请按社区拆分后分别导入")
        return upload


# ---------------------------------------------------------------------------------------- registration


class RevealForm(Form):
    """查看完整号码: the reason goes into the access log."""

    reason = forms.CharField(
        label="查看原因",
        min_length=4,
        max_length=300,
        error_messages={"required": "请填写查看原因", "min_length": "查看原因至少 4 个字"},
        widget=forms.TextInput(attrs={"placeholder": "例如：电话通知报到"}),
    )


class ReturnForm(Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=300,
        error_messages={"required": "请填写退回原因"},
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "例如：居住地址不在本社区，请核实后重新报到"}),
    )


class RegistrationDetailsForm(Form):
    """What a member tells the community when registering (specialties, interests, posts they would like)."""

    specialties = ListField(label="专长", help_text="例如：法律咨询、医疗保健、维修；多项用顿号分隔")
    interests = ListField(label="兴趣爱好")
    desired_posts = forms.CharField(
        label="意向服务岗位",
        max_length=200,
        required=False,
        help_text="想参加的服务岗位，例如：政策宣传岗、文明劝导岗",
    )


class WindowRegistrationForm(RegistrationDetailsForm):
    """窗口报到: staff register the in-service member standing at the desk."""

    field_order = ["person", "specialties", "interests", "desired_posts"]

    person = LabelledModelChoiceField(
        queryset=None, label="在职党员", empty_label="请选择未报到的在职党员", label_from=person_label
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["specialties"].help_text = "留空则沿用花名册中的专长"
        self.fields["interests"].help_text = "留空则沿用花名册中的兴趣"


class MyRegistrationForm(RegistrationDetailsForm):
    """报到 by the member on their phone."""

    field_order = ["community", "specialties", "interests", "desired_posts"]

    community = forms.ModelChoiceField(
        queryset=None, label="报到社区", empty_label=None, help_text="到家庭居住地所在社区报到"
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class TransferForm(Form):
    """A move to another community of the same town (registration_transfer)."""

    to_community = forms.ModelChoiceField(queryset=None, label="新居住社区", empty_label="请选择社区")
    building = LabelledModelChoiceField(
        queryset=None, label="楼栋", required=False, empty_label="—（暂不填写）", label_from=building_label
    )
    unit_room = forms.CharField(label="单元/门牌", max_length=50, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, communities, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_community"].queryset = communities
        self.fields["building"].queryset = buildings

    def clean(self):
        data = super().clean()
        building, community = data.get("building"), data.get("to_community")
        if building and community and building.community_id != community.pk:
            self.add_error("building", "楼栋不属于所选的新居住社区")
        return data


# ------------------------------------------------------------------------------------------- officers

# A party member's category is the officer source of the same name; everyone else starts as an activist.
SOURCE_FOR_CATEGORY = {value: value for value in OfficerSource.values if value in MemberCategory.values}


class PersonSelect(forms.Select):
    """Options carry `data-source`, so static/js/members.js can preselect the matching 人员来源."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        person = getattr(value, "instance", None)
        if person is not None:
            membership = getattr(person, "membership", None)
            source = SOURCE_FOR_CATEGORY.get(membership.category) if membership else OfficerSource.ACTIVIST
            if source:
                option["attrs"]["data-source"] = source
        return option


class OfficerAppointForm(Form):
    person = LabelledModelChoiceField(
        queryset=None,
        label="人员",
        empty_label="请选择本社区居民",
        label_from=person_label,
        widget=PersonSelect(attrs={"data-source-target": "id_source"}),
        help_text="从非在职党员、小区积极分子和优秀综治员中聘用",
    )
    source = forms.ChoiceField(label="人员来源", choices=OfficerSource.choices)
    appointed_on = forms.DateField(label="聘用日期", widget=DateInput(), validators=[BUSINESS_DATES])
    term_years = forms.IntegerField(label="聘期（年）", min_value=1, max_value=10, initial=3)
    compound = forms.ModelChoiceField(queryset=None, label="负责楼院", required=False, empty_label="—")
    appointment_no = forms.CharField(
        label="聘书编号", max_length=30, required=False, help_text="留空则自动编号"
    )

    def __init__(self, *args, people, compounds, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("appointed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["compound"].queryset = compounds


class OfficerRecordForm(Form):
    kind = forms.ChoiceField(label="类型", choices=OfficerRecordKind.choices)
    on = forms.DateField(label="日期", widget=DateInput(), validators=[PAST_DATES])
    # The service appends 「（越级理由：…）」 to the reason; together they must fit the 300-character column.
    reason = forms.CharField(label="事由", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    amount_yuan = forms.DecimalField(
        label="处罚金额（元）",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text="仅经济处罚填写",
    )
    skip_reason = forms.CharField(
        label="越级理由",
        max_length=90,
        required=False,
        help_text="不按批评教育→通报批评→经济处罚→解除聘用逐级处理时必填",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class OfficerEndForm(Form):
    reason = forms.ChoiceField(label="离任原因", choices=OfficerEndReason.choices)
    on = forms.DateField(label="离任日期", widget=DateInput(), validators=[PAST_DATES])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class QuotaForm(Form):
    officer_quota = forms.IntegerField(label="信息员定额", min_value=0, max_value=500)


class TownSecondFactorForm(Form):
    """The town supervisor's switch on the home page (an unticked box is not sent: False)."""

    require_2fa_for_staff = forms.BooleanField(label="管理人员须动态口令", required=False)


# ---------------------------------------------------------------------------------------------- zones


class ZoneForm(Form):
    community = forms.ModelChoiceField(queryset=None, label="社区", widget=forms.HiddenInput)
    name = forms.CharField(label="责任区名称", max_length=80)
    buildings = forms.ModelMultipleChoiceField(
        queryset=None, label="包含楼栋", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, communities=None, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is None:
            del self.fields["community"]  # a zone stays in its community
        else:
            self.fields["community"].queryset = communities
        self.fields["buildings"].queryset = buildings


class ZoneAssignForm(Form):
    person = LabelledModelChoiceField(
        queryset=None, label="党员", empty_label="请选择本社区党员", label_from=person_label
    )
    source = forms.ChoiceField(label="方式", choices=ZoneSource.choices, initial=ZoneSource.ASSIGNED)
    letter_signed_on = forms.DateField(
        label="责任书签订日期", required=False, widget=DateInput(), validators=[PAST_DATES]
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
