"""Drive the FastAPI airplane with Starlette's TestClient; leaving it runs the lifespan flush."""

import sys

from scenario import enter, report, run

enter(sys.argv[1])
from app import app  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

with TestClient(app) as client:

    def post(path, payload, headers):
        resp = client.post(path, json=payload, headers=headers)
        return resp.status_code, (resp.json() if resp.content else None)

    result = run(post)
report(result)
