"""Django settings for Passeport, read from the environment (see config/env.py)."""

from __future__ import annotations

import sys

import dj_database_url

from config.env import (
    BASE_DIR,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_secret_list,
    env_str,
)

TESTING = "pytest" in sys.modules or env_bool("PASSEPORT_TESTING")
DEBUG = env_bool("DJANGO_DEBUG", default=not TESTING and env_str("DJANGO_ENV", "dev") == "dev")
PRODUCTION = env_str("DJANGO_ENV", "dev") == "production"

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", allow_local=not PRODUCTION)
# Key material for personal data encrypted in the database (NIR) and its keyed hash.
PASSEPORT_DATA_KEY = env_secret("PASSEPORT_DATA_KEY", allow_local=not PRODUCTION)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",  # the database queue of production (TASKS_BACKEND), run by db_worker
    "dsfr",
    "widget_tweaks",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",  # login throttling (AXES_* below)
    "ninja",  # serves the Swagger UI of /api/v1/docs from our static files, not a CDN  # used by the DSFR form templates (checkboxes, radios)
    "passeport.core",
    "passeport.people",
    "passeport.directory",
    "passeport.vault",
    "passeport.paths",
    "passeport.rights",
    "passeport.jobs",
    "passeport.reporting",
    "passeport.rupture",
    "passeport.interop",
    "passeport.identity",
    "passeport.skills",
    "passeport.web",
    "passeport.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "passeport.core.middleware.ActiveMembershipMiddleware",
    "passeport.api.middleware.RefuseNulCharacters",
    "passeport.identity.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "passeport.core.context_processors.branding",
                "passeport.web.identity.context_processors.oidc_providers",
                "passeport.web.pro.context_processors.pro_counters",
            ],
            "builtins": ["passeport.web.templatetags.french"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "passeport.identity.backends.ThrottlingBackend",  # django-axes: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "passeport@localhost")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"
DSFR_MARK_OPTIONAL_FIELDS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Identity (docs/identity.md). Login throttling (django-axes): after N failed logins for one
# e-mail address, that address is locked for the cool-off time, even with the right password.
AXES_ENABLED = env_bool("PASSEPORT_LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = env_int("PASSEPORT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PASSEPORT_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# Per account, not per address: behind a proxy every user shares one IP (see docs/identity.md).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Two-factor authentication (django-otp): the issuer shown in the authenticator app.
OTP_TOTP_ISSUER = env_str("PASSEPORT_TOTP_ISSUER", "Passeport")
PASSEPORT_RECOVERY_CODES = env_int("PASSEPORT_RECOVERY_CODES", 10)
# OpenID Connect providers: each is enabled when its discovery URL and client id are set.
# "pro" is ProConnect-compatible (email + siret claims), "person" FranceConnect-compatible.
PASSEPORT_OIDC = {
    name: {
        "discovery_url": env_str(f"PASSEPORT_OIDC_{name.upper()}_DISCOVERY_URL"),
        "client_id": env_str(f"PASSEPORT_OIDC_{name.upper()}_CLIENT_ID"),
        "client_secret": env_str(f"PASSEPORT_OIDC_{name.upper()}_CLIENT_SECRET"),
        "scopes": env_str(f"PASSEPORT_OIDC_{name.upper()}_SCOPES", scopes),
        "acr_values": env_str(f"PASSEPORT_OIDC_{name.upper()}_ACR_VALUES"),
        "label": env_str(f"PASSEPORT_OIDC_{name.upper()}_LABEL", label),
    }
    for name, scopes, label in (
        ("pro", "openid email given_name usual_name siret", "ProConnect"),
        ("person", "openid given_name family_name birthdate email", "FranceConnect"),
    )
}

# Operator branding: the DSFR is reserved to State services, so the operator's
# name and logo are settings and another operator can re-brand Passeport.
PASSEPORT_SITE_TITLE = env_str("PASSEPORT_SITE_TITLE", "Passeport")
PASSEPORT_SITE_TAGLINE = env_str(
    "PASSEPORT_SITE_TAGLINE", "Parcours insertion emploi formation"
)
PASSEPORT_OPERATOR_BRAND = env_str("PASSEPORT_OPERATOR_BRAND", "République<br>Française")
PASSEPORT_OPERATOR_LOGO_URL = env_str("PASSEPORT_OPERATOR_LOGO_URL", "")
PASSEPORT_OPERATOR_LOGO_ALT = env_str("PASSEPORT_OPERATOR_LOGO_ALT", "")
PASSEPORT_USE_DSFR_MARIANNE = env_bool("PASSEPORT_USE_DSFR_MARIANNE", True)
# Person invitations: how long the link sent by the référent stays valid.
PASSEPORT_INVITATION_DAYS = env_int("PASSEPORT_INVITATION_DAYS", 14)
PASSEPORT_PAGE_SIZE = env_int("PASSEPORT_PAGE_SIZE", 25)
# Access requests: a professional asks a person to open their passport. The request
# expires after N days without an answer; a member may send at most M requests an hour,
# an organisation (members and API tokens together) at most O.
PASSEPORT_ACCESS_REQUEST_DAYS = env_int("PASSEPORT_ACCESS_REQUEST_DAYS", 30)
PASSEPORT_ACCESS_REQUESTS_PER_HOUR = env_int("PASSEPORT_ACCESS_REQUESTS_PER_HOUR", 10)
PASSEPORT_ACCESS_REQUESTS_PER_HOUR_ORG = env_int("PASSEPORT_ACCESS_REQUESTS_PER_HOUR_ORG", 50)
# Absolute address of the site, used in links sent by e-mail.
PASSEPORT_BASE_URL = env_str("PASSEPORT_BASE_URL", "http://127.0.0.1:8000")

# Orientations (service directory): remind the partner after N days without an answer,
# and mark the orientation expired after M days.
PASSEPORT_ORIENTATION_REMIND_DAYS = env_int("PASSEPORT_ORIENTATION_REMIND_DAYS", 7)
PASSEPORT_ORIENTATION_EXPIRE_DAYS = env_int("PASSEPORT_ORIENTATION_EXPIRE_DAYS", 30)

# Rights (OpenFisca-France): "task" computes each check through django-tasks; "worker"
# leaves the queue to the `rights_worker` command. Processes used by a large screening.
PASSEPORT_RIGHTS_QUEUE = env_str("PASSEPORT_RIGHTS_QUEUE", "task")
PASSEPORT_RIGHTS_SCREEN_PROCESSES = env_int("PASSEPORT_RIGHTS_SCREEN_PROCESSES", 0) or None

# ESF+ reporting (see docs/reporting.md): the debatable rules of the common indicators.
# Long-term unemployed: unemployed for more than N months (6 under 25 years old, 12 from
# 25); "inactive" includes people in education; "upon leaving" means within N days after
# exit; the six-month follow-up is read between the two bounds; small public counts are
# suppressed below PASSEPORT_ESF_PUBLIC_MIN_COUNT.
PASSEPORT_ESF_LTU_MONTHS_UNDER_25 = env_int("PASSEPORT_ESF_LTU_MONTHS_UNDER_25", 6)
PASSEPORT_ESF_LTU_MONTHS_FROM_25 = env_int("PASSEPORT_ESF_LTU_MONTHS_FROM_25", 12)
PASSEPORT_ESF_LTU_AGE_THRESHOLD = env_int("PASSEPORT_ESF_LTU_AGE_THRESHOLD", 25)
PASSEPORT_ESF_LTU_STRICT = env_bool("PASSEPORT_ESF_LTU_STRICT", True)
PASSEPORT_ESF_INACTIVE_INCLUDES_EDUCATION = env_bool("PASSEPORT_ESF_INACTIVE_INCLUDES_EDUCATION", True)
PASSEPORT_ESF_UPON_LEAVING_DAYS = env_int("PASSEPORT_ESF_UPON_LEAVING_DAYS", 28)
PASSEPORT_ESF_SIX_MONTHS_MIN_DAYS = env_int("PASSEPORT_ESF_SIX_MONTHS_MIN_DAYS", 182)
PASSEPORT_ESF_SIX_MONTHS_MAX_DAYS = env_int("PASSEPORT_ESF_SIX_MONTHS_MAX_DAYS", 273)
PASSEPORT_ESF_COUNT_INCOMPLETE = env_bool("PASSEPORT_ESF_COUNT_INCOMPLETE", False)
PASSEPORT_ESF_PUBLIC_MIN_COUNT = env_int("PASSEPORT_ESF_PUBLIC_MIN_COUNT", 11)
# Entry statuses counted by each result indicator, e.g. {"EECR01": ["inactive"]}: only
# overridable in a settings module (see docs/reporting.md for the defaults).
PASSEPORT_ESF_RESULT_ENTRY_STATUSES: dict[str, list[str]] = {}

# Risk of rupture (see docs/rupture.md): thresholds of the signals, in days (an
# organisation may override the no-contact delay on its own page), and the batch size of
# the daily detection (`manage.py rupture_alerts`).
PASSEPORT_RUPTURE_NO_CONTACT_DAYS = env_int("PASSEPORT_RUPTURE_NO_CONTACT_DAYS", 45)
PASSEPORT_RUPTURE_MISSED_IN_ROW = env_int("PASSEPORT_RUPTURE_MISSED_IN_ROW", 2)
PASSEPORT_RUPTURE_ORIENTATION_WAIT_DAYS = env_int("PASSEPORT_RUPTURE_ORIENTATION_WAIT_DAYS", 15)
PASSEPORT_RUPTURE_ORIENTATION_REFUSED_DAYS = env_int("PASSEPORT_RUPTURE_ORIENTATION_REFUSED_DAYS", 7)
PASSEPORT_RUPTURE_ACTION_OVERDUE_DAYS = env_int("PASSEPORT_RUPTURE_ACTION_OVERDUE_DAYS", 14)
PASSEPORT_RUPTURE_ENDING_WITHIN_DAYS = env_int("PASSEPORT_RUPTURE_ENDING_WITHIN_DAYS", 30)
PASSEPORT_RUPTURE_DOCUMENT_WITHIN_DAYS = env_int("PASSEPORT_RUPTURE_DOCUMENT_WITHIN_DAYS", 30)
PASSEPORT_RUPTURE_HOURS_DOWN_DAYS = env_int("PASSEPORT_RUPTURE_HOURS_DOWN_DAYS", 60)
PASSEPORT_RUPTURE_SEVERE_FREIN_DAYS = env_int("PASSEPORT_RUPTURE_SEVERE_FREIN_DAYS", 14)
PASSEPORT_RUPTURE_BATCH_SIZE = env_int("PASSEPORT_RUPTURE_BATCH_SIZE", 2000)

# Text messages (reminders to the person): console in development, memory in tests,
# passeport.core.sms.BrevoBackend in production (Brevo's transactional SMS API).
PASSEPORT_SMS_BACKEND = env_str(
    "PASSEPORT_SMS_BACKEND",
    "passeport.core.sms.MemoryBackend" if TESTING else "passeport.core.sms.ConsoleBackend")
PASSEPORT_SMS_SENDER = env_str("PASSEPORT_SMS_SENDER", "Passeport")
PASSEPORT_SMS_BREVO_URL = env_str("PASSEPORT_SMS_BREVO_URL", "https://api.brevo.com")
PASSEPORT_SMS_BREVO_API_KEY = env_str("PASSEPORT_SMS_BREVO_API_KEY")

# Jobs and matching (see docs/jobs.md): how many results a matching list shows, and the
# anti-congestion rule (an offer with at least this many proposals waiting for an answer
# per open position is ranked lower and flagged « très sollicitée »).
PASSEPORT_JOBS_MATCH_LIMIT = env_int("PASSEPORT_JOBS_MATCH_LIMIT", 20)
PASSEPORT_JOBS_CONGESTION_PER_POSITION = env_int("PASSEPORT_JOBS_CONGESTION_PER_POSITION", 5)

# Digital safe (vault), see .env.example: the key-encryption key comes from the environment
# (or a file), never from the database; previous keys stay readable during a rotation.
PASSEPORT_VAULT_MASTER_KEY = env_secret("PASSEPORT_VAULT_MASTER_KEY", allow_local=not PRODUCTION)
PASSEPORT_VAULT_PREVIOUS_KEYS = env_secret_list("PASSEPORT_VAULT_PREVIOUS_KEYS")
PASSEPORT_VAULT_STORAGE = env_str("PASSEPORT_VAULT_STORAGE", "filesystem")  # filesystem | s3
PASSEPORT_VAULT_DIR = env_str("PASSEPORT_VAULT_DIR", str(BASE_DIR / "var" / "vault"))
PASSEPORT_VAULT_S3 = {
    "bucket_name": env_str("PASSEPORT_VAULT_S3_BUCKET"),
    "endpoint_url": env_str("PASSEPORT_VAULT_S3_ENDPOINT_URL"),
    "region_name": env_str("PASSEPORT_VAULT_S3_REGION"),
    "access_key": env_str("PASSEPORT_VAULT_S3_ACCESS_KEY_ID"),
    "secret_key": env_str("PASSEPORT_VAULT_S3_SECRET_ACCESS_KEY"),
    "location": env_str("PASSEPORT_VAULT_S3_PREFIX", "vault"),
}
PASSEPORT_VAULT_MAX_UPLOAD_MB = env_int("PASSEPORT_VAULT_MAX_UPLOAD_MB", 20)
PASSEPORT_VAULT_CLAMD = env_str("PASSEPORT_VAULT_CLAMD")  # /run/clamav/clamd.ctl or host:port
PASSEPORT_VAULT_CLAMD_TIMEOUT = env_int("PASSEPORT_VAULT_CLAMD_TIMEOUT", 30)
PASSEPORT_VAULT_SHARE_DAYS = env_int("PASSEPORT_VAULT_SHARE_DAYS", 90)
PASSEPORT_VAULT_REMINDER_DAYS = [int(d) for d in env_list("PASSEPORT_VAULT_REMINDER_DAYS", ["30", "7"])]
PASSEPORT_VAULT_RETENTION_YEARS = env_int("PASSEPORT_VAULT_RETENTION_YEARS", 2)

# Skills and Open Badges (see docs/skills.md): importing a badge fetches its issuer's
# files over HTTP (timeout in seconds); private and loopback addresses are refused
# unless allowed (tests run a local server).
PASSEPORT_BADGES_FETCH_TIMEOUT = env_int("PASSEPORT_BADGES_FETCH_TIMEOUT", 5)
PASSEPORT_BADGES_FETCH_PRIVATE = env_bool("PASSEPORT_BADGES_FETCH_PRIVATE", TESTING)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Interoperability: webhooks (docs/interop.md). Seconds before a receiver's answer times out.
PASSEPORT_WEBHOOK_TIMEOUT = env_int("PASSEPORT_WEBHOOK_TIMEOUT", 10)
# Outbound calls to addresses users typed (webhooks, badge issuers) never reach a private
# or reserved address (checked on the address actually connected to: passeport/core/http.py);
# loopback only outside production. An operator whose webhook receivers sit in its own
# network sets PASSEPORT_WEBHOOK_ALLOW_PRIVATE=true.
PASSEPORT_OUTBOUND_ALLOW_LOOPBACK = env_bool("PASSEPORT_OUTBOUND_ALLOW_LOOPBACK", not PRODUCTION)
PASSEPORT_WEBHOOK_ALLOW_PRIVATE = env_bool("PASSEPORT_WEBHOOK_ALLOW_PRIVATE", False)
