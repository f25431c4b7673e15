"""Python apps whose settings library reads .env without exporting it, or that already configure posthog's own
module-level client: after integrate, the event reaches the sink with the key from the app's own configuration.

pydantic-settings and python-decouple never write .env values into os.environ, so a client module reading
`os.environ` would stay disabled even with the key filled in; the generated module loads the two PostHog values
itself. An app that sets `posthog.project_api_key` keeps its one client: the views import `posthog`.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lsp_server.agent.run import IntegrateOptions, run_integrate
from tests import sink

USER = """from dataclasses import dataclass


@dataclass
class User:
    id: int
    email: str


USERS: list[User] = []
"""
FASTAPI_SETTINGS = """from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")
    database_url: str = "sqlite://"


settings = Settings()
"""
FASTAPI_MAIN = """from fastapi import FastAPI
from pydantic import BaseModel

from config import settings
from models import USERS, User

app = FastAPI()


class SignupBody(BaseModel):
    email: str
    password: str


@app.post("/signup", status_code=201)
def signup(body: SignupBody):
    user = User(id=len(USERS) + 1, email=body.email)
    USERS.append(user)
    return {"id": user.id, "db": settings.database_url}
"""
FLASK_VIEWS = """from flask import Blueprint, jsonify, request

from models import USERS, User

auth = Blueprint("auth", __name__)


@auth.post("/signup")
def signup():
    user = User(id=len(USERS) + 1, email=request.json["email"])
    USERS.append(user)
    return jsonify(id=user.id), 201
"""
FLASK_APP = """from decouple import config
from flask import Flask

from views import auth

SECRET_KEY = config("SECRET_KEY", default="dev")

app = Flask(__name__)
app.register_blueprint(auth)
"""
FLASK_APP_WITH_POSTHOG = """import posthog
from decouple import config
from flask import Flask

from views import auth

posthog.project_api_key = config("POSTHOG_API_KEY", default="")
posthog.host = config("POSTHOG_HOST", default="https://us.i.posthog.com")

app = Flask(__name__)
app.register_blueprint(auth)
"""
DRIVE_FASTAPI = """from fastapi.testclient import TestClient
import main
assert TestClient(main.app).post("/signup", json={"email": "ada@x.io", "password": "pw"}).status_code == 201
"""
DRIVE_FLASK = """import app
assert app.app.test_client().post("/signup", json={"email": "ada@x.io"}).status_code == 201
"""


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _write(root: Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)


def _integrate(root: Path) -> None:
    err = io.StringIO()
    code = run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=io.StringIO(), err=err))
    assert code == 0, err.getvalue()


def _drive(root: Path, script: str) -> str:
    """Run the app's signup in a fresh interpreter whose environment holds no PostHog variable; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def _signups(token: str) -> list[dict]:
    return [e for e in sink.all_events() if e["api_key"] == token and e["event"] == "user_signed_up"]


def test_pydantic_settings_app_sends_signup_with_the_key_from_its_env_file(tmp_path, sink_url):
    root = tmp_path / "api"
    token = "phc_test_" + uuid.uuid4().hex
    _write(root, {"requirements.txt": "fastapi\npydantic-settings\n", "config.py": FASTAPI_SETTINGS,
                  "models.py": USER, "main.py": FASTAPI_MAIN,
                  ".env": f"POSTHOG_PROJECT_TOKEN={token}\nPOSTHOG_HOST={sink_url}\n"})
    _integrate(root)
    module = (root / "posthog_client.py").read_text()
    assert "load_dotenv()" in module
    output = _drive(root, DRIVE_FASTAPI)
    assert "variable required by PostHog is missing" not in output
    assert [e["distinct_id"] for e in _signups(token)] == ["1"]


def test_python_decouple_app_sends_signup_with_the_key_from_its_env_file(tmp_path, sink_url):
    root = tmp_path / "web"
    token = "phc_test_" + uuid.uuid4().hex
    _write(root, {"requirements.txt": "flask\npython-decouple\n", "app.py": FLASK_APP, "models.py": USER,
                  "views.py": FLASK_VIEWS, ".env": f"POSTHOG_PROJECT_TOKEN={token}\nPOSTHOG_HOST={sink_url}\n"})
    _integrate(root)
    module = (root / "posthog_client.py").read_text()
    assert "from decouple import config" in module and "dotenv" not in module
    output = _drive(root, DRIVE_FLASK)
    assert "variable required by PostHog is missing" not in output
    assert [e["distinct_id"] for e in _signups(token)] == ["1"]


def test_app_configuring_posthogs_module_client_keeps_that_one_client(tmp_path, sink_url):
    root = tmp_path / "web"
    token = "phc_test_" + uuid.uuid4().hex
    _write(root, {"requirements.txt": "flask\npython-decouple\nposthog\n", "app.py": FLASK_APP_WITH_POSTHOG,
                  "models.py": USER, "views.py": FLASK_VIEWS,
                  ".env": f"POSTHOG_API_KEY={token}\nPOSTHOG_HOST={sink_url}\n"})
    _integrate(root)
    assert not (root / "posthog_client.py").exists()
    views = (root / "views.py").read_text()
    assert "import posthog\n" in views and "posthog.capture(" in views
    _drive(root, DRIVE_FLASK)
    assert [e["distinct_id"] for e in _signups(token)] == ["1"]


def test_app_without_a_settings_library_reads_the_environment_only(tmp_path):
    root = tmp_path / "api"
    _write(root, {"requirements.txt": "fastapi\n", "models.py": USER,
                  "main.py": FASTAPI_MAIN.replace("from config import settings\n", "").replace(
                      ', "db": settings.database_url', "")})
    _integrate(root)
    module = (root / "posthog_client.py").read_text()
    assert "dotenv" not in module and "decouple" not in module and "os.environ.get(" in module
