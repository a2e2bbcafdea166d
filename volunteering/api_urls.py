from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=True)
router.register("volunteering/policies", api.PolicyViewSet, basename="vol-policy")
router.register("volunteering/posts", api.PostViewSet, basename="vol-post")
router.register("volunteering/claims", api.ClaimViewSet, basename="vol-claim")
router.register("volunteering/team", api.TeamViewSet, basename="vol-team")
router.register("volunteering/items", api.ItemViewSet, basename="vol-item")
router.register("volunteering/signups", api.SignUpViewSet, basename="vol-signup")
router.register("volunteering/records", api.RecordViewSet, basename="vol-record")
router.register("volunteering/requirement", api.RequirementViewSet, basename="vol-requirement")
router.register("volunteering/ledgers", api.LedgerViewSet, basename="vol-ledger")
router.register("volunteering/conduct-notes", api.ConductNoteViewSet, basename="vol-conduct-note")
router.register("volunteering/programmes", api.ProgrammeViewSet, basename="vol-programme")
router.register("volunteering/pairings", api.PairingViewSet, basename="vol-pairing")
router.register("volunteering/goods", api.GoodViewSet, basename="vol-good")
router.register("volunteering/handouts", api.HandoutViewSet, basename="vol-handout")
router.register("volunteering/skills", api.SkillViewSet, basename="vol-skill")

urlpatterns = router.urls
