"""Django settings for the Regsosek field enumeration system.

All configuration comes from environment variables (documented in `.env.example`).
Secrets have no default: `make run` / `make test` generate local ones under `.local/`.
"""

from __future__ import annotations

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from regsosek.env import env_bool, env_float, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
# Older secret keys, comma-separated, after a rotation: sessions and signed links made with them
# still work, and phones keep their key share from them (enumeration/devices.py, docs/privacy.md).
_SECRET_KEY_FALLBACKS = env_secret("DJANGO_SECRET_KEY_FALLBACKS", default="")
SECRET_KEY_FALLBACKS = [k.strip() for k in _SECRET_KEY_FALLBACKS.split(",") if k.strip()]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "regsosek.apps.RegsosekAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "axes",
    "regsosek.apps.RegsosekConfig",
    # After axes: its receiver of a failed sign-in flags a lockout before audit's receiver reads it.
    "audit",
    "enumeration",
    "households",
    "geotag",
    "photos",
    "fieldapp",
    "ranking",
    "review",
    "monitoring",
    "oversight",
    "fkp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "regsosek.middleware.PermissionsPolicyMiddleware",
    # Before anything reads the query or the session cookie: a NUL there is a 400, not a 500.
    "regsosek.middleware.RejectNulMiddleware",
    # The client address for audit entries written while the request is served.
    "audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "regsosek.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: it reads request.user to tell a signed-in user's page.
    "regsosek.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: pages answer htmx's partial requests with a fragment.
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication and messages: ends a web session idle for SESSION_IDLE_MINUTES.
    "enumeration.sessions.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The web logins' throttle per address and site-wide (the device sign-in checks it in its service).
    "enumeration.signin_guard.WebSignInThrottleMiddleware",
    # Last, as django-axes requires: it turns a lockout into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "regsosek.urls"
WSGI_APPLICATION = "regsosek.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enumeration.context_processors.synthetic_data",
            ],
        },
    },
]

# One database backend everywhere: PostgreSQL + PostGIS.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL"),
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# GDAL 3.6 (Debian 12) cannot block file/network access from spatial references. We never hand
# user-supplied GeoJSON or SRS strings to GDAL: uploaded boundaries are WKT parsed by GEOS,
# and GeoJSON is read only from the project's own reference files (docs/architecture.md).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "regsosek",
    }
}

AUTH_USER_MODEL = "enumeration.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after failed logins (django-axes): per username AND client address, never per username
# alone, so wrong passwords from elsewhere do not keep a PPL out (docs/operations.md, "Sign-in
# lockout and throttling"). A PML, Koseka or BPS admin lifts it from /pemantauan/petugas/.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("LOGIN_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "regsosek.lockout.lockout_response"
REGSOSEK_PROXY_COUNT = env_int("PROXY_COUNT", 0)
# The one reading of the client address (PROXY_COUNT proxies skipped in X-Forwarded-For), shared
# with the audit log; without it axes read REMOTE_ADDR, which behind a proxy is the proxy's.
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"
# Throttles of every sign-in (device and web, any usernames), counted in Redis
# (enumeration/signin_guard.py): failures per client address in a window, and a site-wide ceiling of
# failures per minute past which only known clients may try (a registered device of the account,
# an address with a recent successful sign-in).
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 20)
SIGNIN_ADDRESS_WINDOW_S = env_int("SIGNIN_ADDRESS_WINDOW_S", 600)
SIGNIN_GLOBAL_FAILURE_LIMIT = env_int("SIGNIN_GLOBAL_FAILURE_LIMIT", 100)
SIGNIN_KNOWN_ADDRESS_DAYS = env_int("SIGNIN_KNOWN_ADDRESS_DAYS", 14)
# Part of every throttle key: the tests give each test its own.
SIGNIN_THROTTLE_NAMESPACE = "signin"
# Usernames of failed attempts are not personal data of respondents, but keep logs lean.
AXES_VERBOSE = False

# A web session ends after this many minutes without a request (enumeration/sessions.py); the
# enumerator app signs in with device tokens instead (DEVICE_TOKEN_DAYS).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1.")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind TLS, Django itself redirects http to https and sends HSTS, so `check --deploy` is clean
# whatever the proxy does; /healthz stays plain http for the container's own health check.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=BEHIND_TLS_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_TLS_PROXY else 0)
# HSTS covers this host's own subdomains only (not the kab/kota's parent domain); preload just allows
# submitting the host to the browsers' list.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_SUBDOMAINS", default=BEHIND_TLS_PROXY)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=BEHIND_TLS_PROXY)
# Content-Security-Policy (django-csp) on every answer, the enumerator app's shell and service worker
# included: scripts, styles, workers and fetches from this origin only, no inline script or style
# attribute (templates carry none: tests/test_security_headers.py); photos on the phone are blob:
# URLs; map tiles from MAP_TILE_URL's origin only when it is set. docs/reliability.md.
_MAP_TILE_URL = env_str("MAP_TILE_URL", "")
_MAP_TILE_ORIGIN = "/".join(_MAP_TILE_URL.split("/")[:3]) if "://" in _MAP_TILE_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *([_MAP_TILE_ORIGIN] if _MAP_TILE_ORIGIN else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features a page may use (regsosek.middleware.PermissionsPolicyMiddleware): the enumerator
# app's geolocation and camera, on this origin only; nothing else.
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "display-capture=(), interest-cohort=()"
)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / ".local" / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("STATIC_PLAIN_STORAGE", default=False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "enumeration.devices.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "regsosek.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["regsosek.parsers.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "regsosek.negotiation.IgnoreUnknownFormatNegotiation",
    # ASCII-only JSON out: a lone surrogate echoed back (an unknown key, a refused UUID) is written as
    # an escape instead of failing the UTF-8 encoding of the answer.
    "UNICODE_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Regsosek API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The family status is one enum wherever it appears (answers, the list's filter).
    "ENUM_NAME_OVERRIDES": {"FamilyStatusEnum": "households.models.FamilyStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "regsosek.openapi.add_common_refusals",
    ],
}

# Celery (Redis broker). See docs/architecture.md for the task conventions.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = TIME_ZONE
# The one periodic job (celery beat: `make run` embeds it in its worker, docker-compose runs a `beat`
# service): photos received but not processed for PHOTO_SWEEP_AGE_S (their task lost while Redis
# was down, or a worker killed) are queued again. Processing is idempotent, so a photo queued twice
# is processed once (docs/reliability.md).
PHOTO_SWEEP_INTERVAL_S = env_int("PHOTO_SWEEP_INTERVAL_S", 300)
PHOTO_SWEEP_AGE_S = env_int("PHOTO_SWEEP_AGE_S", 600)
CELERY_BEAT_SCHEDULE = {
    "photos-requeue-stale": {"task": "photos.requeue_stale", "schedule": float(PHOTO_SWEEP_INTERVAL_S)},
}
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / ".local" / "celerybeat-schedule")
)
# How long a client waits before sending a photo again when the media disk is full.
PHOTO_STORAGE_FULL_RETRY_S = env_int("PHOTO_STORAGE_FULL_RETRY_S", 300)

# The kab/kota this deployment serves; its areas are loaded from REGSOSEK_WILAYAH_DIR/<code>/.
REGSOSEK_KABKOTA_CODE = env_str("REGSOSEK_KABKOTA_CODE", "3674")
REGSOSEK_WILAYAH_DIR = Path(env_str("REGSOSEK_WILAYAH_DIR", str(BASE_DIR / "enumeration" / "data" / "wilayah")))
REGSOSEK_HEALTH_WORKER_TIMEOUT = env_float("HEALTH_WORKER_TIMEOUT", 1.5)

# NIK and No. KK at rest (households/identifiers.py): Fernet keys, newest first, comma-separated.
# Rotation: put a new key first, keep the old ones, run `manage.py rotate_identifier_keys`, then drop them.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in env_secret("FIELD_ENCRYPTION_KEYS").split(",") if k.strip()]
# HMAC key of the lookup/duplicate hashes of NIK and No. KK.
IDENTIFIER_HASH_KEY = env_secret("IDENTIFIER_HASH_KEY")
# Audited reveals of a full NIK / No. KK: at most this many per user in a sliding window; beyond it
# the answer is 429 and the refusal is logged as `identifier.reveal_limited` (docs/operations.md).
IDENTIFIER_REVEAL_LIMIT = env_int("IDENTIFIER_REVEAL_LIMIT", 20)
IDENTIFIER_REVEAL_WINDOW_MINUTES = env_int("IDENTIFIER_REVEAL_WINDOW_MINUTES", 60)
if IDENTIFIER_REVEAL_LIMIT < 1 or IDENTIFIER_REVEAL_WINDOW_MINUTES < 1:
    raise ImproperlyConfigured("IDENTIFIER_REVEAL_LIMIT and IDENTIFIER_REVEAL_WINDOW_MINUTES must be at least 1.")
# Review desk (docs/review.md): an interview shorter than this many minutes (the phone's start and
# finish times) is flagged in the queue; the family page's map loads tiles only when a tile URL
# template ({z}/{x}/{y}) is set, otherwise it draws the boundary and the point on a blank ground.
REVIEW_MIN_INTERVIEW_MINUTES = env_int("REVIEW_MIN_INTERVIEW_MINUTES", 10)
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# Audit log (audit/): entries older than this many days are deleted by `manage.py purge_audit_log`,
# the only deletion the log allows (docs/privacy.md, "Audit log"). At least 90: a breach is often
# found weeks after it began, and the entries are what answers it.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
if AUDIT_RETENTION_DAYS < 90:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 90.")
# Enumerator app: device tokens' lifetime; sync batch size; geotag checks; photo uploads.
DEVICE_TOKEN_DAYS = env_int("DEVICE_TOKEN_DAYS", 14)
SYNC_MAX_BATCH = env_int("SYNC_MAX_BATCH", 100)
# Geotag thresholds: defaults in geotag/rules.json, which the phone's doorstep check reads too
# (through the app shell, geotag/rules.py).
_GEOTAG_RULES = json.loads((BASE_DIR / "geotag" / "rules.json").read_text(encoding="utf-8"))
GEOTAG_MAX_ACCURACY_M = env_float("GEOTAG_MAX_ACCURACY_M", float(_GEOTAG_RULES["max_accuracy_m"]))
# Enumerator app lock (docs/pwa.md, "App lock"): the app asks for the PIN again after this many
# seconds without a touch; after this many wrong PINs in a row only the password opens it again.
APP_LOCK_IDLE_SECONDS = env_int("APP_LOCK_IDLE_SECONDS", 300)
APP_LOCK_MAX_PIN_ATTEMPTS = env_int("APP_LOCK_MAX_PIN_ATTEMPTS", 5)
if APP_LOCK_IDLE_SECONDS < 30 or APP_LOCK_MAX_PIN_ATTEMPTS < 1:
    raise ImproperlyConfigured("APP_LOCK_IDLE_SECONDS must be at least 30 and APP_LOCK_MAX_PIN_ATTEMPTS at least 1.")
# Hours a family approved by its PML stays on the phone (docs/pwa.md, "Retention"); negative: kept.
APPROVED_RETENTION_HOURS = env_int("APPROVED_RETENTION_HOURS", 24)
# A release label mixed into the enumerator app's version: changing it makes every phone install the
# app again (e.g. after a server-side change the app must pick up). Files already change the version.
APP_RELEASE = env_str("APP_RELEASE", "")
GEOTAG_AREA_TOLERANCE_M = env_float("GEOTAG_AREA_TOLERANCE_M", float(_GEOTAG_RULES["area_tolerance_m"]))
GEOTAG_SAME_POINT_M = env_float("GEOTAG_SAME_POINT_M", float(_GEOTAG_RULES["same_point_m"]))
GEOTAG_MAX_SPEED_KMH = env_float("GEOTAG_MAX_SPEED_KMH", float(_GEOTAG_RULES["max_speed_kmh"]))
GEOTAG_SPEED_MIN_DISTANCE_M = env_float("GEOTAG_SPEED_MIN_DISTANCE_M", float(_GEOTAG_RULES["speed_min_distance_m"]))
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# Monitoring (docs/monitoring-quality.md): hours an export file is kept; the quality report's
# outlier thresholds (interviews shorter than this many minutes, more families a day than this,
# no sync for more than this many days).
EXPORT_TTL_HOURS = env_int("EXPORT_TTL_HOURS", 24)
QUALITY_SHORT_INTERVIEW_MINUTES = env_int("QUALITY_SHORT_INTERVIEW_MINUTES", 10)
QUALITY_MAX_FAMILIES_PER_DAY = env_int("QUALITY_MAX_FAMILIES_PER_DAY", 25)
QUALITY_STALE_SYNC_DAYS = env_int("QUALITY_STALE_SYNC_DAYS", 2)
if EXPORT_TTL_HOURS < 1:
    raise ImproperlyConfigured("EXPORT_TTL_HOURS must be at least 1.")
# Monitoring (docs/monitoring.md): the fieldwork period the trend chart spreads the VK1 target over
# (Regsosek 2022 ran 15 Oct - 14 Nov 2022), and an optional base map ({z}/{x}/{y} tile URL): without
# one the map draws only the area boundaries, as offline servers and tests have no tiles.
FIELDWORK_START = env_str("FIELDWORK_START", "2022-10-15")
FIELDWORK_END = env_str("FIELDWORK_END", "2022-11-14")
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")

# Which answers of the SLS head's welfare estimate (K.111) require a house photo; unconfirmed codes
# (domain.md B2), so configurable. The questionnaire definition carries its own default.
REGSOSEK_PHOTO_WELFARE_CODES = [int(c) for c in env_list("PHOTO_WELFARE_CODES", ["1", "2"])]

# Error reports (the debug page, admins' mails) hide settings that hold credentials inside URLs too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "regsosek.logging.SettingsHidingReporterFilter"

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "regsosek.logging.RedactPersonalDataFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own configuration gives the "django" logger a plain-text console handler when
        # DEBUG is on: replaced here, so its records (tracebacks included) pass the redaction once.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # The request logger prints the full path; our URLs never carry personal data (docs/privacy.md).
        "django.request": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO, and its warnings can quote the document (FKP lists).
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
