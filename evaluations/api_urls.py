from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=True)
# employer
router.register("evaluations/sheets", api.SheetViewSet, basename="eval-sheet")
router.register("evaluations/sheet-batches", api.SheetBatchViewSet, basename="eval-sheet-batch")
router.register("evaluations/consultations", api.ConsultationViewSet, basename="eval-consultation")
router.register("evaluations/certificates", api.CertificateViewSet, basename="eval-certificate")

# appraisal
router.register("appraisals", api.AppraisalViewSet, basename="appraisal")
router.register("appraisal-evaluators", api.EvaluatorViewSet, basename="appraisal-evaluator")
router.register("commendations", api.CommendationViewSet, basename="commendation")
router.register("officer-reviews", api.OfficerReviewViewSet, basename="officer-review")
router.register("public/ballots", api.PublicBallotViewSet, basename="public-ballot")

urlpatterns = router.urls
