"""The language server's start-up cache: attrs classes built from cached code behave exactly as compiled ones."""

from __future__ import annotations

import gc
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
    finally:
        gc.unfreeze()
        for name in startup_cache._PATCHED:  # later tests compile with the builtin again
            module = __import__(name, fromlist=["_"])
            if "compile" in vars(module):
                delattr(module, "compile")
