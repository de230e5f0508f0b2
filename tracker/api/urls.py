from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("systems", views.IntegratedCareSystemViewSet, basename="system")
urlpatterns = router.urls
