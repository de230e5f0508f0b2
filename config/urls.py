from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views as config_views
from legacy import views as legacy_views
from tracker.forms import SignInForm

swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="v1:schema")
SWAGGER_UI_STYLE = ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]

api_v1 = [
    path("", include("legacy.api.urls")),
    path("", include("tracker.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no inline script.
    # Swagger UI then inserts one fixed <style> element, allowed by its hash alone (tests/e2e checks there is no other).
    path("docs/", csp_update({"style-src": SWAGGER_UI_STYLE})(swagger_ui), name="docs"),
]

urlpatterns = [
    path("", legacy_views.home, name="home"),
    path("catalogue/", include("legacy.urls")),
    path("", include("tracker.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/password_reset/", config_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        config_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "v1"))),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
