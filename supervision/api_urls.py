from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=True)
router.register("supervision/orders", api.OrderViewSet, basename="supervision-order")
router.register("supervision/staff-complaints", api.ComplaintViewSet, basename="staff-complaint")

urlpatterns = router.urls
