from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views as config_views
from legacy import views as legacy_views
from tracker.views import sign_in

password_only = sign_in.password_sign_in_only
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
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/logout/", sign_in.sign_out, name="logout"),
    # Password pages: gone (404) when SSO_ONLY is on.
    path("accounts/password_reset/", password_only(config_views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        password_only(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_only(config_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        password_only(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "accounts/password_change/",
        password_only(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        password_only(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    # Single sign-on (OpenID Connect): the provider sends people back to /oidc/callback/.
    path("oidc/authenticate/", sign_in.sso_start, name="sso_start"),
    path("oidc/callback/", sign_in.sso_callback, name="sso_callback"),
    path("admin/login/", sign_in.admin_sign_in),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "v1"))),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
