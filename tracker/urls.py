from django.urls import path

from . import views

app_name = "tracker"
urlpatterns = [
    path("systems/", views.system_list, name="systems"),
    path("systems/<str:ods_code>/", views.system_detail, name="system"),
    path("systems/<str:ods_code>/history/", views.system_history, name="system_history"),
    path("systems/<str:ods_code>/people/", views.people, name="people"),
    path("systems/<str:ods_code>/start-from-predecessor/", views.start_from_predecessor, name="start_from_predecessor"),
    path("systems/<str:ods_code>/records/<str:code>/", views.record_detail, name="record"),
    path("systems/<str:ods_code>/records/<str:code>/edit/", views.record_edit, name="record_edit"),
    path("systems/<str:ods_code>/records/<str:code>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence_withdraw"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
