"""Drive the accounts views of the integrated Django fixture app (tests/fixtures/apps/django) with Django's test
Client: the fragment has no settings or URLs, so this script supplies the minimum (in-memory database, the auth
and session apps, a URL per view). Signs up, logs out, logs in, deletes the account; prints the user's id."""

import json
import os
import sys

sys.path.insert(0, os.path.abspath(sys.argv[1]))

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False, SECRET_KEY="smoke", ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], USE_TZ=True,
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                    "django.contrib.messages"],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
                "django.contrib.messages.middleware.MessageMiddleware"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", LOGIN_URL="/login/",
)
django.setup()

from accounts import views  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

urlpatterns = [
    path("signup/", views.signup), path("login/", views.login_view), path("logout/", views.logout_view),
    path("delete/", views.delete_account),
    path("", lambda request: HttpResponse("home"), name="home"),
    path("dashboard/", lambda request: HttpResponse("dashboard"), name="dashboard"),
]

call_command("migrate", verbosity=0)
User.objects.create_user(username="seed", password="pw")  # a first user: ids are not 1 by luck
client = Client()
password = "a-Long-passw0rd!"
statuses = [client.post("/signup/", {"username": "ada", "password1": password, "password2": password}).status_code]
user_id = User.objects.get(username="ada").pk
statuses.append(client.post("/logout/").status_code)
statuses.append(client.post("/login/", {"username": "ada", "password": password}).status_code)
statuses.append(client.post("/delete/").status_code)
print(json.dumps({"user_id": str(user_id), "statuses": statuses}))
