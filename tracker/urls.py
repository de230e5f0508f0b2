from django.urls import path

from . import views

app_name = "tracker"
urlpatterns = [
    path("systems/", views.system_list, name="systems"),
    path("systems/<str:ods_code>/", views.system_detail, name="system"),
]
