"""Serializers of the volunteering API: shapes only. Rules live in `services`; reads in `selectors`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ScopedPrimaryKeyRelatedField
from core.validators import BUSINESS_DATES, PAST_DATES
from members.models import Building, Community, Person
from members.privacy import shown_mobile

from .models import (
    CheckInMethod,
    ConductKind,
    ConductNote,
    DonatedGood,
    Evaluation,
    GoodCategory,
    GoodHandout,
    Pairing,
    PostClaim,
    Programme,
    ProgrammeKind,
    RequirementPolicy,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SkillListing,
    TeamMember,
)


class CommunityField(ScopedPrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "社区；只管理一个社区时可省略")
        super().__init__(model=Community, **kwargs)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


# ----------------------------------------------------------------------------------------------- policy


class PolicySerializer(serializers.ModelSerializer):
    requirement_text = serializers.SerializerMethodField()
    is_default = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="默认要求（从未设置）为 null"
    )

    class Meta:
        model = RequirementPolicy
        fields = [
            "community",
            "min_items",
            "target_items",
            "min_hours",
            "target_hours",
            "requirement_text",
            "is_default",
            "updated_at",
        ]
        read_only_fields = ["community", "updated_at"]

    def get_requirement_text(self, obj) -> str:
        from .selectors import requirement_text

        return requirement_text(obj)

    def get_is_default(self, obj) -> bool:
        return obj.pk is None


class PolicyWriteSerializer(serializers.Serializer):
    min_items = serializers.IntegerField(min_value=0, max_value=50)
    target_items = serializers.IntegerField(min_value=0, max_value=50)
    min_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False, default=0
    )
    target_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False, default=0
    )


# ------------------------------------------------------------------------------------------------ posts


class PostSerializer(serializers.ModelSerializer):
    approved_count = serializers.IntegerField(read_only=True, default=0)
    pending_count = serializers.IntegerField(read_only=True, default=0)
    vacancies = serializers.SerializerMethodField()
    match_score = serializers.SerializerMethodField()

    class Meta:
        model = ServicePost
        fields = [
            "id",
            "community",
            "name",
            "description",
            "specialties",
            "capacity",
            "is_active",
            "sort_order",
            "approved_count",
            "pending_count",
            "vacancies",
            "match_score",
        ]
        read_only_fields = fields

    def get_vacancies(self, obj) -> int:
        return max(obj.capacity - getattr(obj, "approved_count", 0), 0)

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="与本人专长、兴趣的匹配度（仅推荐列表）")
    )
    def get_match_score(self, obj):
        return getattr(obj, "match_score", None)


class PostWriteSerializer(serializers.Serializer):
    community = CommunityField()
    name = serializers.CharField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    capacity = serializers.IntegerField(min_value=1, max_value=500)
    sort_order = serializers.IntegerField(min_value=0, required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)


# ----------------------------------------------------------------------------------------------- claims


class ClaimSerializer(serializers.ModelSerializer):
    post_name = serializers.CharField(source="post.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = PostClaim
        fields = [
            "id",
            "community",
            "post",
            "post_name",
            "person",
            "person_name",
            "year",
            "status",
            "note",
            "decided_at",
            "decline_reason",
            "created_at",
        ]
        read_only_fields = fields


class ClaimCreateSerializer(serializers.Serializer):
    post = ScopedPrimaryKeyRelatedField(model=ServicePost)
    person = ScopedPrimaryKeyRelatedField(
        model=Person, required=False, help_text="省略为本人；工作人员代为认领时填写"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TeamMemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "community", "person", "person_name", "joined_on"]
        read_only_fields = fields


class TeamJoinSerializer(serializers.Serializer):
    community = CommunityField()
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False, help_text="省略为本人")


# ------------------------------------------------------------------------------------------------ items


class ItemSerializer(serializers.ModelSerializer):
    post_name = serializers.CharField(source="post.name", read_only=True, default=None, allow_null=True)
    programme_name = serializers.CharField(
        source="programme.name", read_only=True, default=None, allow_null=True
    )
    confirmed_count = serializers.IntegerField(read_only=True, default=0)
    waitlist_count = serializers.IntegerField(read_only=True, default=0)
    places_left = serializers.SerializerMethodField()
    my_status = serializers.CharField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text="本人的报名状态：confirmed / waitlisted / cancelled / null",
    )
    my_signup = serializers.IntegerField(source="my_signup_id", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "community",
            "title",
            "description",
            "place",
            "starts_at",
            "ends_at",
            "post",
            "post_name",
            "programme",
            "programme_name",
            "capacity",
            "required_skills",
            "recipients",
            "organiser",
            "status",
            "cancel_reason",
            "confirmed_count",
            "waitlist_count",
            "places_left",
            "my_status",
            "my_signup",
        ]
        read_only_fields = fields

    def get_places_left(self, obj) -> int:
        return max(obj.capacity - getattr(obj, "confirmed_count", 0), 0)


class ItemWriteSerializer(serializers.Serializer):
    community = CommunityField()
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=100)
    starts_at = serializers.DateTimeField(validators=[BUSINESS_DATES])
    ends_at = serializers.DateTimeField(validators=[BUSINESS_DATES])
    post = ScopedPrimaryKeyRelatedField(model=ServicePost, required=False, allow_null=True)
    programme = ScopedPrimaryKeyRelatedField(model=Programme, required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=500)
    required_skills = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    recipients = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ItemUpdateSerializer(ItemWriteSerializer):
    demote_excess = serializers.BooleanField(
        required=False,
        default=False,
        help_text="名额减少到已报名人数以下时：true 把最后报名的人转为候补（会通知本人）；默认拒绝修改",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("community")
        for f in fields.values():
            f.required = False
        return fields


class ItemCancelSerializer(ReasonSerializer):
    pass


class SignUpSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    starts_at = serializers.DateTimeField(source="item.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="item.ends_at", read_only=True)
    place = serializers.CharField(source="item.place", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    waitlist_position = serializers.SerializerMethodField()
    # "" until checked in: declared, because a read-only model field loses `allow_blank` in the schema
    check_in_method = serializers.ChoiceField(choices=CheckInMethod.choices, allow_blank=True, read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "item",
            "item_title",
            "starts_at",
            "ends_at",
            "place",
            "person",
            "person_name",
            "status",
            "queued_at",
            "promoted_at",
            "cancelled_at",
            "checked_in_at",
            "checked_out_at",
            "check_in_method",
            "waitlist_position",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="候补第几位（候补时）"))
    def get_waitlist_position(self, obj):
        return getattr(obj, "waitlist_position", None)


class SignUpCreateSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(
        model=Person, required=False, help_text="省略为本人；工作人员代为报名时填写"
    )


class CheckInSerializer(serializers.Serializer):
    token = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="二维码中的签到令牌"
    )
    code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=12, help_text="6 位签到码"
    )


class RecordSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    hours = serializers.FloatField(read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True, default="")
    approved_by_name = serializers.CharField(source="approved_by.display_name", read_only=True, default="")
    unverified = serializers.BooleanField(
        source="is_unverified", read_only=True, help_text="本人申报或事后补录（需审核，单独统计）"
    )
    # "" until evaluated (declared: a read-only model field loses `allow_blank` in the schema)
    evaluation = serializers.ChoiceField(choices=Evaluation.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "item",
            "item_title",
            "person",
            "person_name",
            "started_at",
            "ended_at",
            "minutes",
            "hours",
            "content",
            "evaluation",
            "evaluation_note",
            "source",
            "status",
            "unverified",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "status_reason",
        ]
        read_only_fields = fields


class CheckInResultSerializer(serializers.Serializer):
    signup = SignUpSerializer()
    changed = serializers.BooleanField(help_text="false：重复扫码，未作任何改变")
    record = RecordSerializer(allow_null=True, required=False)


class CheckinCodeSerializer(serializers.Serializer):
    url = serializers.CharField()
    token = serializers.CharField()
    code = serializers.CharField()
    svg = serializers.CharField(help_text="二维码 SVG")
    token_valid_seconds = serializers.IntegerField()
    refresh_seconds = serializers.IntegerField()


class AttendanceSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(model=Person)
    started_at = serializers.DateTimeField(validators=[PAST_DATES])
    ended_at = serializers.DateTimeField(validators=[PAST_DATES])
    content = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    evaluation = serializers.ChoiceField(
        choices=Evaluation.choices, required=False, allow_blank=True, default=""
    )
    evaluation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SelfReportSerializer(serializers.Serializer):
    item = ScopedPrimaryKeyRelatedField(model=ServiceItem)
    started_at = serializers.DateTimeField(validators=[PAST_DATES])
    ended_at = serializers.DateTimeField(validators=[PAST_DATES])
    content = serializers.CharField(max_length=300)


class EvaluationSerializer(serializers.Serializer):
    evaluation = serializers.ChoiceField(choices=Evaluation.choices)
    evaluation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    evaluation = serializers.ChoiceField(
        choices=Evaluation.choices, required=False, allow_blank=True, default=""
    )
    evaluation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CalendarLinkSerializer(serializers.Serializer):
    url = serializers.CharField()


# ---------------------------------------------------------------------------------- requirement, ledger


class RequirementRowSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    community = serializers.IntegerField(source="community_id")
    employer = serializers.IntegerField(source="employer_id", allow_null=True)
    employer_name = serializers.CharField()
    items = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    status = serializers.ChoiceField(choices=["behind", "met", "target"])
    status_label = serializers.CharField()
    behind = serializers.BooleanField()


class RequirementGroupSerializer(serializers.Serializer):
    employer = serializers.IntegerField(source="employer_id", allow_null=True)
    employer_name = serializers.CharField()
    behind = serializers.IntegerField()
    rows = RequirementRowSerializer(many=True)


class RequirementSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    community = serializers.IntegerField()
    policy = PolicySerializer()
    members = serializers.IntegerField()
    behind = serializers.IntegerField()
    employers = RequirementGroupSerializer(many=True)


class LedgerSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField(allow_blank=True)))


class LedgerEntrySerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    title = serializers.CharField(source="item.title")
    starts_at = serializers.DateTimeField(source="item.starts_at")
    ends_at = serializers.DateTimeField(source="item.ends_at")
    place = serializers.CharField(source="item.place")
    post = serializers.CharField(source="item.post.name", default=None, allow_null=True)
    programme = serializers.CharField(source="item.programme.name", default=None, allow_null=True)
    signup_status = serializers.CharField(source="signup.status", default=None, allow_null=True)
    checked_in_at = serializers.DateTimeField(source="signup.checked_in_at", default=None, allow_null=True)
    record = RecordSerializer(allow_null=True)
    counts = serializers.BooleanField()


class LedgerConductNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConductNote
        fields = ["id", "noted_on", "kind", "note"]


class LedgerPairingSerializer(serializers.Serializer):
    """One 结对帮扶 pairing as the ledger shows it (documentation of ``LedgerSerializer.pairings``)."""

    programme = serializers.CharField()
    household = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()


class LedgerSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.name")
    year = serializers.IntegerField()
    community = serializers.IntegerField(source="community.pk")
    registration_status = serializers.CharField(source="registration.status", default=None, allow_null=True)
    registered_at = serializers.DateTimeField(source="registration.decided_at", default=None, allow_null=True)
    claims = ClaimSerializer(many=True)
    team_joined_on = serializers.DateField(allow_null=True)
    entries = LedgerEntrySerializer(many=True)
    items_done = serializers.IntegerField()
    hours_done = serializers.DecimalField(max_digits=7, decimal_places=1)
    cumulative_hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    stars = serializers.IntegerField()
    requirement = serializers.SerializerMethodField()
    pairings = serializers.SerializerMethodField()
    sections = LedgerSectionSerializer(many=True)
    conduct_notes = LedgerConductNoteSerializer(
        many=True, allow_null=True, help_text="八小时以外：仅本社区党总支可见，其他人为 null"
    )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_requirement(self, obj):
        p = obj.progress
        return {
            "text": p["requirement_text"],
            "behind": p["behind"],
            "met_target": p["met_target"],
            "status_label": p["status_label"],
        }

    @extend_schema_field(LedgerPairingSerializer(many=True))
    def get_pairings(self, obj):
        return [
            {
                "programme": p.programme.name,
                "household": p.household,
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "status": p.status,
            }
            for p in obj.pairings
        ]


# ------------------------------------------------------------------------------------------- conduct


class ConductNoteSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True, default="")

    class Meta:
        model = ConductNote
        fields = [
            "id",
            "community",
            "person",
            "person_name",
            "noted_on",
            "kind",
            "note",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class ConductNoteCreateSerializer(serializers.Serializer):
    community = CommunityField()
    person = ScopedPrimaryKeyRelatedField(model=Person)
    noted_on = serializers.DateField(validators=[PAST_DATES])
    kind = serializers.ChoiceField(choices=ConductKind.choices, required=False, default=ConductKind.NOTE)
    note = serializers.CharField(max_length=2000)


# ---------------------------------------------------------------------------------------- programmes


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "community", "name", "kind", "description", "is_active", "created_at"]
        read_only_fields = fields


class ProgrammeWriteSerializer(serializers.Serializer):
    community = CommunityField()
    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=ProgrammeKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class ProgrammeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class PairingSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "programme",
            "programme_name",
            "person",
            "person_name",
            "household",
            "recipient",
            "building",
            "address",
            "status",
            "started_on",
            "ended_on",
            "note",
        ]
        read_only_fields = fields


class PairingCreateSerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    person = ScopedPrimaryKeyRelatedField(model=Person)
    household = serializers.CharField(max_length=100)
    started_on = serializers.DateField(validators=[BUSINESS_DATES])
    recipient = ScopedPrimaryKeyRelatedField(model=Person, required=False, allow_null=True)
    building = ScopedPrimaryKeyRelatedField(model=Building, required=False, allow_null=True)
    address = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PairingEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, validators=[BUSINESS_DATES])


class GoodSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = DonatedGood
        fields = [
            "id",
            "programme",
            "programme_name",
            "name",
            "category",
            "quantity_received",
            "quantity_left",
            "donor",
            "received_on",
            "condition",
        ]
        read_only_fields = fields


class GoodCreateSerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    name = serializers.CharField(max_length=80)
    category = serializers.ChoiceField(choices=GoodCategory.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    received_on = serializers.DateField(validators=[PAST_DATES])
    donor = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    condition = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HandoutSerializer(serializers.ModelSerializer):
    good_name = serializers.CharField(source="good.name", read_only=True)

    class Meta:
        model = GoodHandout
        fields = [
            "id",
            "good",
            "good_name",
            "recipient_name",
            "recipient",
            "quantity",
            "handed_out_on",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class HandOutSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    recipient = ScopedPrimaryKeyRelatedField(model=Person, required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1)
    handed_out_on = serializers.DateField(required=False, validators=[PAST_DATES])
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SkillSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = SkillListing
        fields = [
            "id",
            "programme",
            "person",
            "person_name",
            "skill",
            "contact_phone",
            "availability",
            "is_active",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # the member's phone as the user may see it (members.privacy; the member's own in full): 138****1234
        # for anyone without 'full personal data', who reveals it on the person's record, with a reason
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["contact_phone"] = shown_mobile(
            request.user if request else None, instance.person, instance.contact_phone
        )
        return data


class SkillCreateSerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False, help_text="省略为本人")
    skill = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    availability = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
