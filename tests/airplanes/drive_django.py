"""Drive the Django airplane with Django's test Client on an in-memory database."""

import json
import os
import sys

from scenario import enter, report, run

enter(sys.argv[1])
os.environ["SHOP_DB_PATH"] = ":memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)
client = Client()


def post(path, payload, headers):
    resp = client.post(path, data=json.dumps(payload or {}), content_type="application/json", headers=headers)
    return resp.status_code, (resp.json() if resp.content else None)


report(run(post))
