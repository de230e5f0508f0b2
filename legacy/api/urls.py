from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sources", views.PublicationViewSet, basename="source")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
urlpatterns = router.urls
