"""The byte-level prefilter that decides which files a workspace scan parses at all.

The pattern comes from the flow vocabulary (`vocabulary.load().prefilter`) or, until that exists, from
`skills/detection/flows.toml`. Python's `re` is slow on a large case-insensitive alternation (~30 s for 50 MB),
so the pattern runs on RE2 when `google-re2` is installed (~0.2 s), else on lowercased bytes (~1-3 s).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from ..skills import load_detection_toml

log = logging.getLogger(__name__)
_RE2_MAX_MEM = 64 << 20  # a few hundred alternatives need more DFA memory than RE2's 8 MB default


@cache
def _re2_module() -> Any:
    """google-re2, the optional linear-time accelerator; imported at the first prefilter, not at server start-up."""
    try:
        import re2
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return re2


class Prefilter:
    """`search(data)`: could these raw file bytes hold a flow or PostHog usage? False means "skip the file"."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.engine, self._search = _build(pattern, flags)
        self.covers_posthog = self._search(b"posthog") and self._search(b"PostHog")

    def search(self, data: bytes) -> bool:
        return self._search(data)


def _build(pattern: str, flags: int) -> tuple[str, Callable[[bytes], bool]]:
    ignore_case = bool(flags & re.IGNORECASE)
    _re2 = _re2_module()
    if _re2 is not None and not flags & re.VERBOSE:
        options = _re2.Options()
        options.log_errors = False
        options.max_mem = _RE2_MAX_MEM
        options.case_sensitive = not ignore_case
        inline = "m" * bool(flags & re.MULTILINE) + "s" * bool(flags & re.DOTALL)
        try:
            compiled = _re2.compile(f"(?{inline}){pattern}" if inline else pattern, options)
            return "re2", _re2_search(_re2, compiled)
        except Exception:  # lookarounds, backreferences: fall through to Python's re
            log.debug("prefilter not RE2-compatible; using re")
    py_flags = flags & (re.MULTILINE | re.DOTALL | re.VERBOSE)
    try:
        if ignore_case:  # matching lowercased bytes against a lowercased pattern is ~20x faster than re.I
            lowered = re.compile(_lower_pattern(pattern).encode("utf-8"), py_flags)
            return "re-lower", lambda data: lowered.search(data.lower()) is not None
        plain = re.compile(pattern.encode("utf-8"), py_flags)
        return "re", lambda data: plain.search(data) is not None
    except (re.error, UnicodeError):
        text_re = re.compile(pattern, flags)
        return "re-text", lambda data: text_re.search(data.decode("utf-8", "replace")) is not None


def _re2_search(_re2: Any, compiled: Any) -> Callable[[bytes], bool]:
    """`compiled.search(data) is not None` without the wrapper's generator and match object per call (~2 µs of
    each file's ~10 µs on 10k files). Falls back to the public API if the binding's internals differ."""
    public: Callable[[bytes], bool] = lambda data: compiled.search(data) is not None  # noqa: E731
    try:
        match, anchor = compiled._regexp.Match, _re2._Anchor.UNANCHORED

        def direct(data: bytes) -> bool:
            return match(anchor, data, 0, len(data))[0][0] >= 0

        probes = (b"", b"posthog", b"PostHog", b"\x00\xff", b"sign in", b"logout()")
        if all(direct(probe) == public(probe) for probe in probes):
            return direct
    except Exception:  # another google-re2 version: the public API is still right
        log.debug("re2 internals differ; using re2.search")
    return public


def _lower_pattern(pattern: str) -> str:
    """Lowercase a regex's literals but not its escapes (`\\S` stays `\\S`) and drop leading (?i)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(ch.lower())
        i += 1
    return re.sub(r"^\(\?i\)", "", "".join(out))


@cache
def default_prefilter() -> Prefilter:
    """The flow vocabulary's prefilter, or the built-in one while that is not available."""
    try:
        from . import vocabulary  # type: ignore[attr-defined]  # the flow detector's loader

        pattern = vocabulary.load().prefilter
        if isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str):
            return Prefilter(pattern.pattern, pattern.flags & ~re.UNICODE)
    except Exception:
        log.debug("flow vocabulary prefilter unavailable; using flows.toml words")
    return Prefilter(fallback_pattern(), re.IGNORECASE)


def fallback_pattern() -> str:
    """'posthog' or a key literal, plus every flow name, call and webhook type listed in flows.toml."""
    words: set[str] = {"posthog", "phc_"}
    data: dict[str, Any] = load_detection_toml("flows.toml")
    for kind in (data.get("kinds") or {}).values():
        if isinstance(kind, dict):
            words.update(n for n in kind.get("names", []) if isinstance(n, str))
    words.update(k for k in (data.get("webhooks") or {}) if isinstance(k, str))
    for call in data.get("calls") or []:
        callees = call.get("callee", []) if isinstance(call, dict) else []
        words.update(c for c in callees if isinstance(c, str) and _distinctive(c))
    return "|".join(sorted({_phrase(w) for w in words if w.strip()}, key=len, reverse=True))


def _distinctive(callee: str) -> bool:
    """`auth.signUp`, `signOut`, `delete_user` narrow the files down; a bare `remove` or `update` does not."""
    return len(callee) >= 6 and ("." in callee or "_" in callee or callee != callee.lower())


def _phrase(words: str) -> str:
    """'sign in' → sign[\\s_.-]?in (matches signIn, sign_in, sign-in, signin)."""
    return r"[\s_.-]?".join(re.escape(w) for w in words.split())
