"""The one check for whether a path is in scope, shared by every walker (scan, LSP, MCP, agent).

Out of scope: anything outside the root (symlinks are not followed out of it), .gitignore'd paths (every
level, plus .git/info/exclude), dependency folders, virtualenvs, build output and caches, minified or
generated files, and the user's own excludes (gitignore syntax, relative to the root). The built-in lists
are data in `skills/detection/scope.toml`.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

from ..skills import load_detection_toml

log = logging.getLogger(__name__)

_COMMENT_LINE = re.compile(r"^\s*(?://|#|/\*|\*|<!--|--|;)")
_NAME = attrgetter("name")
_BRACKETS = re.compile(r"\[[^\]]*\]")  # a glob character class: matches one unknown character
_GLOB_SPLIT = re.compile(r"[*?/]")


@dataclass(frozen=True, slots=True)
class ScopeRules:
    """The built-in exclusion vocabulary from scope.toml."""

    dir_names: frozenset[str]
    dir_globs: _NameGlobs | None
    dir_markers: frozenset[str]
    file_globs: _NameGlobs | None
    generated: _AnyOf
    head_lines: int = 5
    sample_bytes: int = 8192
    min_sample_bytes: int = 2048
    max_average_line: int = 400


def _strings(value: object, default: list[str] | None = None) -> list[str]:
    if not isinstance(value, list):
        return default or []
    return [v for v in value if isinstance(v, str) and v]


def _globs(patterns: Iterable[str]) -> _NameGlobs | None:
    globs = [p for p in patterns if isinstance(p, str) and p]
    return _NameGlobs(globs) if globs else None


class _NameGlobs:
    """`match(name)`: does `name` match any of these globs (fnmatch, case-sensitive)? Asked for every file a walk
    sees, so `*.min.js` is a `str.endswith`, `*.generated.*` a substring test, and only other globs use a regex."""

    def __init__(self, globs: list[str]) -> None:
        def literal(part: str) -> bool:
            return not any(c in part for c in "*?[")

        suffix_globs = [g for g in globs if g[:1] == "*" and literal(g[1:])]
        infix_globs = [g for g in globs if len(g) > 2 and g[0] == g[-1] == "*" and literal(g[1:-1])]
        self.suffixes = tuple(g[1:] for g in suffix_globs)
        self.infixes = tuple(g[1:-1] for g in infix_globs)
        rest = [g for g in globs if g not in suffix_globs and g not in infix_globs]
        self._regex = re.compile("|".join(fnmatch.translate(g) for g in rest)).match if rest else None

    def match(self, name: str) -> bool:
        return (
            name.endswith(self.suffixes)
            or any(infix in name for infix in self.infixes)
            or (self._regex is not None and self._regex(name) is not None)
        )


class _AnyOf:
    """A `search` over several regexes (each marker keeps its own inline flags, e.g. (?i))."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns: list[re.Pattern[str]] = []
        for pattern in patterns:
            try:
                self.patterns.append(re.compile(pattern))
            except (re.error, TypeError):
                log.warning("scope.toml: ignoring invalid marker %r", pattern)

    def search(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@cache
def load_rules() -> ScopeRules:
    """Read skills/detection/scope.toml; a missing or broken file leaves only the essentials out."""
    data = load_detection_toml("scope.toml")
    dirs, files, content = data.get("dirs", {}), data.get("files", {}), data.get("content", {})

    def num(key: str, default: int) -> int:
        value = content.get(key, default)
        return value if isinstance(value, int) and value > 0 else default

    return ScopeRules(
        dir_names=frozenset(_strings(dirs.get("names"), ["node_modules", ".git", ".venv", "__pycache__"])),
        dir_globs=_globs(_strings(dirs.get("globs"))),
        dir_markers=frozenset(_strings(dirs.get("markers"), ["pyvenv.cfg"])),
        file_globs=_globs(_strings(files.get("globs"))),
        generated=_AnyOf(_strings(content.get("generated_markers"))),
        head_lines=num("head_lines", 5),
        sample_bytes=num("sample_bytes", 8192),
        min_sample_bytes=num("min_sample_bytes", 2048),
        max_average_line=num("max_average_line", 400),
    )


def content_reason(data: bytes, rules: ScopeRules | None = None) -> str | None:
    """Why these file contents are out of scope ("generated", "minified"), or None. Looks at the head only."""
    rules = rules or load_rules()
    sample = data[: rules.sample_bytes]
    if len(sample) >= rules.min_sample_bytes and len(sample) / (sample.count(b"\n") + 1) > rules.max_average_line:
        return "minified"
    if rules.generated.patterns:
        head = sample[:4096].decode("utf-8", "replace").split("\n", rules.head_lines)[: rules.head_lines]
        if any(_COMMENT_LINE.match(line) and rules.generated.search(line) for line in head):
            return "generated"
    return None


class Scope:
    """Decides what a workspace root contains for analysis. Build once per root; cheap to query."""

    def __init__(self, root: Path | str, excludes: Iterable[str] = (), rules: ScopeRules | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self._root_str = str(self.root)
        self.excludes = [e for e in excludes if isinstance(e, str) and e.strip()]
        self.rules = rules or load_rules()
        valid = [e for e in self.excludes if _valid_pattern(e)]  # a typo in a setting must not break the scope
        self._user = _Ignore(valid) if valid else None
        self._ignore_files: dict[str, _Ignore | None] = {}  # folder (rel) → its .gitignore
        self._chains: dict[str, tuple[tuple[str, _Ignore], ...]] = {}
        self._dir_reasons: dict[str, str | None] = {}

    # -- paths ---------------------------------------------------------------------------------------

    def relative(self, path: Path | str) -> str | None:
        """`path` (absolute, or relative to the root) as a '/' path relative to the root; None if outside.

        Symlinks are resolved first, so a link pointing out of the root is outside.
        """
        full = os.path.realpath(os.path.join(self._root_str, os.fspath(path)))
        if full == self._root_str:
            return ""
        if not full.startswith(self._root_str + os.sep):
            return None
        return full[len(self._root_str) + 1 :].replace(os.sep, "/")

    def in_scope(self, path: Path | str) -> bool:
        """True when analysis should look at `path` (a file or a folder)."""
        return self.why_excluded(path) is None

    def why_excluded(self, path: Path | str) -> str | None:
        """A short reason `path` is out of scope ("gitignored: dist/", "node_modules", ...), or None."""
        rel = self.relative(path)
        if rel is None:
            return "outside the workspace root"
        if rel == "":
            return None
        full = os.path.join(self._root_str, rel)
        parts = rel.split("/")
        for i in range(1, len(parts)):
            reason = self._dir_reason("/".join(parts[:i]))
            if reason:
                return reason
        if os.path.isdir(full):
            return self._dir_reason(rel)
        reason = self._file_reason(rel, parts[-1])
        if reason is None:
            try:
                with open(full, "rb") as handle:
                    reason = content_reason(handle.read(self.rules.sample_bytes), self.rules)
            except OSError:
                pass  # unreadable or not yet on disk: judge by name only
        return reason

    # -- walking -------------------------------------------------------------------------------------

    def walk(self) -> Iterator[Path]:
        """Every in-scope file under the root, in a stable order; excluded folders are never entered."""
        for _rel, full in self.walk_files(check_content=True):
            yield Path(full)

    def walk_files(self, check_content: bool = False) -> Iterator[tuple[str, str]]:
        """(relative '/' path, absolute path) of in-scope files. Content checks are opt-in so a caller
        that reads the bytes anyway can apply `content_reason` itself."""
        stack: list[str] = [""]
        while stack:
            rel_dir = stack.pop()
            abs_dir = os.path.join(self._root_str, rel_dir) if rel_dir else self._root_str
            try:
                with os.scandir(abs_dir) as it:
                    entries = sorted(it, key=_NAME)
            except OSError:
                continue
            names = {e.name for e in entries}
            if rel_dir and not names.isdisjoint(self.rules.dir_markers):
                self._dir_reasons[rel_dir] = "virtualenv"
                continue
            if rel_dir not in self._ignore_files:
                self._ignore_files[rel_dir] = (
                    self._load_ignore(rel_dir) if ".gitignore" in names or not rel_dir else None
                )
            prefix = f"{rel_dir}/" if rel_dir else ""
            file_globs = self.rules.file_globs
            subdirs: list[str] = []
            files: list[tuple[str, str]] = []
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_symlink():
                        if not self._link_inside(entry.path) or entry.is_dir():
                            continue  # never follow links out of the root; linked folders are walked where they live
                    elif entry.is_dir():
                        if self._dir_reason(prefix + name, check_marker=False) is None:
                            subdirs.append(prefix + name)
                        continue
                    elif not entry.is_file():
                        continue
                except OSError:
                    continue
                if file_globs is None or not file_globs.match(name):
                    files.append((prefix + name, entry.path))
            chain = self._chain(rel_dir)
            if files and (chain or self._user is not None) and self._may_ignore(chain, [rel for rel, _ in files]):
                files = [f for f in files if self._pattern_reason(f[0], is_dir=False, chain=chain) is None]
            for rel, full in files:
                if check_content and self._content_excluded(full):
                    continue
                yield rel, full
            stack.extend(reversed(subdirs))

    # -- rules ---------------------------------------------------------------------------------------

    def _link_inside(self, full: str) -> bool:
        target = os.path.realpath(full)
        return target.startswith(self._root_str + os.sep)

    def _content_excluded(self, full: str) -> bool:
        try:
            with open(full, "rb") as handle:
                return content_reason(handle.read(self.rules.sample_bytes), self.rules) is not None
        except OSError:
            return True

    def _dir_reason(self, rel: str, check_marker: bool = True) -> str | None:
        if rel in self._dir_reasons:
            return self._dir_reasons[rel]
        name = rel.rsplit("/", 1)[-1]
        reason: str | None = None
        if name in self.rules.dir_names or (self.rules.dir_globs and self.rules.dir_globs.match(name)):
            reason = name
        elif check_marker and any(os.path.exists(os.path.join(self._root_str, rel, m)) for m in self.rules.dir_markers):
            reason = "virtualenv"
        else:
            reason = self._pattern_reason(rel, is_dir=True)
        if check_marker or reason is not None:
            self._dir_reasons[rel] = reason  # a walk checks markers on entry, so cache only final verdicts
        return reason

    def _file_reason(self, rel: str, name: str) -> str | None:
        if self.rules.file_globs and self.rules.file_globs.match(name):
            return "minified or generated (by name)"
        return self._pattern_reason(rel, is_dir=False)

    def _pattern_reason(
        self, rel: str, is_dir: bool, chain: tuple[tuple[str, _Ignore], ...] | None = None
    ) -> str | None:
        if self._user is not None and self._user.verdict(rel + "/" if is_dir else rel):
            return "excluded by settings"
        if chain is None:
            chain = self._chain(rel.rsplit("/", 1)[0] if "/" in rel else "")
        for base, ignore in chain:
            sub = rel[len(base) + 1 :] if base else rel
            verdict = ignore.verdict(sub + "/" if is_dir else sub)
            if verdict is not None:  # the deepest .gitignore with a matching pattern decides
                return f"gitignored ({base or '.'}/.gitignore)" if verdict else None
        return None

    def _may_ignore(self, chain: tuple[tuple[str, _Ignore], ...], rels: list[str]) -> bool:
        """False when no user exclude and no .gitignore pattern can match any of these files (one folder's):
        one test per folder instead of one pattern check per file."""
        if self._user is not None and self._user.may_match("\n".join(rels)):
            return True
        for base, ignore in chain:
            cut = len(base) + 1 if base else 0
            if ignore.may_match("\n".join(rel[cut:] for rel in rels)):
                return True
        return False

    def _chain(self, rel_dir: str) -> tuple[tuple[str, _Ignore], ...]:
        """The .gitignore specs that apply inside `rel_dir`, deepest first."""
        chain = self._chains.get(rel_dir)
        if chain is None:
            own = self._ignore_file(rel_dir)
            parent = () if rel_dir == "" else self._chain(rel_dir.rsplit("/", 1)[0] if "/" in rel_dir else "")
            chain = ((rel_dir, own), *parent) if own is not None else parent
            self._chains[rel_dir] = chain
        return chain

    def _ignore_file(self, rel_dir: str) -> _Ignore | None:
        if rel_dir not in self._ignore_files:
            self._ignore_files[rel_dir] = self._load_ignore(rel_dir)
        return self._ignore_files[rel_dir]

    def _load_ignore(self, rel_dir: str) -> _Ignore | None:
        folder = os.path.join(self._root_str, rel_dir)
        lines: list[str] = []
        sources = [os.path.join(folder, ".gitignore")]
        if rel_dir == "":
            sources.insert(0, os.path.join(folder, ".git", "info", "exclude"))  # lowest priority
        for source in sources:
            try:
                with open(source, encoding="utf-8", errors="replace") as handle:
                    lines.extend(handle.read().splitlines())
            except OSError:
                continue
        return _Ignore(lines) if lines else None


class _Ignore:
    """One .gitignore (or the user's excludes). Most paths contain none of its patterns' literal text, which a
    substring test shows: pathspec is imported and the patterns compiled only for a path that might match."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.needles = _needles(lines)  # None: some pattern has no literal text, any path might match
        self._spec: GitIgnoreSpec | None = None

    def may_match(self, paths: str) -> bool:
        """False when no pattern matches any of these paths (newline-joined); True when one might."""
        return self.needles is None or any(needle in paths for needle in self.needles)

    def verdict(self, path: str) -> bool | None:
        """True ignored, False re-included (a `!` pattern), None no pattern matches (the last match decides)."""
        return _verdict(self.spec, path) if self.may_match(path) else None

    @property
    def spec(self) -> GitIgnoreSpec:
        if self._spec is None:
            try:
                self._spec = _spec(self.lines)
            except Exception:  # a malformed pattern costs that line only, never the scope
                self._spec = _spec([line for line in self.lines if _valid_pattern(line)])
        return self._spec


def _needles(lines: list[str]) -> tuple[str, ...] | None:
    """For each pattern, text that every path it matches contains (its longest literal run), or None when some
    pattern has none (`*`, `[ab]`) or uses escapes. Comments and blank lines match nothing."""
    needles: list[str] = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        text = line.strip().removeprefix("!")  # a re-include matches like any pattern
        if "\\" in text:
            return None
        text = _BRACKETS.sub("*", text)
        if "[" in text or "]" in text:
            return None
        chunks = [chunk for chunk in _GLOB_SPLIT.split(text) if chunk]
        if not chunks:
            return None
        needles.append(max(chunks, key=len))
    return tuple(dict.fromkeys(needles))


def _spec(lines: Iterable[str]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec  # ~12 ms of imports: paid when a scope is first built, not at server start

    return GitIgnoreSpec.from_lines(lines)


def _verdict(spec: GitIgnoreSpec, path: str) -> bool | None:
    """The spec's last matching pattern: True ignored, False re-included, None no pattern matches."""
    try:
        return spec.check_file(path).include
    except UnicodeError:  # a file name that is not UTF-8 (kept as surrogates) must not stop the walk: match it readably
        return spec.check_file(path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")).include


def _valid_pattern(line: str) -> bool:
    try:
        _spec([line])
        return True
    except Exception:
        return False
