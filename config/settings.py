"""Settings for the ICS legacy tracker, all from the environment (every variable is listed in the README).

Out of the box: SQLite in the project folder and DEBUG on. In production set SECRET_KEY,
DATABASE_URL (PostgreSQL), ALLOWED_HOSTS and DEBUG=0; `manage.py check --deploy` is then clean.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting. A value we do not recognise stops the process: a typo must not quietly weaken security."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS | FALSE_WORDS:
        return value in TRUE_WORDS
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
# The fallback key is only for a developer's machine: production refuses to start without its own.
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# How many proxies (load balancer, nginx) in front append to X-Forwarded-For; 0: clients connect directly.
# Throttles key on the client's address, so this must be right behind a proxy (config.network.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    # The notification queue: Django's own Tasks framework (django.tasks in Django 6), backported.
    "django_tasks",
    "django_tasks_db",
    "legacy",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: an oversized request is refused unread (config/middleware.py).
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.MalformedInputMiddleware",
    "config.middleware.PrivateResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ErrorPagesMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The benchmark serves its floor pages beside the real ones (benchmarks/urls.py).
ROOT_URLCONF = os.environ.get("ROOT_URLCONF", "config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "config.context_processors.notifications",
            ],
        },
    },
    # One template only: the comparison matrix's body, hundreds of cells (see templates/jinja2/).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Every request is one transaction: a failure part-way through a write leaves nothing behind.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares the statements a connection repeats (every page's
    # session, user and filter queries): PostgreSQL then skips parsing and planning them each time.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock up front and wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tracker.authentication.MembershipBackend",
    # Answers only the single sign-on callback, and only when single sign-on is on.
    "tracker.sso.SingleSignOnBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:landing"
LOGOUT_REDIRECT_URL = "home"

# Single sign-on by OpenID Connect (tracker/sso.py, mozilla-django-oidc): off unless OIDC_CLIENT_ID is set.
OIDC_ENDPOINT_VARIABLES = ("OIDC_ISSUER", "OIDC_AUTHORIZATION_ENDPOINT", "OIDC_TOKEN_ENDPOINT", "OIDC_JWKS_URI")
OIDC_VARIABLES = (
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_DISCOVERY_URL",
    *OIDC_ENDPOINT_VARIABLES,
    "OIDC_END_SESSION_ENDPOINT",
    "OIDC_ALLOWED_EMAIL_DOMAINS",
)


def oidc_url(name: str) -> str:
    """An address of the provider: https, or http on this machine's loopback (the tests' own provider)."""
    value = os.environ.get(name, "").strip()
    if value and not re.match(r"^(https://[^/\s]+|http://(127\.0\.0\.1|localhost)(:\d+)?)(/\S*)?$", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not an https:// address.")
    return value


def single_sign_on() -> dict:
    """The OpenID Connect settings, all or nothing: a partial configuration stops the process and says what is missing.

    The provider is described either by its discovery document (read when first needed, then cached) or by its
    endpoints one by one, never both, so there is one source of truth.
    """
    given = {name: os.environ.get(name, "").strip() for name in OIDC_VARIABLES}
    if not given["OIDC_CLIENT_ID"]:
        stray = [name for name, value in given.items() if value]
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set but OIDC_CLIENT_ID is not: set it to turn single sign-on on, or unset them."
            )
        return {"client_id": "", "secret": "", "discovery_url": "", "endpoints": {}, "domains": []}
    urls = {name: oidc_url(name) for name in OIDC_VARIABLES if name.endswith(("_URL", "_URI", "_ENDPOINT", "_ISSUER"))}
    missing = [name for name in ("OIDC_CLIENT_SECRET", "OIDC_ALLOWED_EMAIL_DOMAINS") if not given[name]]
    explicit = [name for name in (*OIDC_ENDPOINT_VARIABLES, "OIDC_END_SESSION_ENDPOINT") if urls[name]]
    if urls["OIDC_DISCOVERY_URL"] and explicit:
        raise ImproperlyConfigured(
            f"OIDC_DISCOVERY_URL and {', '.join(explicit)} are both set: "
            "give the provider's discovery URL or its endpoints, not both."
        )
    if not urls["OIDC_DISCOVERY_URL"] and not explicit:
        missing.append(f"OIDC_DISCOVERY_URL (or {', '.join(OIDC_ENDPOINT_VARIABLES)})")
    elif not urls["OIDC_DISCOVERY_URL"]:
        missing += [name for name in OIDC_ENDPOINT_VARIABLES if not urls[name]]
    if missing:
        raise ImproperlyConfigured(
            f"Single sign-on is on (OIDC_CLIENT_ID is set) but these are missing: {', '.join(missing)}."
        )
    domains = [domain.lower().lstrip("@") for domain in env_list("OIDC_ALLOWED_EMAIL_DOMAINS", "")]
    bad = [domain for domain in domains if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain)]
    if bad:
        raise ImproperlyConfigured(f"OIDC_ALLOWED_EMAIL_DOMAINS: {', '.join(bad)} is not a domain like nhs.net.")
    endpoints = {
        "issuer": urls["OIDC_ISSUER"],
        "authorization_endpoint": urls["OIDC_AUTHORIZATION_ENDPOINT"],
        "token_endpoint": urls["OIDC_TOKEN_ENDPOINT"],
        "jwks_uri": urls["OIDC_JWKS_URI"],
        "end_session_endpoint": urls["OIDC_END_SESSION_ENDPOINT"],
    }
    return {
        "client_id": given["OIDC_CLIENT_ID"],
        "secret": given["OIDC_CLIENT_SECRET"],
        "discovery_url": urls["OIDC_DISCOVERY_URL"],
        "endpoints": {} if urls["OIDC_DISCOVERY_URL"] else endpoints,
        "domains": domains,
    }


_sso = single_sign_on()
# Where sign-out may send the browser: the provider's own site (its discovery URL's or end-session endpoint's origin).
SSO_PROVIDER_ORIGINS = sorted(
    {
        re.match(r"^https?://[^/]+", url).group(0)
        for url in (_sso["discovery_url"], _sso["endpoints"].get("end_session_endpoint", ""))
        if url
    }
)
OIDC_RP_CLIENT_ID = _sso["client_id"]
OIDC_RP_CLIENT_SECRET = _sso["secret"]
OIDC_DISCOVERY_URL = _sso["discovery_url"]
OIDC_PROVIDER_ENDPOINTS = _sso["endpoints"]
OIDC_ALLOWED_EMAIL_DOMAINS = _sso["domains"]
# The flow every sign-in uses: authorization code with PKCE, a nonce and a state, ID tokens signed RS256 and checked
# against the provider's published keys (JWKS).
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
# The ID token is kept in the session: signing out hands it back to the provider (id_token_hint) to end its session.
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
# Password sign-in (and password reset) off: everyone signs in with their NHS account. `make run` leaves it on.
SSO_ONLY = env_bool("SSO_ONLY", False)
if SSO_ONLY and not OIDC_RP_CLIENT_ID:
    raise ImproperlyConfigured("SSO_ONLY=1 turns password sign-in off, so turn single sign-on on (OIDC_CLIENT_ID).")

# A period's quarterly return is due this many days after the period ends, and late if not signed off by then.
RETURN_DUE_DAYS = env_int("RETURN_DUE_DAYS", 30)
# An invitation to join a team works for this many days, once.
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def uploads_storage() -> dict:
    """Where evidence files live: local disk (one machine), or an object store every app server shares."""
    kind = os.environ.get("STORAGE_BACKEND", "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "azure":
        options = {"azure_container": os.environ.get("AZURE_CONTAINER", "evidence"), "overwrite_files": False}
        if os.environ.get("AZURE_CONNECTION_STRING"):
            options["connection_string"] = os.environ["AZURE_CONNECTION_STRING"]
        else:
            options["account_name"] = os.environ.get("AZURE_ACCOUNT_NAME", "")
            options["account_key"] = os.environ.get("AZURE_ACCOUNT_KEY", "")
        return {"BACKEND": "storages.backends.azure_storage.AzureStorage", "OPTIONS": options}
    if kind == "s3":
        # Credentials come the usual AWS way (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an instance role).
        options = {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "file_overwrite": False,
        }
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ImproperlyConfigured(f"STORAGE_BACKEND={kind!r}: use local, azure or s3.")


STORAGES = {
    "default": uploads_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    # Token first: its WWW-Authenticate header is what makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "config.api.CSVRenderer",
    ],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["tracker.permissions.HasRole"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "PAGE_SIZE": 50,
    # Requests made with an API token are rate-limited per token (config/throttling.py); sign-in has django-axes.
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_TOKEN_RATE", "1000/hour")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ICS legacy tracker API",
    "DESCRIPTION": "The catalogue of CCG-era advice, the ICS register and each system's progress against it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.add_standard_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tracker.choices.Status",
        "EvidenceKindEnum": "tracker.choices.EvidenceKind",
        "ChangeKindEnum": "tracker.choices.ChangeKind",
        "ItemKindEnum": "legacy.choices.ItemKind",
        "ContextKindEnum": "legacy.choices.ContextKind",
        "AudienceEnum": "legacy.choices.Audience",
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's): otherwise anyone could claim https.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Everything the pages load is our own: no inline script or style, no CDN (tests/test_security.py checks templates).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # NHS.UK frontend loads the Frutiger web fonts from the NHS asset server.
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Signing out posts a form that ends at the provider's end-session endpoint (RP-initiated logout).
        "form-action": ["'self'", *SSO_PROVIDER_ORIGINS],
        "frame-ancestors": ["'none'"],
    }
}

# Request bodies: refused with 413 before they are read (config/middleware.py). Uploads get a little more than
# tracker.uploads.MAX_UPLOAD_BYTES (10 MB) for the multipart envelope and the form's other fields.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 1024 * 1024)
MAX_UPLOAD_REQUEST_BYTES = env_int("MAX_UPLOAD_REQUEST_BYTES", 11 * 1024 * 1024)

# Shared by every process (gunicorn workers, app servers): throttles must count across all of them. The table is
# created by a migration (tracker/migrations/0004_cache_table.py), so `migrate` is the only step anywhere. Django's
# DatabaseCache, with one statement instead of five to rewrite a key it holds (config/cache.py): the API's throttle
# rewrites its token's count on every request.
CACHES = {
    "default": {
        "BACKEND": "config.cache.DatabaseCache",
        "LOCATION": "django_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

# Sign-in throttling (django-axes, state in the database): after AXES_FAILURE_LIMIT failures, that username from
# that address waits AXES_COOLOFF_TIME. Keyed on both, so nobody elsewhere can lock a real user out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.network.client_ip"
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Password reset requests per hour, per address and per email (config/views.py).
PASSWORD_RESET_LIMIT_PER_IP = env_int("PASSWORD_RESET_LIMIT_PER_IP", 10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3)

# Mail over SMTP. Without EMAIL_HOST a developer's machine (DEBUG) prints mail to the console instead.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 587 if env_bool("EMAIL_USE_TLS", False) else 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ICS legacy tracker <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mail are absolute: the address people reach the tracker at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Notifications are written to an outbox in the event's transaction, then delivered by a task. "worker": tasks
# queue in the database for `manage.py db_worker` (production); "immediate": run in the process after the
# commit (`make run`, tests). Anything else stops the process.
NOTIFICATION_DELIVERY = os.environ.get("NOTIFICATION_DELIVERY", "immediate" if DEBUG else "worker")
_TASK_BACKENDS = {
    "worker": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if NOTIFICATION_DELIVERY not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"NOTIFICATION_DELIVERY={NOTIFICATION_DELIVERY!r}: use worker or immediate.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[NOTIFICATION_DELIVERY]}}
# A failed delivery is tried again after 1, 2, 4, … minutes, at most this many apart.
NOTIFICATION_RETRY_MAX_MINUTES = env_int("NOTIFICATION_RETRY_MAX_MINUTES", 360)

# A database outage is answered with 503 and logged once per interval, not once per request.
DATABASE_OUTAGE_LOG_SECONDS = env_int("DATABASE_OUTAGE_LOG_SECONDS", 60)
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every screen-only CSS rule it skips while laying out a PDF: only its errors matter.
    "loggers": {name: {"level": "ERROR"} for name in ("weasyprint", "weasyprint.progress", "fontTools")},
}
