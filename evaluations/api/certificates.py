"""REST API of 志愿服务证明: the member's own certificates (the office may issue them for the member)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.errors import DomainError
from members.models import Person
from members.roles import scope_for

from .. import services
from ..documents.certificates import certificate_pdf
from ..models import ServiceCertificate
from .sheets import SHEET_YEARS


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCertificate
        fields = ["id", "person", "community", "year", "verification_no", "minutes", "content", "issued_at"]
        read_only_fields = fields


class CertificateCreateSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False)
    year = serializers.IntegerField(required=False, allow_null=True, validators=[SHEET_YEARS])


class CertificateViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = ServiceCertificate.objects.all()
    serializer_class = CertificateSerializer
    filterset_fields = ["person", "community", "year"]
    ordering_fields = ["issued_at", "id"]
    ordering = ["-issued_at", "-pk"]
    search_fields: list[str] = []

    def optimise(self, qs):
        return qs.select_related("community")

    @extend_schema(request=CertificateCreateSerializer, responses={201: CertificateSerializer})
    def create(self, request):
        """开具证明: for oneself (person left out) or, by the office, for one of its members."""
        payload = CertificateCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        person = payload.validated_data.get("person")
        if person is None:
            person_id = scope_for(request.user).person_id
            if person_id is None:
                raise DomainError("请选择志愿者", fields={"person": ["请选择志愿者"]})
            person = Person.objects.get(pk=person_id)
        cert = services.certificate_issue(
            person=person, year=payload.validated_data.get("year"), by=request.user
        )
        return Response(CertificateSerializer(cert).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        cert = self.get_object()
        audit.record_access(what="print", obj=cert, description=f"志愿服务证明 {cert.verification_no}")
        response = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename=certificate-{cert.verification_no}.pdf"
        return response
