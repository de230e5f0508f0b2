from django.urls import path

from .views import account, board_report, comparison, open_data, peer_learning, records, returns

app_name = "tracker"
urlpatterns = [
    path("systems/", records.system_list, name="systems"),
    path("systems/<str:ods_code>/", records.system_detail, name="system"),
    path("systems/<str:ods_code>/history/", records.system_history, name="system_history"),
    path("systems/<str:ods_code>/people/", records.people, name="people"),
    path("systems/<str:ods_code>/people/<int:pk>/edit/", records.person_edit, name="person_edit"),
    path("systems/<str:ods_code>/people/<int:pk>/retire/", records.person_retire, name="person_retire"),
    path("systems/<str:ods_code>/people/<int:pk>/reinstate/", records.person_reinstate, name="person_reinstate"),
    path(
        "systems/<str:ods_code>/start-from-predecessor/", records.start_from_predecessor, name="start_from_predecessor"
    ),
    path("systems/<str:ods_code>/records/<str:code>/", records.record_detail, name="record"),
    path("systems/<str:ods_code>/records/<str:code>/edit/", records.record_edit, name="record_edit"),
    path("systems/<str:ods_code>/records/<str:code>/evidence/", records.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/withdraw/", records.evidence_withdraw, name="evidence_withdraw"),
    path("evidence/<int:pk>/download/", records.evidence_download, name="evidence_download"),
    path("systems/<str:ods_code>/report/", board_report.board_report, name="board_report"),
    path("systems/<str:ods_code>/records/<str:code>/confirm/", returns.record_confirm, name="record_confirm"),
    path("systems/<str:ods_code>/returns/<str:period>/", returns.return_detail, name="return"),
    path("systems/<str:ods_code>/returns/<str:period>/<str:action>/", returns.return_action, name="return_action"),
    path("challenges/<int:pk>/answer/", returns.challenge_answer, name="challenge_answer"),
    path("returns/", returns.returns_overview, name="returns"),
    path("returns/publish/", open_data.open_data_publish, name="open_data_publish"),
    # Open data: public, no sign-in. The unnumbered addresses are the latest version; /v<N>/ each version for ever.
    path("open-data/", open_data.open_data_list, name="open_data"),
    path("open-data/<str:period>/", open_data.open_data_period, name="open_data_period"),
    path("open-data/<str:period>/v<int:version>/", open_data.open_data_period, name="open_data_version"),
    path("open-data/<str:period>/<str:name>", open_data.open_data_file, name="open_data_file"),
    path("open-data/<str:period>/v<int:version>/<str:name>", open_data.open_data_file, name="open_data_version_file"),
    path("comparison/", comparison.comparison, name="comparison"),
    path("comparison/rollups/", comparison.rollups, name="rollups"),
    path("peer-learning/", peer_learning.peer_learning, name="peer_learning"),
    path("peer-learning/<str:code>/", peer_learning.peer_learning_item, name="peer_learning_item"),
    path("account/start/", account.landing, name="landing"),
    path("my-work/", account.my_work, name="my_work"),
    path("account/tokens/", account.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", account.api_token_revoke, name="api_token_revoke"),
]
