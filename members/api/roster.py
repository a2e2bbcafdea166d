"""花名册 import (preview, then commit) and export."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api import ScopedQuerysetMixin
from core.security import FormParser, JSONParser, MultiPartParser

from .. import services
from ..models import Person, RosterImport
from ..permissions import is_office_anywhere
from ..roles import scope_for


class RosterImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = RosterImport
        fields = ["id", "filename", "status", "errors", "summary", "created_at", "committed_at"]
        read_only_fields = fields


class RosterUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class RosterCommitSerializer(serializers.Serializer):
    only_own_community = serializers.BooleanField(
        default=False, help_text="只导入本社区的人员（全镇花名册由社区导入时）"
    )


class RosterImportViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """花名册 import: POST a .xlsx → a preview listing every bad row; `commit` writes it all or nothing."""

    queryset = RosterImport.objects.all()
    serializer_class = RosterImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["community", "status"]
    search_fields: list[str] = []  # an upload's rows are personal data: no search into them
    ordering_fields = ["created_at", "committed_at"]
    ordering = ["-created_at", "-pk"]

    @extend_schema(request=RosterUploadSerializer, responses={201: RosterImportSerializer})
    def create(self, request, *args, **kwargs):
        from ..roster import roster_import_create

        payload = RosterUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        roster_import = roster_import_create(by=request.user, fileobj=upload, filename=upload.name)
        return Response(RosterImportSerializer(roster_import).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RosterCommitSerializer,
        responses={200: RosterImportSerializer},
        description="Writes the preview all or nothing. `only_own_community`: a community office that "
        "uploaded the town's file writes its own communities' rows only, when every problem is a row of "
        "another community (summary.other_communities); otherwise 409 `other_communities`.",
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def commit(self, request, pk=None):
        from ..roster import roster_import_commit

        payload = RosterCommitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        roster_import = roster_import_commit(
            roster_import=self.get_object(),
            by=request.user,
            only_own_community=payload.validated_data["only_own_community"],
        )
        return Response(RosterImportSerializer(roster_import).data)

    @extend_schema(
        summary="下载导入问题表（Excel）",
        description="The uploaded sheet as typed, a 问题 column naming each row's problems, bad cells in red.",
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="no such import, or its details were purged"),
        },
    )
    @action(detail=True, methods=["get"], url_path="problems-xlsx")
    def problems_xlsx(self, request, pk=None):
        from core.xlsx import xlsx_response

        from ..roster import problems_workbook

        roster_import = self.get_object()
        if not roster_import.source:
            raise Http404
        audit.record_access(what="export", obj=roster_import, description="花名册导入问题表")
        stem = roster_import.filename.rsplit(".", 1)[0]
        return xlsx_response(problems_workbook(roster_import), filename=f"{stem}-问题.xlsx")


class RosterExportView(APIView):
    """The roster of every community the user manages, as .xlsx (ID numbers as text cells)."""

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="not a community office"),
        }
    )
    def get(self, request):
        from ..roster import export_roster

        scope = scope_for(request.user)
        if not is_office_anywhere(scope):
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
