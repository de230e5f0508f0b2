from django.urls import path
from rest_framework.routers import DefaultRouter

from . import imports, open_data, returns, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("regions", views.RegionViewSet, basename="region")
router.register("systems", views.IntegratedCareSystemViewSet, basename="system")
router.register("progress", views.ProgressRecordViewSet, basename="progress")
router.register("history", views.ProgressChangeViewSet, basename="history")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("periods", views.ReportingPeriodViewSet, basename="period")
router.register("returns", returns.QuarterlyReturnViewSet, basename="return")
router.register("challenges", returns.ChallengeViewSet, basename="challenge")
router.register("members", views.MembershipViewSet, basename="member")
router.register("open-data", open_data.OpenDataViewSet, basename="open-data")
urlpatterns = [
    # Before the router's progress/<pk>/, which would take "import" for a record's id.
    path("progress/import/", imports.ReturnImportView.as_view(), name="progress-import"),
    *router.urls,
    path("comparison/", views.RollupsView.as_view(), name="comparison"),
]
