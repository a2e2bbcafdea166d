from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=True)
# employer
router.register("evaluations/sheets", api.SheetViewSet, basename="eval-sheet")
router.register("evaluations/sheet-batches", api.SheetBatchViewSet, basename="eval-sheet-batch")
router.register("evaluations/consultations", api.ConsultationViewSet, basename="eval-consultation")
router.register("evaluations/certificates", api.CertificateViewSet, basename="eval-certificate")

urlpatterns = router.urls
