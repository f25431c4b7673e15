"""Faster language-server start-up: attrs/cattrs/dataclasses code generation is compiled once, cached on disk.

What the user sees: the server answers `initialize` sooner (~170 ms of CPU less from the second start on),
and no keystroke waits on a full garbage collection of the objects every import created.
lsprotocol defines ~570 attrs classes, and attrs compiles an `__init__`, `__eq__`, ... source for each at
import (~170 ms of the server's ~600 ms imports). The generated sources are identical from run to run, so
their code objects are kept in `~/.cache/posthog-lsp/` (marshal, one file per interpreter, keyed by a hash of
each source). Any problem with the cache (unwritable, corrupt, other versions) just means
compiling as usual. The same holds for the `__init__`, `__eq__`, ... that `dataclasses` generates while the
server is imported (~50 classes, ~25 ms), and for the cattrs (un)structure functions generated while the server
runs (`initialize` alone needs ~50), which are saved when it exits.
While the server is imported, attrs also builds lsprotocol's classes without two costs that change nothing for them
(`lean_attrs`: ~8% of the start-up's CPU, ~10 MB).
"""

from __future__ import annotations  # same compiler flags as attr._make and cattrs.gen, whose sources we compile

import atexit
import builtins
import gc
import logging
import marshal
import os
import sys
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

try:
    from _blake2 import blake2b  # what hashlib.blake2b is, without loading OpenSSL's _hashlib (~3 ms)
except ImportError:  # another interpreter
    from hashlib import blake2b

log = logging.getLogger(__name__)
_PATCHED = ("attr._make", "cattrs.gen", "cattrs.gen.typeddicts")  # modules whose `compile` the cache replaces
_EXEC_PATCHED = ("dataclasses",)  # modules whose `exec` of a generated source the cache replaces
_NAMESPACE_NOT_COPIED = frozenset({"lsprotocol.types"})  # see `lean_attrs`
_MAX_ENTRIES = 4000  # ~2.5 versions' worth of lsprotocol: beyond that, start over rather than grow forever
_active: list[CompileCache] = []  # installed caches, saved at exit
_WORTH_SAVING = 16  # a few sources differ every run (attrs salts frozen classes' __hash__): never rewrite for those


class CompileCache:
    """Stands in for `compile` inside attrs/cattrs; `save()` writes new code objects back to disk.

    The file maps each key to its code object marshalled on its own: a start-up unmarshals only the ~2/3 it uses."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.codes: dict[bytes, CodeType | bytes] = {}  # bytes: not unmarshalled yet
        self.added = 0
        if path is not None:
            try:
                loaded = marshal.loads(path.read_bytes())
                if isinstance(loaded, dict) and len(loaded) <= _MAX_ENTRIES:
                    self.codes = loaded
            except (OSError, ValueError, EOFError, TypeError):
                pass  # no cache yet, or one from another interpreter: compile as usual

    def __call__(self, source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, str) or not isinstance(filename, str):
            return builtins.compile(source, filename, mode, *args, **kwargs)
        return self._code(source, filename, mode, inherit=True)

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        """Stands in for `exec` inside dataclasses, which runs a generated source string per method."""
        if isinstance(source, str):  # compiled as exec(str) there would: without our __future__ flags
            source = self._code(source, "<string>", "exec", inherit=False)
        builtins.exec(source, globals, locals)

    def _code(self, source: str, filename: str, mode: str, inherit: bool) -> CodeType:
        tag = mode if inherit else f"{mode}/plain"
        key = blake2b(f"{tag}\0{filename}\0{source}".encode("utf-8", "surrogatepass"), digest_size=16).digest()
        code = self.codes.get(key)
        if code.__class__ is bytes:
            try:
                code = self.codes[key] = marshal.loads(code)  # type: ignore[arg-type]
            except (ValueError, EOFError, TypeError):
                code = None
        if not isinstance(code, CodeType):
            code = builtins.compile(source, filename, mode) if inherit else builtins.compile(
                source, filename, mode, dont_inherit=True)
            self.codes[key] = code
            self.added += 1
        return code

    def save(self) -> None:
        if self.path is None or self.added < _WORTH_SAVING:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            entries = {key: v if isinstance(v, bytes) else marshal.dumps(v) for key, v in self.codes.items()}
            tmp.write_bytes(marshal.dumps(entries))
            os.replace(tmp, self.path)  # atomic: a concurrent start-up reads the old or the new file, never half
            self.added = 0
        except (OSError, ValueError, RuntimeError):
            log.debug("start-up cache not written to %s", self.path)


def cache_path() -> Path:
    """Where the code objects live: one file per interpreter (marshal is interpreter-specific). Entries are keyed
    by their source, so a new attrs or lsprotocol version only adds entries (and a full file starts over)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # "codegen2": entries marshalled one by one (an older server reading them would fail to exec them)
    return Path(base) / "posthog-lsp" / f"codegen2-{sys.implementation.cache_tag or 'python'}.marshal"


def install() -> CompileCache | None:
    """Route attrs', cattrs' and dataclasses' code generation through the cache. Call before lsprotocol is
    imported; new code objects are saved again when the process exits."""
    if os.environ.get("POSTHOG_LSP_NO_STARTUP_CACHE"):
        return None
    try:
        cache = CompileCache(cache_path())
        for name in _PATCHED:
            module: ModuleType = __import__(name, fromlist=["_"])
            module.compile = cache  # type: ignore[attr-defined]  # shadows the builtin for that module only
        for name in _EXEC_PATCHED:
            module = __import__(name, fromlist=["_"])
            module.exec = cache.exec  # type: ignore[attr-defined]
    except Exception:  # never a reason not to start
        log.debug("start-up cache unavailable", exc_info=True)
        uninstall()
        return None
    atexit.register(cache.save)  # structure hooks cattrs generates for requests: the next start finds them
    _active.append(cache)
    return cache


def uninstall() -> None:
    """Give attrs, cattrs and dataclasses their builtins back (tests, or a failed install)."""
    while _active:
        atexit.unregister(_active.pop().save)
    for name in _PATCHED:
        module = sys.modules.get(name)
        if module is not None:
            vars(module).pop("compile", None)
    _end_start_up()


def _end_start_up() -> None:
    """What only start-up imports use goes back to normal (dataclasses made later, by MCP or the agent, and attrs
    classes are not start-up: keep the file small, and attrs as it ships)."""
    for name in _EXEC_PATCHED:
        module = sys.modules.get(name)
        if module is not None:
            vars(module).pop("exec", None)
    _attrs_as_shipped()


def _attrs_as_shipped() -> None:
    while _restore:
        module, attribute, original = _restore.pop()
        setattr(module, attribute, original)


_restore: list[tuple[ModuleType, str, Any]] = []  # (module, attribute, original) that `lean_attrs` replaced


class _ModulesView(Mapping[str, ModuleType]):
    """`sys.modules` without the modules in `hidden`."""

    def __init__(self, hidden: frozenset[str]) -> None:
        self.hidden = hidden

    def __getitem__(self, name: str) -> ModuleType:
        if name in self.hidden:
            raise KeyError(name)
        return sys.modules[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in list(sys.modules) if name not in self.hidden)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _SysView:
    """`sys` as attrs' class builder sees it while the server is imported: `modules` hides `hidden`."""

    def __init__(self, hidden: frozenset[str]) -> None:
        self.modules = _ModulesView(hidden)

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


def _quick_is_class_var(original: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """attrs' `_is_class_var(annotation)` (does `str(annotation)` start with ClassVar?) without `str()`, a recursive
    typing repr, where the answer is known: plain classes ("<class ...>") and typing aliases named "typing.<name>[...]"
    or "typing.<special form>[...]". Anything else asks attrs."""
    special_form, class_var = typing._SpecialForm, typing.ClassVar  # type: ignore[attr-defined]
    named_reprs = {typing._GenericAlias.__repr__, typing._UnionGenericAlias.__repr__}  # type: ignore[attr-defined]

    def is_class_var(annotation: Any) -> bool:
        kind = annotation.__class__
        if kind is type:
            return False
        if kind.__repr__ in named_reprs:
            name, origin = annotation._name, annotation.__origin__
            if name and not name.startswith("ClassVar"):
                return False
            if not name and isinstance(origin, special_form) and origin is not class_var:
                return False
        return original(annotation)

    return is_class_var


def lean_attrs() -> None:
    """Until `fast_imports` ends, attrs builds classes without two costs that change nothing for lsprotocol's ~550:
    it copies the whole namespace of a class's module into the globals of its generated `__init__` (so that
    `typing.get_type_hints(cls.__init__)` can resolve quoted names; nothing asks that of lsprotocol's classes, and the
    copies grow with the module: quadratic), and it renders each annotation as a string to spot ClassVar."""
    import attr._make as make

    replacements = {"sys": _SysView(_NAMESPACE_NOT_COPIED), "_is_class_var": _quick_is_class_var(make._is_class_var)}
    for attribute, replacement in replacements.items():
        _restore.append((make, attribute, getattr(make, attribute)))
        setattr(make, attribute, replacement)


@contextmanager
def fast_imports() -> Iterator[None]:
    """Import the server inside this: cached code generation, no garbage collection while ~1M objects that live
    forever are created, and those objects frozen afterwards so later collections (between keystrokes) skip them."""
    enabled = gc.isenabled()
    gc.disable()
    cache = install()
    if cache is not None:
        try:
            lean_attrs()
        except Exception:  # attrs as it ships: slower, never a reason not to start
            log.debug("lean attrs unavailable", exc_info=True)
            _attrs_as_shipped()
    try:
        yield
    finally:
        if cache is not None:
            cache.save()
        _end_start_up()
        if enabled:
            gc.enable()
        gc.freeze()
