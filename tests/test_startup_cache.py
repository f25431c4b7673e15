"""The language server's start-up cache: attrs classes and dataclasses built from cached code behave exactly as
compiled ones, and what the server generates after start-up is kept for the next start."""

from __future__ import annotations

import dataclasses
import gc
import inspect
import os
import subprocess
import sys
from pathlib import Path

import attr._make
import attrs
import pytest

from lsp_server import startup_cache
from lsp_server.startup_cache import CompileCache


def _define() -> type:
    @attrs.define(frozen=True)
    class Position:
        line: int
        character: int = 0

    return Position


def test_classes_built_from_the_cache_behave_like_freshly_compiled_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "codegen.marshal"
    monkeypatch.setattr(startup_cache, "_WORTH_SAVING", 1)
    first = CompileCache(path)
    monkeypatch.setattr(attr._make, "compile", first, raising=False)
    fresh = _define()
    assert first.added > 0
    first.save()
    assert path.is_file()

    second = CompileCache(path)
    monkeypatch.setattr(attr._make, "compile", second, raising=False)
    cached = _define()
    assert second.added <= 1  # attrs salts a frozen class's __hash__ per process: that one source is new each run
    a, b = cached(3, 4), cached(3, 4)
    assert a == b and hash(a) == hash(b) and repr(a) == repr(fresh(3, 4))
    assert cached(1).character == 0
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.line = 5  # type: ignore[misc]


def test_a_corrupt_or_missing_cache_just_compiles(tmp_path: Path) -> None:
    path = tmp_path / "codegen.marshal"
    path.write_bytes(b"not marshal at all")
    cache = CompileCache(path)
    assert cache.codes == {}
    namespace: dict = {}
    exec(cache("x = 40 + 2", "<test>", "exec"), namespace)
    assert namespace["x"] == 42
    assert CompileCache(tmp_path / "missing" / "codegen.marshal").codes == {}


def test_fast_imports_leaves_garbage_collection_on_and_freezes_start_up_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    try:
        with startup_cache.fast_imports():
            assert not gc.isenabled()
            _define()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        # attrs/cattrs stay cached for the hooks requests need; dataclasses made after start-up are not cached
        assert "compile" in vars(attr._make) and "exec" not in vars(dataclasses)
    finally:
        gc.unfreeze()
        startup_cache.uninstall()  # later tests compile with the builtins again
    assert "compile" not in vars(attr._make) and "exec" not in vars(dataclasses)


def _dataclasses() -> tuple[type, type]:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Span:
        start: int
        end: int = 0
        tags: tuple[str, ...] = ()

    @dataclasses.dataclass(order=True)
    class Version:
        major: int
        minor: int = 0
        notes: list[str] = dataclasses.field(default_factory=list, compare=False)

    return Span, Version


def test_dataclasses_built_from_the_cache_behave_like_freshly_compiled_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "codegen.marshal"
    monkeypatch.setattr(startup_cache, "_WORTH_SAVING", 1)
    fresh_span, _ = _dataclasses()  # the builtin exec
    first = CompileCache(path)
    monkeypatch.setattr(dataclasses, "exec", first.exec, raising=False)
    _dataclasses()
    assert first.added > 0
    first.save()

    second = CompileCache(path)
    monkeypatch.setattr(dataclasses, "exec", second.exec, raising=False)
    span, version = _dataclasses()
    assert second.added == 0  # every generated method came from the file
    a = span(1, 2)
    assert a == span(1, 2) and hash(a) == hash(span(1, 2)) and a.tags == () and a != span(1, 2, ("x",))
    assert repr(a).endswith("Span(start=1, end=2, tags=())") and repr(fresh_span(1, 2)) == repr(a)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.start = 5  # type: ignore[misc]
    assert version(1, 2) < version(1, 3) and sorted([version(2), version(1, 9)]) == [version(1, 9), version(2)]
    assert version(1).notes == [] and version(1).notes is not version(1).notes
    # compiled with dataclasses' own flags, not this module's `from __future__ import annotations`
    assert inspect.signature(span) == inspect.signature(fresh_span)
    assert span.__init__.__annotations__ == fresh_span.__init__.__annotations__


def test_code_generated_after_start_up_is_saved_when_the_server_exits(tmp_path: Path) -> None:
    script = (
        "from lsp_server import startup_cache\n"
        "startup_cache._WORTH_SAVING = 1\n"
        "with startup_cache.fast_imports():\n"
        "    import attrs\n"
        "@attrs.define\n"
        "class LateRequest:\n"
        "    uri: str\n"
        "import cattrs\n"
        "print(cattrs.Converter().structure({'uri': 'file:///a.py'}, LateRequest).uri)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("POSTHOG_LSP_NO_STARTUP_CACHE", None)
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "file:///a.py", run.stderr
    saved = CompileCache(next(tmp_path.glob("posthog-lsp/codegen-*.marshal")))
    sources = [code.co_filename for code in saved.codes.values()]
    assert any("LateRequest" in name and "structure" in name for name in sources)  # cattrs, after fast_imports
    assert any("LateRequest" in name and "methods" in name for name in sources)  # attrs, after fast_imports


def test_the_server_imports_nothing_initialize_does_not_need() -> None:
    """Start-up stays fast: pydantic, MCP, the agent, file watching and gitignore matching load later, if ever."""
    script = (
        "import sys\n"
        "from lsp_server.startup_cache import fast_imports\n"
        "with fast_imports():\n"
        "    import lsp_server.server\n"
        "lsp_server.server.create_server()\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "POSTHOG_LSP_NO_STARTUP_CACHE": "1"})
    loaded = set(run.stdout.split())
    assert "lsp_server.server" in loaded, run.stderr
    for heavy in ("pydantic", "pydantic_core", "mcp", "anthropic", "watchdog", "posthog", "httpx", "pathspec", "re2",
                  "lsp_server.agent", "lsp_server.guidance", "lsp_server.mcp_server"):
        assert heavy not in loaded, f"{heavy} is imported before the server can answer initialize"
