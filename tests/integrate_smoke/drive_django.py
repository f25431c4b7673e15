"""Drive an integrated Django airplane with Django's test Client; a first user without a profile makes user and
profile primary keys differ, so an event sent as the profile's id instead of the user's cannot pass by luck."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "airplanes"))
from scenario import enter, report, run

enter(sys.argv[1])
os.environ["SHOP_DB_PATH"] = ":memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

import django  # noqa: E402

django.setup()
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)
User.objects.create_user(username="seed@example.com", password="pw")
client = Client()


def post(path, payload, headers):
    resp = client.post(path, data=json.dumps(payload or {}), content_type="application/json", headers=headers)
    return resp.status_code, (resp.json() if resp.content else None)


report(run(post))
