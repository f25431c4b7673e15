"""The PostHog-free copy of every model airplane: no PostHog left, every file still parses."""

from __future__ import annotations

import pytest

from lsp_server.analysis.parsing import language_for_path, parse
from lsp_server.analysis.scan import scan
from lsp_server.analysis.usage import find_posthog_calls

from .apps import EXAMPLES
from .strip import MANIFEST, strip_app, strip_source

AIRPLANES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", AIRPLANES)
def test_stripped_airplane_has_no_posthog_usage_and_parses(name, tmp_path):
    root = strip_app(EXAMPLES / name, tmp_path / name)
    sources = [p for p in root.rglob("*") if p.is_file() and language_for_path(p.name)]
    assert sources
    for path in sources:
        rel = path.relative_to(root).as_posix()
        doc = parse(path.read_text(), language_for_path(rel))
        assert doc is not None and not doc.root.has_error, f"{rel} no longer parses"
        assert find_posthog_calls(doc, rel) == [], f"{rel} still calls PostHog"
    result = scan(root)
    assert all(not d.calls for d in result.documents)
    assert [p.posthog.sdks for p in result.packages] == [()], "no PostHog SDK is a dependency any more"
    assert all(f.tracked is False for d in result.documents for f in d.flows)
    assert not (root / MANIFEST).exists()


def test_python_block_left_empty_gets_pass_and_a_guarded_capture_goes_whole():
    text = (
        "def logout(user):\n"
        "    if user is not None:\n"
        "        # before the session is gone\n"
        "        posthog.capture('user_logged_out', distinct_id=user.id)\n"
        "    end()\n\n\n"
        "def flush():\n"
        "    posthog.flush()  # send it\n"
    )
    assert strip_source(text, "a.py") == "def logout(user):\n    end()\n\n\ndef flush():\n    pass\n"


def test_jsx_provider_is_replaced_by_its_children_and_list_entries_naming_posthog_go():
    tsx = "export const A = () => (\n  <PostHogProvider client={posthog}>\n    <App />\n  </PostHogProvider>\n)\n"
    assert strip_source(tsx, "a.tsx") == "export const A = () => (\n  <App />\n)\n"
    py = 'MIDDLEWARE = [\n    "a.B",\n    # context\n    "posthog.integrations.django.PosthogContextMiddleware",\n]\n'
    assert strip_source(py, "settings.py") == 'MIDDLEWARE = [\n    "a.B",\n]\n'


def test_a_manifest_that_no_longer_matches_its_airplane_fails_loudly(tmp_path):
    src = tmp_path / "app"
    src.mkdir()
    (src / "next.config.ts").write_text("export default {}\n")
    (src / MANIFEST).write_text('[[replace]]\nfile = "next.config.ts"\nold = "rewrites"\nnew = ""\n')
    with pytest.raises(ValueError, match="no longer contains"):
        strip_app(src, tmp_path / "copy")
