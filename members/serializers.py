"""DRF serializers of the members app. They shape and validate input; the writes happen in services."""

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from core.api import ScopedPrimaryKeyRelatedField
from core.validators import BIRTH_DATES, BUSINESS_DATES, JOIN_DATES, PAST_DATES

from .models import (
    Building,
    Community,
    Compound,
    Employer,
    InformationOfficer,
    OfficerEndReason,
    OfficerRecord,
    OfficerRecordKind,
    OfficerSource,
    PartyMembership,
    Person,
    Registration,
    RegistrationEvent,
    ResponsibilityZone,
    RosterImport,
    Town,
    ZoneAssignment,
    ZoneSource,
)
from .privacy import EMPLOYER_FEEDBACK_FIELDS, shown_id_number, shown_mobile
from .validators import normalise_id_number, validate_id_number


class TownSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "name", "code", "require_2fa_for_staff"]
        # the one field a town supervisor edits (members.services.town_set_second_factor)
        read_only_fields = ["id", "name", "code"]


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "town", "name", "code", "officer_quota", "address", "phone"]
        read_only_fields = ["id", "town", "name", "code", "address", "phone"]


class CompoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compound
        fields = ["id", "community", "name"]


class BuildingSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(Community)
    compound = ScopedPrimaryKeyRelatedField(Compound, required=False, allow_null=True)

    class Meta:
        model = Building
        fields = ["id", "community", "compound", "name"]


class EmployerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employer
        fields = ["id", "town", "name", "party_org_name", "contact_phone"]


class MembershipSerializer(serializers.ModelSerializer):
    employer = ScopedPrimaryKeyRelatedField(Employer, required=False, allow_null=True)
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    interests = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )

    class Meta:
        model = PartyMembership
        fields = ["category", "joined_on", "employer", "position", "specialties", "interests"]
        extra_kwargs = {"joined_on": {"validators": [JOIN_DATES]}}


class PersonSerializer(serializers.ModelSerializer):
    """Phone and ID numbers are shown in full only as members.privacy allows (the community's secretary
    and office director, the person themself); everyone else gets them masked and reveals one with a reason."""

    community = ScopedPrimaryKeyRelatedField(Community)
    building = ScopedPrimaryKeyRelatedField(Building, required=False, allow_null=True)
    membership = MembershipSerializer(required=False, allow_null=True)
    registration_status = serializers.CharField(read_only=True, allow_null=True)
    id_number = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=18)

    class Meta:
        model = Person
        fields = [
            "id",
            "community",
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
            "membership",
            "registration_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "registration_status"]
        extra_kwargs = {"birth_date": {"validators": [BIRTH_DATES]}}

    def validate_id_number(self, value):
        if not value:
            return None
        value = normalise_id_number(value)
        validate_id_number(value)
        clash = Person.objects.filter(id_number=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("该身份证号码已登记")
        return value

    def validate(self, attrs):
        building = attrs.get("building")
        community = attrs.get("community") or getattr(self.instance, "community", None)
        if building is not None and community is not None and building.community_id != community.pk:
            raise serializers.ValidationError({"building": ["楼栋不属于该社区"]})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request else None
        if instance.mobile:
            data["mobile"] = shown_mobile(user, instance, instance.mobile)
        if instance.id_number:
            data["id_number"] = shown_id_number(user, instance, instance.id_number)
        return data


class EmployerFeedbackSerializer(serializers.ModelSerializer):
    """Base of what an employer liaison reads (members.privacy.EMPLOYER_FEEDBACK_FIELDS): read-only, and a
    subclass naming a field that is not declared there fails at import, before it can serve a response."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        undeclared = [name for name in cls.Meta.fields if name not in EMPLOYER_FEEDBACK_FIELDS]
        if undeclared:
            raise ImproperlyConfigured(
                f"{cls.__name__}: {', '.join(undeclared)} not on the feedback sheet "
                "(members.privacy.EMPLOYER_FEEDBACK_FIELDS)"
            )


class EmployerFeedbackSchema(OpenApiSerializerExtension):
    """In the schema these shapes are closed (additionalProperties: false): they list all a liaison gets,
    and the office's fuller shape of the same object, documented beside them (oneOf), does not match them."""

    target_class = EmployerFeedbackSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


class PersonForEmployerSerializer(EmployerFeedbackSerializer):
    """What an employer liaison reads of one of its in-service members: the feedback sheet's fields only
    (members.privacy.EMPLOYER_FEEDBACK_FIELDS), no phone or ID number, not even masked, and no address."""

    employer = serializers.IntegerField(source="membership.employer_id", read_only=True, allow_null=True)
    employer_name = serializers.CharField(
        source="membership.employer.name", read_only=True, allow_null=True, default=None
    )
    community_name = serializers.CharField(source="community.name", read_only=True)
    registration_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "employer",
            "employer_name",
            "community",
            "community_name",
            "registration_status",
        ]
        read_only_fields = fields


class RegistrationEventSerializer(serializers.ModelSerializer):
    # null for an event without an acting user (a system change)
    by = serializers.CharField(source="by.display_name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = RegistrationEvent
        fields = ["from_status", "to_status", "by", "at", "note"]


class RegistrationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    events = RegistrationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "person_name",
            "community",
            "community_name",
            "status",
            "channel",
            "specialties",
            "interests",
            "desired_posts",
            "submitted_at",
            "decided_at",
            "return_reason",
            "transferred_from",
            "events",
        ]
        read_only_fields = fields


class RegistrationForEmployerSerializer(EmployerFeedbackSerializer):
    """An employer liaison's view of a registration (报到情况 on the feedback sheet): where and when, and its
    state; not the channel, the history, a return reason or the member's wishes."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "person_name",
            "community",
            "community_name",
            "status",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class RegistrationSubmitSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(Person)
    community = ScopedPrimaryKeyRelatedField(Community)
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    interests = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    desired_posts = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RegistrationReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RegistrationTransferSerializer(serializers.Serializer):
    # Any community of the town may be the destination, so this is not limited to what the user sees.
    to_community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )
    unit_room = serializers.CharField(required=False, allow_blank=True, max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OfficerRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficerRecord
        fields = ["id", "kind", "on", "reason", "amount_yuan", "created_at"]


class OfficerSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    records = OfficerRecordSerializer(many=True, read_only=True)
    # "" while in post: declared, because a read-only model field loses `allow_blank` and the schema
    # would then not admit the blank value
    end_reason = serializers.ChoiceField(choices=OfficerEndReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = InformationOfficer
        fields = [
            "id",
            "community",
            "person",
            "person_name",
            "appointment_no",
            "appointed_on",
            "term_end",
            "source",
            "compound",
            "status",
            "ended_on",
            "end_reason",
            "records",
        ]
        read_only_fields = fields


class OfficerAppointSerializer(serializers.Serializer):
    community = ScopedPrimaryKeyRelatedField(Community)
    person = ScopedPrimaryKeyRelatedField(Person)
    source = serializers.ChoiceField(choices=OfficerSource.choices)
    appointed_on = serializers.DateField(validators=[BUSINESS_DATES])
    term_years = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)
    appointment_no = serializers.CharField(required=False, allow_blank=True, max_length=30)
    compound = ScopedPrimaryKeyRelatedField(Compound, required=False, allow_null=True)


class OfficerEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=OfficerEndReason.choices)
    on = serializers.DateField(required=False, validators=[PAST_DATES])


class OfficerRecordCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OfficerRecordKind.choices)
    reason = serializers.CharField(max_length=250)
    on = serializers.DateField(required=False, validators=[PAST_DATES])
    amount_yuan = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, min_value=0)
    skip_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OfficerStrengthSerializer(serializers.Serializer):
    community_id = serializers.IntegerField()
    community_name = serializers.CharField()
    quota = serializers.IntegerField()
    active = serializers.IntegerField()
    vacancies = serializers.IntegerField()


class ZoneAssignmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = ZoneAssignment
        fields = ["person", "person_name", "source", "letter_signed_on", "assigned_at"]


class ZoneSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(Community)
    buildings = ScopedPrimaryKeyRelatedField(Building, many=True)
    assignments = ZoneAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = ResponsibilityZone
        fields = ["id", "community", "name", "buildings", "assignments"]


class ZoneAssignSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(Person)
    source = serializers.ChoiceField(choices=ZoneSource.choices, default=ZoneSource.ASSIGNED)
    letter_signed_on = serializers.DateField(required=False, allow_null=True, validators=[PAST_DATES])


class RosterImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = RosterImport
        fields = ["id", "filename", "status", "errors", "summary", "created_at", "committed_at"]
        read_only_fields = fields


class RosterUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    must_change_password = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.DictField())
    person = serializers.IntegerField(allow_null=True)


class RevealSerializer(serializers.Serializer):
    """查看完整号码: why the user needs the full numbers (written into the access log)."""

    reason = serializers.CharField(min_length=4, max_length=300, trim_whitespace=True)


class PersonRevealedSerializer(serializers.Serializer):
    mobile = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(allow_blank=True)
