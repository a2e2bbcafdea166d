"""Serializers of the democratic-evaluation API (beside its views in api/appraisal.py)."""

from rest_framework import serializers

from core.api import MAX_ID, ScopedPrimaryKeyRelatedField
from core.validators import BUSINESS_DATES, YEARS
from members.models import Community, InformationOfficer, Person

from ..models import (
    Appraisal,
    AppraisalEvent,
    AppraisalKind,
    Commendation,
    Evaluator,
    EvaluatorGroup,
    OfficerOutcome,
    OfficerReview,
    TallyRule,
)


class AppraisalEventSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField()
    action_display = serializers.CharField(read_only=True)
    from_state_display = serializers.CharField(read_only=True)
    to_state_display = serializers.CharField(read_only=True)

    class Meta:
        model = AppraisalEvent
        fields = [
            "action",
            "action_display",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "by_name",
            "at",
            "note",
        ]

    def get_by_name(self, obj) -> str:
        return obj.by.display_name if obj.by_id else ""


class AppraisalSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    evaluators_count = serializers.IntegerField(read_only=True)
    voted_count = serializers.IntegerField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "community",
            "community_name",
            "year",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "rule",
            "closes_on",
            "opened_at",
            "closed_at",
            "published_at",
            "evaluators_count",
            "voted_count",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        from ..services import allowed_actions

        return allowed_actions(obj)


class AppraisalDetailSerializer(AppraisalSerializer):
    events = AppraisalEventSerializer(many=True, read_only=True)

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AppraisalCreateSerializer(serializers.Serializer):
    community = ScopedPrimaryKeyRelatedField(model=Community, required=False)
    year = serializers.IntegerField(validators=[YEARS])
    kind = serializers.ChoiceField(choices=AppraisalKind.choices, default=AppraisalKind.MEMBERS)
    rule = serializers.ChoiceField(choices=TallyRule.choices, default=TallyRule.MOST_VOTES_TIE_LOWER)
    closes_on = serializers.DateField(validators=[BUSINESS_DATES])


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    closes_on = serializers.DateField(required=False, validators=[BUSINESS_DATES])


class EvaluatorSerializer(serializers.ModelSerializer):
    group_label = serializers.CharField(source="get_group_display", read_only=True)
    channel = serializers.CharField(read_only=True, help_text="link / paper; empty until the ballot is cast")
    has_link = serializers.SerializerMethodField()
    voted = serializers.SerializerMethodField()

    class Meta:
        model = Evaluator
        fields = [
            "id",
            "appraisal",
            "name",
            "group",
            "group_label",
            "person",
            "has_link",
            "link_issued_at",
            "voted",
            "voted_at",
            "channel",
        ]
        read_only_fields = fields

    def get_has_link(self, obj) -> bool:
        return bool(obj.token_hash)

    def get_voted(self, obj) -> bool:
        return obj.voted_at is not None


class EvaluatorCreateSerializer(serializers.Serializer):
    appraisal = ScopedPrimaryKeyRelatedField(model=Appraisal)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    group = serializers.ChoiceField(choices=EvaluatorGroup.choices)
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False, allow_null=True)


class LinkSerializer(serializers.Serializer):
    url = serializers.CharField()
    token = serializers.CharField()


class BallotLineSerializer(serializers.Serializer):
    subject = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    grade = serializers.CharField(
        max_length=20, help_text="excellent 优秀 / competent 合格 / basic 基本合格 / incompetent 不合格"
    )
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BallotInSerializer(serializers.Serializer):
    grades = BallotLineSerializer(many=True, allow_empty=False, max_length=500)

    def validate_grades(self, lines):
        seen = set()
        for line in lines:
            if line["subject"] in seen:
                raise serializers.ValidationError(f"评议对象 {line['subject']} 出现了两次")
            seen.add(line["subject"])
        return lines

    def as_service_grades(self) -> dict:
        return {
            line["subject"]: {"grade": line["grade"], "comment": line["comment"]}
            for line in self.validated_data["grades"]
        }


class PublicBallotInSerializer(BallotInSerializer):
    token = serializers.CharField(max_length=64)


class PublicTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class BallotAcceptedSerializer(serializers.Serializer):
    ballots = serializers.IntegerField()


class GroupCountsSerializer(serializers.Serializer):
    excellent = serializers.IntegerField()
    competent = serializers.IntegerField()
    basic = serializers.IntegerField()
    incompetent = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    grade = serializers.CharField(allow_null=True)
    grade_label = serializers.CharField()
    counts = serializers.DictField(child=GroupCountsSerializer())
    votes = serializers.IntegerField()
    excellent = serializers.BooleanField()
    excellent_reason = serializers.CharField()
    final = serializers.BooleanField()


class ExcellentInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class LedgerLineSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    items = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    cases = serializers.IntegerField()
    registered_on = serializers.DateField(allow_null=True)


class PublicBallotFormSerializer(serializers.Serializer):
    community_name = serializers.CharField()
    year = serializers.IntegerField()
    kind_label = serializers.CharField()
    show_ledger = serializers.BooleanField(help_text="members: each subject's ledger summary is shown")
    evaluator_name = serializers.CharField()
    closes_on = serializers.DateField(validators=[BUSINESS_DATES])
    grades = serializers.DictField(child=serializers.CharField())
    subjects = LedgerLineSerializer(many=True)


class CommendationSerializer(serializers.ModelSerializer):
    """通报表彰: what the employer's liaison reads (every key is in members.privacy.EMPLOYER_FEEDBACK_FIELDS)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Commendation
        fields = [
            "id",
            "number",
            "year",
            "person",
            "person_name",
            "employer",
            "employer_name",
            "community",
            "community_name",
            "body",
            "issued_at",
        ]
        read_only_fields = fields


class OfficerReviewSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.person.name", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    record_kind = serializers.CharField(source="record.kind", read_only=True, allow_null=True, default=None)

    class Meta:
        model = OfficerReview
        fields = [
            "id",
            "officer",
            "officer_name",
            "year",
            "diary_entries",
            "reports",
            "reports_prompt",
            "feedback_total",
            "feedback_on_time",
            "complaints",
            "outcome",
            "outcome_label",
            "note",
            "record_kind",
            "created_at",
        ]
        read_only_fields = fields


class OfficerReviewCreateSerializer(serializers.Serializer):
    officer = ScopedPrimaryKeyRelatedField(model=InformationOfficer)
    year = serializers.IntegerField(validators=[YEARS])
    outcome = serializers.ChoiceField(choices=OfficerOutcome.choices)
    note = serializers.CharField(max_length=300)
    amount_yuan = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    skip_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
