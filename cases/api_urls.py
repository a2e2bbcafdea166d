from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=True)
router.register("cases", api.CaseViewSet, basename="case")
router.register("case-groups", api.ThematicGroupViewSet, basename="case-group")
router.register("mailboxes", api.MailboxViewSet, basename="mailbox")
router.register("diary", api.DiaryViewSet, basename="diary")
router.register("receptions", api.ReceptionViewSet, basename="reception")
router.register("forums", api.ForumViewSet, basename="forum")
router.register("time-limits", api.TimeLimitViewSet, basename="time-limit")
router.register("disclosures", api.DisclosureViewSet, basename="disclosure")
router.register("announcements", api.AnnouncementViewSet, basename="announcement")
router.register("public/cases", api.PublicCaseViewSet, basename="public-case")
router.register("public/receptions", api.PublicReceptionViewSet, basename="public-reception")
router.register("public/disclosures", api.PublicDisclosureViewSet, basename="public-disclosure")

urlpatterns = router.urls
