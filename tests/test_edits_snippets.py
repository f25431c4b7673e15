"""Snippet files: every framework resolves its templates and environment names, and every template is valid code."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_server.analysis.model import FlowKind, Span
from lsp_server.edits import PlannedEdit, apply_edits, plan_flow_tracking
from lsp_server.edits.snippets import BundledSnippets, load_framework, render
from tests.edits_support import error_nodes, flow, package

SNIPPETS = BundledSnippets()
FRAMEWORKS = {  # id → the project key variable new code reads
    "nextjs-app-router": "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN",  # new code; an existing name is reused
    "nextjs-pages-router": "NEXT_PUBLIC_POSTHOG_PROJECT_TOKEN",
    "react-spa": "VITE_PUBLIC_POSTHOG_KEY",
    "node-express": "POSTHOG_PROJECT_TOKEN",
    "node": "POSTHOG_PROJECT_TOKEN",
    "django": "POSTHOG_PROJECT_TOKEN",
    "flask": "POSTHOG_PROJECT_TOKEN",
    "fastapi": "POSTHOG_PROJECT_TOKEN",
    "python": "POSTHOG_PROJECT_TOKEN",
}
SAMPLE = {
    "posthog": "posthog",
    "event": "'user_signed_up'",
    "distinct_id": "user.id",
    "distinct_id_str": "String(user.id)",
    "distinct_id_known": "user?.id",
    "distinct_id_checked": "String(user.id)",
    "properties": "{ a: 1 }",
    "properties_arg": ", { a: 1 }",
    "person_properties": "{ b: 2 }",
    "person_properties_arg": ", { b: 2 }",
    "module": "./lib/posthog-server",
    "var": "POSTHOG_PROJECT_TOKEN",
    "placeholder": "DISTINCT_ID",
    "key_env": "POSTHOG_PROJECT_TOKEN",
    "host_env": "POSTHOG_HOST",
}


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
def test_each_framework_has_env_names_and_every_piece_it_needs(framework):
    snippets = load_framework(SNIPPETS, framework)
    assert snippets.setting("env", "key") == FRAMEWORKS[framework]
    assert snippets.setting("env", "host", "").endswith("_HOST")
    python = framework in ("django", "flask", "fastapi", "python")
    ext = "py" if python else "js"
    for piece in ("capture", "identify", "import"):
        names = [f"{piece}.server.{ext}.tmpl"] if python else [f"{piece}.server.js.tmpl", f"{piece}.server.esm.js.tmpl"]
        assert snippets.template(*names), (framework, piece)
    assert snippets.template(f"env.{ext}.tmpl") and snippets.template(f"todo.{ext}.tmpl")
    assert snippets.properties().get("event"), framework
    if not python:
        assert snippets.template("capture.client.js.tmpl") or framework in ("node", "node-express")


def test_python_frameworks_fall_back_to_python_and_next_to_browser_then_node():
    assert load_framework(SNIPPETS, "flask").chain == ("flask", "python")
    assert load_framework(SNIPPETS, "nextjs-pages-router").chain == (
        "nextjs-pages-router",
        "nextjs-app-router",
        "react-spa",
        "node",
    )
    assert load_framework(SNIPPETS, "no-such-framework").template("capture.server.js.tmpl") is None


def _templates() -> list[Path]:
    return sorted((SNIPPETS.root / "frameworks").glob("*/snippets/*.tmpl"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_template_renders_to_code_that_parses(path):
    python_module = {"module": "posthog_client"} if path.name.endswith(".py.tmpl") else {}
    lines = render(path.read_text(), SAMPLE | python_module)
    name = path.name
    if name.startswith("env."):
        code = f"x = {lines[0]}\n" if name.endswith(".py.tmpl") else f"const x = {lines[0]};\n"
    elif name.startswith("flush_options."):
        code = f"new PostHog(k, {{ {lines[0]} }});\n"
    elif name.startswith("module.") or name.startswith("import."):
        code = "\n".join(lines) + "\n"
    elif name.endswith(".py.tmpl"):
        code = "def f(user):\n" + "".join(f"    {line}\n" for line in lines)
    else:
        code = "async function f(user) {\n" + "".join(f"  {line}\n" for line in lines) + "}\n"
    suffix = ".py" if name.endswith(".py.tmpl") else ".ts" if ".ts." in name else ".js"
    assert error_nodes(code, "x" + suffix) == [], code
    assert "phc_" not in code and "{{" not in code


class DictSnippets:
    """Any object with `get(framework, name)` is a snippet source (the MCP-backed one will be too)."""

    def __init__(self, files: dict[tuple[str, str], str]) -> None:
        self.files = files

    def get(self, framework: str, name: str) -> str | None:
        return self.files.get((framework, name))


def test_snippets_can_come_from_any_source():
    source = DictSnippets(
        {
            ("python", "snippets.toml"): '[server]\nmodule = "ph"\nexports = "posthog"\n[env]\nkey = "K"\nhost = "H"\n',
            ("python", "capture.server.py.tmpl"): "{{posthog}}.capture({{event}}, distinct_id={{distinct_id}})\n",
            ("python", "import.server.py.tmpl"): "from {{module}} import posthog\n",
            ("python", "module.server.py.tmpl"): "import os\nposthog = make(os.environ.get('{{key_env}}'))\n",
        }
    )
    text = "def pay(order):\n    order.pay()\n"
    f = flow("shop.py", FlowKind.PAYMENT_SUCCEEDED, 2, "    ", event="payment_succeeded", user_id="order.user_id")
    edits = plan_flow_tracking(text, "shop.py", f, None, source)
    assert [e.path for e in edits] == ["ph.py", "shop.py", "shop.py"]
    assert edits[0].new_text == "import os\nposthog = make(os.environ.get('K'))\n"
    assert apply_edits(text, edits) == (
        "from ph import posthog\n\ndef pay(order):\n    order.pay()\n"
        '    posthog.capture("payment_succeeded", distinct_id=order.user_id)\n'
    )
    assert plan_flow_tracking(text, "shop.py", f, package("django", "python"), DictSnippets({})) == []


def test_apply_edits_works_bottom_up_keeps_same_position_order_and_crlf_columns():
    text = "ab\r\ncd\r\n"
    edits = [
        PlannedEdit("f", Span(0, 1, 0, 1), "1", "l", "g"),
        PlannedEdit("f", Span(0, 1, 0, 1), "2", "l", "g"),
        PlannedEdit("f", Span(1, 0, 1, 99), "XY", "l", "g"),  # a column past the end stops before '\r\n'
        PlannedEdit("new.py", Span(0, 0, 0, 0), "ignored", "l", "g", create_file=True),
    ]
    assert apply_edits(text, edits) == "a12b\r\nXY\r\n"
