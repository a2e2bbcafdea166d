"""REST API of the members app (/api/v1/…). Every view starts from `visible_to(user)`; writes call services."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api import ScopedQuerysetMixin
from core.security import FormParser, MultiPartParser

from . import privacy, selectors, services
from .models import (
    Building,
    Community,
    Compound,
    Employer,
    InformationOfficer,
    OfficerRecord,
    Person,
    Registration,
    RegistrationChannel,
    RegistrationEvent,
    ResponsibilityZone,
    RosterImport,
    Town,
    ZoneAssignment,
)
from .roles import scope_for
from .serializers import (
    BuildingSerializer,
    CommunitySerializer,
    CompoundSerializer,
    EmployerSerializer,
    MeSerializer,
    OfficerAppointSerializer,
    OfficerEndSerializer,
    OfficerRecordCreateSerializer,
    OfficerRecordSerializer,
    OfficerSerializer,
    OfficerStrengthSerializer,
    PersonForEmployerSerializer,
    PersonRevealedSerializer,
    PersonSerializer,
    RegistrationForEmployerSerializer,
    RegistrationReturnSerializer,
    RegistrationSerializer,
    RegistrationSubmitSerializer,
    RegistrationTransferSerializer,
    RevealSerializer,
    RosterImportSerializer,
    RosterUploadSerializer,
    TownSerializer,
    ZoneAssignSerializer,
    ZoneSerializer,
)


class OfficeCreates(permissions.IsAuthenticated):
    """Creating places, people, officers and zones is the work of a community office (or a town supervisor).

    A login that runs no office at all is refused with 403 before its payload is read, rather than told that
    the community it named "does not exist". Managers of another community still get that 400 for a foreign
    id, like a missing one; changes to existing objects are checked by the services (403) after the object
    lookup (404 for what the user cannot see).
    """

    message = "只有社区或镇的管理人员可以执行此操作"
    # RegistrationViewSet: a member with a person row submits their own registration.
    allow_person = False

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if getattr(view, "action", None) != "create":
            return True
        scope = scope_for(request.user)
        return (
            scope.is_superuser
            or bool(scope.managed_community_ids)
            or (self.allow_person and bool(scope.person_id))
        )


class OfficeOrSelfCreates(OfficeCreates):
    allow_person = True


class FeedbackSheetOrderingFilter(OrderingFilter):
    """Sorting by a field the feedback sheet does not carry would hint at it (who moved, by the transfer
    link): a user with an employer role sorts by the declared fields only (members.privacy)."""

    def get_valid_fields(self, queryset, view, context=None):
        valid = super().get_valid_fields(queryset, view, context or {})
        if privacy.has_employer_view(view.request.user):
            valid = [(name, label) for name, label in valid if name in privacy.EMPLOYER_FEEDBACK_FIELDS]
        return valid


class ReadsByRole:
    """Reads of people and registrations: a row the user sees only as the member's employer (an employer
    liaison) goes out through `employer_serializer_class`, the feedback sheet's fields; every other row
    through the view's own serializer, as before. Chosen per row (members.privacy.reads_as_employer), so a
    login that is both a community office and a liaison gets each row as the role it sees it by."""

    employer_serializer_class = None

    def row_owner(self, obj) -> dict:
        raise NotImplementedError

    def read_data(self, rows, *, many: bool):
        rows = list(rows) if many else [rows]
        as_employer = [privacy.reads_as_employer(self.request.user, **self.row_owner(r)) for r in rows]
        shaped = {}  # serializer class → its rows' data, each serialized in one go (many=True)
        for serializer_class, wanted in (
            (self.get_serializer_class(), False),
            (self.employer_serializer_class, True),
        ):
            subset = [r for r, e in zip(rows, as_employer, strict=True) if e is wanted]
            if subset:
                context = self.get_serializer_context()
                shaped[wanted] = iter(serializer_class(subset, many=True, context=context).data)
        data = [next(shaped[e]) for e in as_employer]
        return data if many else data[0]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.read_data(page, many=True))
        return Response(self.read_data(queryset, many=True))


@extend_schema_view(
    partial_update=extend_schema(
        summary="Require a second factor of the town's office accounts",
        description=(
            "管理人员须动态口令: `require_2fa_for_staff` (the only writable field) makes the town's "
            "supervisors and the secretaries, staff and office directors of its communities verify a TOTP "
            "device after each login; their API tokens are refused meanwhile. Only a supervisor of the town "
            "(or a superuser) may change it (403 for others who see the town). The change is audited. "
            "REQUIRE_2FA_FOR_STAFF, when on, requires it platform-wide whatever this says."
        ),
    )
)
class TownViewSet(ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Towns the user can see. PATCH sets `require_2fa_for_staff` (the town supervisor's only edit)."""

    queryset = Town.objects.all()
    serializer_class = TownSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def update(self, request, *args, **kwargs):
        # Asked before the payload is read: a login that may not change the town gets its 403 whatever it sent.
        services.require_town_supervisor(request.user, self.get_object().pk)
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = services.town_set_second_factor(
            town=serializer.instance,
            by=self.request.user,
            required=serializer.validated_data.get(
                "require_2fa_for_staff", serializer.instance.require_2fa_for_staff
            ),
        )


class CommunityViewSet(ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Communities the user can see. PATCH sets the officer quota (the only field a community office edits)."""

    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_fields = ["town"]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = services.community_set_officer_quota(
            community=serializer.instance,
            by=self.request.user,
            quota=serializer.validated_data.get("officer_quota", serializer.instance.officer_quota),
        )


class CompoundViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Compound.objects.all()
    serializer_class = CompoundSerializer
    filterset_fields = ["community"]


class BuildingViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    permission_classes = [OfficeCreates]
    filterset_fields = ["community", "compound"]
    search_fields = ["name"]

    def perform_create(self, serializer):
        serializer.instance = services.building_create(by=self.request.user, **serializer.validated_data)


class EmployerViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Employer.objects.all()
    serializer_class = EmployerSerializer
    filterset_fields = ["town"]
    search_fields = ["name"]


class PersonFilter(filters.FilterSet):
    building = filters.ModelChoiceFilter(queryset=Building.objects.all(), method="filter_building")
    category = filters.CharFilter(field_name="membership__category")
    employer = filters.NumberFilter(field_name="membership__employer")
    unregistered = filters.BooleanFilter(method="filter_unregistered", label="在职党员未报到")

    class Meta:
        model = Person
        fields = ["community", "building", "category", "employer", "unregistered"]

    def filter_unregistered(self, queryset, name, value):
        if value:
            return selectors.unregistered_in_service(queryset)
        return queryset

    def filter_building(self, queryset, name, value):
        # not on the feedback sheet: matches no row seen only as the member's employer
        return privacy.beyond_employer_view(self.request.user, queryset.filter(building=value))


class PersonSearchFilter(SearchFilter):
    """Names match in every community the user sees; phone and ID numbers only in the communities where
    the user sees them in full (members.privacy). Elsewhere the numbers are masked, and a search on them
    would confirm a guessed number (or the masked digits) one try at a time. Every term must match."""

    def filter_queryset(self, request, queryset, view):
        for term in self.get_search_terms(request):
            queryset = queryset.filter(selectors.person_search_q(request.user, term))
        return queryset


PERSON_BY_ROLE = PolymorphicProxySerializer(
    component_name="PersonByRole",
    serializers=[PersonSerializer, PersonForEmployerSerializer],
    resource_type_field_name=None,
)
REGISTRATION_BY_ROLE = PolymorphicProxySerializer(
    component_name="RegistrationByRole",
    serializers=[RegistrationSerializer, RegistrationForEmployerSerializer],
    resource_type_field_name=None,
)
BY_ROLE_NOTE = "An employer liaison gets the feedback sheet's fields only (the second shape)."


@extend_schema_view(
    list=extend_schema(responses=PERSON_BY_ROLE, description=BY_ROLE_NOTE),
    retrieve=extend_schema(responses=PERSON_BY_ROLE, description=BY_ROLE_NOTE),
)
class PersonViewSet(
    ReadsByRole,
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """People of the communities the user manages (an employer liaison: their own in-service members, with
    the feedback sheet's fields only)."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    employer_serializer_class = PersonForEmployerSerializer
    permission_classes = [OfficeCreates]
    filter_backends = [filters.DjangoFilterBackend, PersonSearchFilter, FeedbackSheetOrderingFilter]
    filterset_class = PersonFilter
    search_fields = ["name", "mobile", "id_number"]  # as PersonSearchFilter applies them, per community
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def optimise(self, qs):
        related = ["membership"]
        if scope_for(self.request.user).employer_ids:
            related += ["community", "membership__employer"]  # the names on the feedback sheet
        return selectors.with_registration_status(qs.select_related(*related))

    def row_owner(self, person) -> dict:
        return {"person_id": person.pk, "community_id": person.community_id}

    def _save(self, serializer, person=None):
        data = dict(serializer.validated_data)
        membership = data.pop("membership", None)
        if membership is not None:
            membership = dict(membership)
        serializer.instance = services.person_save(
            by=self.request.user, person=person, membership=membership, **data
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, person=serializer.instance)

    def update(self, request, *args, **kwargs):
        # Only the office changes a person (services.person_save); asked before the payload is read, or a
        # liaison's 400 "ID number already registered" would tell it whether any ID number is on a roster.
        services.require_manager(request.user, self.get_object().community_id)
        return super().update(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        audit.record_access(what="read_full", obj=person)
        return Response(self.read_data(person, many=False))

    @extend_schema(request=RevealSerializer, responses={200: PersonRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """查看完整号码: the office of the person's community, with a reason (an AccessLog row)."""
        person = self.get_object()
        services.require_manager(request.user, person.community_id)
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = privacy.reveal(
            obj=person,
            values={"mobile": person.mobile or "", "id_number": person.id_number or ""},
            reason=payload.validated_data["reason"],
        )
        response = Response(PersonRevealedSerializer(values).data)
        response["Cache-Control"] = "no-store"
        return response


class RegistrationFilter(filters.FilterSet):
    channel = filters.ChoiceFilter(choices=RegistrationChannel.choices, method="filter_channel")

    class Meta:
        model = Registration
        fields = ["community", "status", "person", "channel"]

    def filter_channel(self, queryset, name, value):
        # not on the feedback sheet: matches no row seen only as the member's employer
        return privacy.beyond_employer_view(
            self.request.user, queryset.filter(channel=value), person="person_id"
        )


@extend_schema_view(
    list=extend_schema(responses=REGISTRATION_BY_ROLE, description=BY_ROLE_NOTE),
    retrieve=extend_schema(responses=REGISTRATION_BY_ROLE, description=BY_ROLE_NOTE),
)
class RegistrationViewSet(
    ReadsByRole, ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """报到登记. POST submits (a member for themself, or the office at the window); actions move the state."""

    queryset = Registration.objects.all()
    serializer_class = RegistrationSerializer
    employer_serializer_class = RegistrationForEmployerSerializer
    permission_classes = [OfficeOrSelfCreates]
    filter_backends = [filters.DjangoFilterBackend, SearchFilter, FeedbackSheetOrderingFilter]
    filterset_class = RegistrationFilter
    search_fields = ["person__name"]

    def row_owner(self, registration) -> dict:
        return {"person_id": registration.person_id, "community_id": registration.community_id}

    def retrieve(self, request, *args, **kwargs):
        return Response(self.read_data(self.get_object(), many=False))

    def optimise(self, qs):
        return qs.select_related("person", "community").prefetch_related(
            Prefetch("events", queryset=RegistrationEvent.objects.select_related("by"))
        )

    @extend_schema(request=RegistrationSubmitSerializer, responses={201: RegistrationSerializer})
    def create(self, request, *args, **kwargs):
        payload = RegistrationSubmitSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        registration = services.registration_submit(by=request.user, **payload.validated_data)
        return Response(self._out(registration), status=status.HTTP_201_CREATED)

    def _out(self, registration):
        # Not through get_queryset(): after a transfer by the old community's office the new registration
        # belongs to a community that office cannot see, yet it is the answer to the request it just made.
        fresh = self.optimise(Registration.objects.filter(pk=registration.pk)).get()
        return self.read_data(fresh, many=False)

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        registration = services.registration_confirm(registration=self.get_object(), by=request.user)
        return Response(self._out(registration))

    @extend_schema(request=RegistrationReturnSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        registration = self.get_object()  # 404 before the payload is looked at
        payload = RegistrationReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration = services.registration_return(
            registration=registration, by=request.user, reason=payload.validated_data["reason"]
        )
        return Response(self._out(registration))

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        registration = services.registration_withdraw(registration=self.get_object(), by=request.user)
        return Response(self._out(registration))

    @extend_schema(request=RegistrationTransferSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        registration = self.get_object()
        payload = RegistrationTransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.registration_transfer(
            registration=registration, by=request.user, **payload.validated_data
        )
        return Response(self._out(new), status=status.HTTP_201_CREATED)


class OfficerViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """民情信息员: POST appoints; actions end an appointment, record rewards/penalties, print the letter."""

    queryset = InformationOfficer.objects.all()
    serializer_class = OfficerSerializer
    permission_classes = [OfficeCreates]
    filterset_fields = ["community", "status", "source"]
    search_fields = ["person__name", "appointment_no"]

    def optimise(self, qs):
        return qs.select_related("person").prefetch_related(
            Prefetch("records", queryset=OfficerRecord.objects.order_by("on", "pk"))
        )

    @extend_schema(request=OfficerAppointSerializer, responses={201: OfficerSerializer})
    def create(self, request, *args, **kwargs):
        payload = OfficerAppointSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        officer = services.officer_appoint(by=request.user, **payload.validated_data)
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OfficerEndSerializer, responses={200: OfficerSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        officer = self.get_object()
        payload = OfficerEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        officer = services.officer_end(officer=officer, by=request.user, **payload.validated_data)
        return Response(OfficerSerializer(officer).data)

    @extend_schema(request=OfficerRecordCreateSerializer, responses={201: OfficerRecordSerializer})
    @action(detail=True, methods=["post"])
    def records(self, request, pk=None):
        officer = self.get_object()
        payload = OfficerRecordCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = services.officer_record(officer=officer, by=request.user, **payload.validated_data)
        return Response(OfficerRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        from .letters import appointment_letter_pdf

        officer = self.get_object()
        pdf = appointment_letter_pdf(officer)
        audit.record_access(what="print", obj=officer, description="聘书")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename=letter-{officer.appointment_no}.pdf"
        return response

    @extend_schema(responses={200: OfficerStrengthSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)  # one row per community, never paged
    def strength(self, request):
        """Active officers against each visible community's quota; `vacancies` > 0 is the alert."""
        communities = Community.objects.visible_to(request.user).managed_by(request.user)
        rows = [{**s.__dict__, "vacancies": s.vacancies} for s in selectors.officer_strength(communities)]
        return Response(OfficerStrengthSerializer(rows, many=True).data)


class ZoneViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """党员责任区: buildings plus the members responsible for them (with the letter's signing date)."""

    queryset = ResponsibilityZone.objects.all()
    serializer_class = ZoneSerializer
    permission_classes = [OfficeCreates]
    filterset_fields = ["community"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def optimise(self, qs):
        return qs.prefetch_related(
            "buildings", Prefetch("assignments", queryset=ZoneAssignment.objects.select_related("person"))
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.zone_save(
            community=data["community"], by=self.request.user, name=data["name"], buildings=data["buildings"]
        )

    def perform_update(self, serializer):
        zone = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.zone_save(
            zone=zone,
            community=zone.community,
            by=self.request.user,
            name=data.get("name", zone.name),
            buildings=data.get("buildings", list(zone.buildings.all())),
        )

    @extend_schema(request=ZoneAssignSerializer, responses={201: ZoneSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        zone = self.get_object()
        payload = ZoneAssignSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        services.zone_assign(zone=zone, by=request.user, **payload.validated_data)
        return Response(
            ZoneSerializer(self.get_queryset().get(pk=zone.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ZoneAssignSerializer, responses={200: ZoneSerializer})
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        zone = self.get_object()
        payload = ZoneAssignSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        services.zone_unassign(zone=zone, person=payload.validated_data["person"], by=request.user)
        return Response(
            ZoneSerializer(self.get_queryset().get(pk=zone.pk), context={"request": request}).data
        )


class RosterImportViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """花名册 import: POST a .xlsx → a preview listing every bad row; `commit` writes it all or nothing."""

    queryset = RosterImport.objects.all()
    serializer_class = RosterImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=RosterUploadSerializer, responses={201: RosterImportSerializer})
    def create(self, request, *args, **kwargs):
        from .roster import roster_import_create

        payload = RosterUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        roster_import = roster_import_create(by=request.user, fileobj=upload, filename=upload.name)
        return Response(RosterImportSerializer(roster_import).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RosterImportSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        from .roster import roster_import_commit

        roster_import = roster_import_commit(roster_import=self.get_object(), by=request.user)
        return Response(RosterImportSerializer(roster_import).data)


class RosterExportView(APIView):
    """The roster of every community the user manages, as .xlsx (ID numbers as text cells)."""

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="not a community office"),
        }
    )
    def get(self, request):
        from .roster import export_roster

        scope = scope_for(request.user)
        if not (scope.managed_community_ids or scope.is_superuser):
            raise services.PermissionDenied("只有社区或镇的管理人员可以导出花名册")
        people = (
            Person.objects.visible_to(request.user).filter(community_id__in=scope.managed_community_ids)
            if not scope.is_superuser
            else Person.objects.all()
        )
        response = HttpResponse(
            export_roster(people, user=request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        audit.record_access(what="export", description="花名册导出", extra=request.query_params.dict())
        response["Content-Disposition"] = f"attachment; filename=roster-{timezone.localdate():%Y%m%d}.xlsx"
        return response


class MeView(APIView):
    """Who am I: the login, its roles (with the organisation of each) and the linked person."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        roles = [
            {"role": r.role, "town": r.town_id, "community": r.community_id, "employer": r.employer_id}
            for r in user.role_assignments.all()
        ]
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "must_change_password": user.must_change_password,
            "roles": roles,
            "person": scope_for(user).person_id,
        }
        return Response(MeSerializer(data).data)
