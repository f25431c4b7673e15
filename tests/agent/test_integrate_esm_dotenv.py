"""Node app (ESM or CommonJS) calling `dotenv.config()` after its imports: the new PostHog client still gets the key.

ESM imports are evaluated before the entry's body (CommonJS requires run in order), so a module reading
`process.env` at import time runs before `.env` is loaded; the generated module loads .env itself when the package
depends on dotenv.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from lsp_server.agent.run import IntegrateOptions, run_integrate
from tests import sink

NODE_MODULES = Path(__file__).resolve().parent.parent / "node" / "node_modules"

ROUTES = """import express from 'express';

const router = express.Router();
const users = [];

router.post('/register', async (req, res) => {
  const user = { id: users.length + 1, email: req.body.email };
  users.push(user);
  res.status(201).json({ id: user.id });
});

export default router;
"""
SERVER = """import express from 'express';
import authRoutes from './routes/auth.js';
import dotenv from 'dotenv';

dotenv.config();

export const app = express();
app.use(express.json());
app.use('/api/auth', authRoutes);
"""
SMOKE = """import { app } from './server.js';

const server = app.listen(0, async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const res = await fetch(base + '/api/auth/register', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@x.io' }),
  });
  if (res.status !== 201) throw new Error(`register ${res.status}`);
  server.close();
});
"""




def _commonjs(source: str) -> str:
    """The same file written with require/module.exports, imports in the same order."""
    source = source.replace("import express from 'express';", "const express = require('express');")
    routes = "const authRoutes = require('./routes/auth');"
    source = source.replace("import authRoutes from './routes/auth.js';", routes)
    source = source.replace("import dotenv from 'dotenv';", "const dotenv = require('dotenv');")
    source = source.replace("import { app } from './server.js';", "const { app } = require('./server');")
    source = source.replace("export default router;", "module.exports = router;")
    return source.replace("export const app = express();", "const app = express();\nmodule.exports = { app };")


def _app(root: Path, dotenv_table: str, env: str, commonjs: bool = False) -> None:
    (root / "routes").mkdir(parents=True)
    deps = {"express": "^4.22.3"}
    manifest: dict = {"name": "notes", "dependencies": deps} if commonjs else {
        "name": "esm-notes", "type": "module", "dependencies": deps}
    manifest.setdefault(dotenv_table, {})["dotenv"] = "^16.4.5"
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    style = _commonjs if commonjs else str
    (root / "routes" / "auth.js").write_text(style(ROUTES))
    (root / "server.js").write_text(style(SERVER))
    (root / "smoke.js").write_text(style(SMOKE))
    (root / ".env").write_text(env)


def _integrate(root: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run_integrate(IntegrateOptions(root=root, yes=True, agent="off", out=out, err=err))
    assert code == 0, err.getvalue()


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MODULES / "dotenv").is_dir(),
                    reason="needs node and `make` (tests/node)")
@pytest.mark.parametrize("commonjs", [False, True], ids=["esm", "commonjs"])
def test_express_app_loading_dotenv_after_its_imports_sends_signup_with_the_key_from_env_file(
    commonjs, tmp_path, sink_url
):
    root = tmp_path / "app"
    token = "phc_test_" + uuid.uuid4().hex
    _app(root, "dependencies", f"POSTHOG_PROJECT_TOKEN={token}\nPOSTHOG_HOST={sink_url}\n", commonjs)
    _integrate(root)
    module = (root / "lib" / "posthog-server.js").read_text()
    assert module.splitlines()[0] == ("require('dotenv/config');" if commonjs else "import 'dotenv/config';")
    assert "posthog-server.js" in (root / "routes" / "auth.js").read_text()

    (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)  # ESM ignores NODE_PATH
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}  # the key comes only from .env
    result = subprocess.run(["node", "smoke.js"], cwd=root, env={**env, "NODE_ENV": "test"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "POSTHOG_PROJECT_TOKEN variable required" not in result.stderr + result.stdout
    events = [e for e in sink.all_events() if e["api_key"] == token]
    assert [e["event"] for e in events if e["event"] == "user_signed_up"] == ["user_signed_up"]


def test_dotenv_only_in_dev_dependencies_is_not_imported_by_the_client_module(tmp_path):
    root = tmp_path / "app"
    _app(root, "devDependencies", "")
    _integrate(root)
    module = (root / "lib" / "posthog-server.js").read_text()
    assert module.startswith("import { PostHog } from 'posthog-node';")  # production installs skip devDependencies
    assert "dotenv" not in module


def test_existing_client_module_is_left_as_it_is_on_a_second_run(tmp_path):
    root = tmp_path / "app"
    _app(root, "dependencies", "")
    _integrate(root)
    module = root / "lib" / "posthog-server.js"
    first = module.read_text()
    _integrate(root)
    assert module.read_text() == first and first.count("dotenv/config") == 1
