"""The language server's start-up cache: attrs classes and dataclasses built from cached code behave exactly as
compiled ones, and what the server generates after start-up is kept for the next start."""

from __future__ import annotations

import dataclasses
import gc
import inspect
import json
import marshal
import os
import subprocess
import sys
import typing
from pathlib import Path

import attr._make
import attrs
import pytest
import typing_extensions

from lsp_server import startup_cache
from lsp_server.startup_cache import CompileCache

ORIGINAL_IS_CLASS_VAR = attr._make._is_class_var


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
        # attrs builds later classes as it ships
        assert attr._make.sys is sys and attr._make._is_class_var is ORIGINAL_IS_CLASS_VAR
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
    saved = CompileCache(next(tmp_path.glob("posthog-lsp/*.marshal")))
    sources = [marshal.loads(entry).co_filename for entry in saved.codes.values()]  # as saved: each on its own
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
                  "lsp_server.agent", "lsp_server.guidance", "lsp_server.mcp_server",
                  # the detectors and the edit planner load right after `initialize` is answered
                  "lsp_server.analysis.document", "lsp_server.analysis.flows", "lsp_server.analysis.scan",
                  "lsp_server.analysis.workspace", "lsp_server.edits.planner", "lsp_server.edits.fixes",
                  "tree_sitter", "tomllib", "hashlib"):
        assert heavy not in loaded, f"{heavy} is imported before the server can answer initialize"


_LSPROTOCOL_FINGERPRINT = """
import inspect, json, os, sys
if os.environ.get("FAST_IMPORTS"):
    from lsp_server.startup_cache import fast_imports
    with fast_imports():
        import lsprotocol.types as T
else:
    import lsprotocol.types as T
import attrs
from lsprotocol.converters import get_converter

classes = {}
for name, cls in sorted(T.ALL_TYPES_MAP.items()):
    if isinstance(cls, type) and attrs.has(cls):
        fields = [(a.name, repr(a.type), repr(a.default), a.kw_only, a.eq, a.init, a.alias) for a in attrs.fields(cls)]
        classes[name] = [cls.__slots__, fields, str(inspect.signature(cls)), sorted(vars(cls))]
converter = get_converter()
result = T.InitializeResult(
    capabilities=T.ServerCapabilities(
        text_document_sync=T.TextDocumentSyncKind.Incremental,
        code_action_provider=T.CodeActionOptions(code_action_kinds=["quickfix"], resolve_provider=True)),
    server_info=T.ServerInfo(name="posthog-lsp", version="1"))
raw = converter.unstructure(result)
try:
    T.Position(line=-1, character=0)
    validated = False
except ValueError:
    validated = True
def diagnostic():
    return T.Diagnostic(range=T.Range(T.Position(1, 2), T.Position(1, 5)), message="m", code="c")
print(json.dumps({"classes": classes, "raw": raw, "structured": repr(converter.structure(raw, T.InitializeResult)),
                  "validated": validated, "repr": repr(diagnostic()), "eq": diagnostic() == diagnostic()}))
"""


def test_lsprotocol_types_built_at_start_up_are_the_ones_a_plain_import_builds(tmp_path: Path) -> None:
    """The faster class building (cached code, lean attrs) changes no field, slot, signature, method or round trip."""
    env = {k: v for k, v in os.environ.items() if k != "POSTHOG_LSP_NO_STARTUP_CACHE"}
    outputs = []
    for fast in ("", "1", "1"):  # plain; fast with a cold cache; fast with the cache the previous run wrote
        run = subprocess.run([sys.executable, "-c", _LSPROTOCOL_FINGERPRINT], capture_output=True, text=True,
                             timeout=120, env={**env, "FAST_IMPORTS": fast, "XDG_CACHE_HOME": str(tmp_path)})
        assert run.returncode == 0, run.stderr
        outputs.append(json.loads(run.stdout))
    plain, cold, warm = outputs
    assert len(plain["classes"]) > 500 and "posthog-lsp" in plain["structured"] and plain["validated"] and plain["eq"]
    assert cold == plain and warm == plain


def test_the_quick_class_var_check_answers_as_attrs_does() -> None:
    """Every annotation lsprotocol declares, and the ClassVar spellings attrs recognises, get attrs' own answer."""
    import lsprotocol.types as lsp_types

    class ClassVarLike(typing.Generic[typing.TypeVar("T")]):
        pass

    quick = startup_cache._quick_is_class_var(ORIGINAL_IS_CLASS_VAR)
    annotations: list[object] = [  # typing's own spellings on purpose: lsprotocol uses them
        typing.ClassVar[int], typing.ClassVar, typing_extensions.ClassVar[str], "ClassVar[int]", "typing.ClassVar[int]",
        "'t.ClassVar[int]'", typing.Optional[int], typing.Union[int, str], typing.Literal["ClassVar"],  # noqa: UP007, UP045
        typing.List[int], typing.Annotated[typing.ClassVar[int], "x"], ClassVarLike[int],  # noqa: UP006
        int, list[int], int | None, None, "int",
    ]
    for cls in vars(lsp_types).values():
        if isinstance(cls, type) and attrs.has(cls):
            annotations += [a for klass in cls.__mro__ for a in vars(klass).get("__annotations__", {}).values()]
    assert len(annotations) > 1000
    assert [quick(a) for a in annotations] == [ORIGINAL_IS_CLASS_VAR(a) for a in annotations]
    assert sum(map(quick, annotations)) >= 6  # the ClassVar spellings above are recognised
