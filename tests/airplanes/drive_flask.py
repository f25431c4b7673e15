"""Drive the Flask airplane with Flask's test client; the app's atexit shutdown sends the events."""

import sys

from scenario import enter, report, run

enter(sys.argv[1])
from app import app  # noqa: E402

client = app.test_client()


def post(path, payload, headers):
    resp = client.post(path, json=payload, headers=headers)
    return resp.status_code, resp.get_json(silent=True)


report(run(post))
