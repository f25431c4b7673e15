"""Settings for the Django shop: only what the demo needs, plus PostHog's request middleware."""

import os
import secrets
from pathlib import Path

from shop.analytics import posthog

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_hex(32)
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
ROOT_URLCONF = "shop.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "shop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After AuthenticationMiddleware: request.user and X-POSTHOG-* headers identify the request's context.
    "posthog.integrations.django.PosthogContextMiddleware",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SHOP_DB_PATH", BASE_DIR / "db.sqlite3"),
    }
}

# PostHog middleware: send exceptions through our client, and keep the user's email out of event
# properties (the middleware would add it; email belongs in person properties).
POSTHOG_MW_CLIENT = posthog
POSTHOG_MW_CAPTURE_EXCEPTIONS = True
POSTHOG_MW_PROPERTIES_MAP = lambda properties: {k: v for k, v in properties.items() if k != "email"}  # noqa: E731
