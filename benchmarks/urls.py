"""The app's URLs plus the benchmark's floor pages. Used only by benchmarks/run.py (ROOT_URLCONF)."""

from django.urls import path

from config.urls import *  # noqa: F403
from config.urls import urlpatterns as app_urlpatterns

from . import floors

urlpatterns = [
    path("benchmark-floor/comparison/", floors.comparison_floor),
    path("benchmark-floor/comparison/signed-off/", floors.comparison_signed_off_floor),
    path("benchmark-floor/systems/<str:ods_code>/report/", floors.board_report_signed_off_floor),
    path("benchmark-floor/progress/", floors.progress_floor),
    path("benchmark-floor/systems/<str:ods_code>/import-preview/", floors.import_preview_floor),
    path("benchmark-floor/systems/<str:ods_code>/import-apply/", floors.import_apply_floor),
    path("benchmark-floor/open-data/<str:period>/progress.csv", floors.open_data_csv_floor),
    path("benchmark-reference/signed-in-layout/", floors.signed_in_layout),
    path("benchmark-reference/token-call/", floors.TokenCall.as_view()),
    *app_urlpatterns,
]
