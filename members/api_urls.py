from django.urls import path
from rest_framework.routers import SimpleRouter

from core.api_views import AccessLogViewSet, AuditEventViewSet, NotificationViewSet

from . import api

router = SimpleRouter(trailing_slash=True)
router.register("towns", api.TownViewSet, basename="town")
router.register("communities", api.CommunityViewSet, basename="community")
router.register("compounds", api.CompoundViewSet, basename="compound")
router.register("buildings", api.BuildingViewSet, basename="building")
router.register("employers", api.EmployerViewSet, basename="employer")
router.register("people", api.PersonViewSet, basename="person")
router.register("registrations", api.RegistrationViewSet, basename="registration")
router.register("officers", api.OfficerViewSet, basename="officer")
router.register("zones", api.ZoneViewSet, basename="zone")
router.register("roster-imports", api.RosterImportViewSet, basename="roster-import")
router.register("workday-overrides", api.WorkdayOverrideViewSet, basename="workday-override")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("access-logs", AccessLogViewSet, basename="access-log")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("roster-export/", api.RosterExportView.as_view(), name="roster-export"),
    *router.urls,
]
