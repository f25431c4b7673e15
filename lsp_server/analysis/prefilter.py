"""The byte-level prefilter that decides which files a workspace scan parses at all.

The pattern comes from the flow vocabulary (`vocabulary.load().prefilter_source`, built by `token_pattern`: flow
words on identifier-token boundaries, so `catalogInventory` does not pass for "logIn") or, until that exists, from
`skills/detection/flows.toml`. It runs on RE2 (`google-re2`, ~0.1 s for 50 MB). Python's `re` is slow on a large
alternation (~100 s for 50 MB), so without RE2 a coarse pattern (the same words anywhere, `coarse_pattern`) runs
on lowercased bytes first (~6 s) and the exact one only where that matched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
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

    def __init__(self, pattern: str, flags: int = 0, coarse: str | None = None) -> None:
        """`coarse`: a pattern for lowercased bytes matching wherever `pattern` can match, at the same start or the
        next byte (what `coarse_pattern` builds): lets Python's re skip most text when RE2 is missing."""
        self.pattern, self.flags = pattern, flags
        self.engine, self._search = _build(pattern, flags, coarse)
        self.covers_posthog = self._search(b"posthog") and self._search(b"PostHog")

    def search(self, data: bytes) -> bool:
        return self._search(data)


@cache
def prefilter_for(pattern: str, coarse: str | None = None) -> Prefilter:
    """One compiled prefilter per pattern (the scan's and the vocabulary's checks share it)."""
    return Prefilter(pattern, 0, coarse)


class PrefilterSet:
    """Several prefilters in one pass over the bytes: `search(data)` → the indices of those that match.

    A workspace scan asks two questions of every file (could it hold a flow? does it register routes?): RE2's
    multi-pattern set answers both in one DFA pass (~0.1 s of CPU less on 10k files). Without RE2, each prefilter
    searches on its own."""

    def __init__(self, prefilters: list[Prefilter]) -> None:
        self.prefilters = prefilters
        self.search: Callable[[bytes], tuple[int, ...]] = self._one_by_one
        self.engine = "separate"
        _re2 = _re2_module()
        if _re2 is None or not prefilters or any(p.engine != "re2" or p.flags for p in prefilters):
            return
        try:
            options = _re2.Options()
            options.log_errors = False
            options.max_mem = _RE2_MAX_MEM
            patterns = _re2.Set.SearchSet(options)
            for prefilter in prefilters:
                patterns.Add(prefilter.pattern)
            patterns.Compile()
            match = patterns._set.Match  # the list of indices, without the wrapper's `or None`

            def together(data: bytes) -> tuple[int, ...]:
                return tuple(sorted(match(data)))

            probes = (b"", b"posthog", b"\x00\xff", b"export function handleLogin(req, res) {}", b"@app.post('/x')")
            if all(together(probe) == self._one_by_one(probe) for probe in probes):
                self.search, self.engine = together, "re2-set"
        except Exception:  # another google-re2 version: one search per prefilter is still right
            log.debug("RE2 set unavailable; searching each prefilter")

    def _one_by_one(self, data: bytes) -> tuple[int, ...]:
        return tuple(i for i, prefilter in enumerate(self.prefilters) if prefilter.search(data))


def _build(pattern: str, flags: int, coarse: str | None = None) -> tuple[str, Callable[[bytes], bool]]:
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
        except Exception as exc:  # lookarounds, backreferences: fall through to Python's re (~50x slower)
            log.warning("the scan prefilter is not RE2-compatible (%s): using Python's re", exc)
    py_flags = flags & (re.MULTILINE | re.DOTALL | re.VERBOSE)
    try:
        if coarse and not flags:
            return "re-two-stage", _two_stage(re.compile(coarse.encode("utf-8")), re.compile(pattern.encode("utf-8")))
        if ignore_case:  # matching lowercased bytes against a lowercased pattern is ~20x faster than re.I
            lowered = re.compile(_lower_pattern(pattern).encode("utf-8"), py_flags)
            return "re-lower", lambda data: lowered.search(data.lower()) is not None
        plain = re.compile(pattern.encode("utf-8"), py_flags)
        return "re", lambda data: plain.search(data) is not None
    except (re.error, UnicodeError):
        text_re = re.compile(pattern, flags)
        return "re-text", lambda data: text_re.search(data.decode("utf-8", "replace")) is not None


def _two_stage(coarse: re.Pattern[bytes], exact: re.Pattern[bytes]) -> Callable[[bytes], bool]:
    """Python's re only: find candidates with `coarse` on lowercased bytes (same offsets: ASCII lowercasing keeps
    the length), confirm each with `exact` there; a rejected candidate resumes one byte later, as the next term may
    start inside it."""
    find, confirm = coarse.search, exact.match

    def search(data: bytes) -> bool:
        lower, pos = data.lower(), 0
        while (m := find(lower, pos)) is not None:
            start = m.start()
            if (start and confirm(data, start - 1)) or confirm(data, start):  # a boundary consumes the byte before
                return True
            pos = start + 1
        return False

    return search


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

        vocab = vocabulary.load()
        if isinstance(vocab.prefilter_source, str) and vocab.prefilter_source:
            return prefilter_for(vocab.prefilter_source, vocab.prefilter_coarse or None)
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


_SEP = "\x00"  # joins a literal's words in the trie


def token_pattern(words: set[tuple[str, ...]], plain: set[str] | None = None, raw: list[str] | None = None) -> str:
    """One case-sensitive regex: any of `words` (lower-case word sequences) on identifier-token boundaries, any of
    `plain` (substrings) anywhere, any of `raw` (regexes), the last two in any case.

    Words match in any case, joined by nothing, a space, '_' or '-' (`log in`: login, logIn, LOG_IN, log-in), and only
    where an identifier splits into tokens, as `vocabulary.tokens` splits it: `handleLogin`, `/auth/login`,
    `APILogin`, `loginUser`, `LOGIN_URL`, but not `catalogInventory` or `logins`. RE2 has no lookarounds, so each
    boundary consumes the character beside it (a yes/no search needs no match position)."""
    alts = [_start(ch, sub) for ch, sub in sorted(_trie(_SEP.join(seq) for seq in words).items())]
    alts += [_char(ch) + _emit(sub, ch, plain=True) for ch, sub in sorted(_trie(plain or ()).items())]
    alts += [f"(?i:{r})" for r in raw or ()]
    return "|".join(alts) or r"\b\B"  # no term: nothing matches


def coarse_pattern(words: set[tuple[str, ...]], plain: set[str] | None = None, raw: list[str] | None = None) -> str:
    """For lowercased bytes: `token_pattern`'s terms anywhere, without boundaries (a superset, each match starting
    where an exact match starts, or one byte before it)."""
    alts = [_char(ch, lower=True) + _emit(sub, ch, plain=True, lower=True)
            for ch, sub in sorted(_trie([*(_SEP.join(seq) for seq in words), *(plain or ())]).items())]
    alts += [f"(?:{r.lower()})" if r.lower() == r else f"(?i:{r})" for r in raw or ()]  # `\S` must stay `\S`
    return "|".join(alts) or r"\b\B"


def _trie(terms: Iterable[str]) -> dict[str, dict]:
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}
    trie.pop("", None)
    return trie


def _start(ch: str, node: dict) -> str:
    """The words beginning with `ch`, with the token boundary before them."""
    rest = _emit(node, ch)
    if not _letter(ch):
        return _char(ch) + rest
    upper = ch.upper()
    # after a non-letter: any case; after a lower-case letter: a capital (camelCase hump); after a capital: a capital
    # and then a lower-case letter (`APILogin`)
    out = f"(?:(?:^|[^A-Za-z]){_char(ch)}|[a-z]{upper}){rest}"
    acronym = [c + _emit(sub, c) for c, sub in sorted(node.items()) if _letter(c)]
    if acronym:
        out += f"|[A-Z]{upper}" + (acronym[0] if len(acronym) == 1 else "(?:" + "|".join(acronym) + ")")
    return out


def _emit(node: dict, last: str, plain: bool = False, lower: bool = False) -> str:
    """The trie below `node` (reached by `last`) in any case; a word ends where no lower-case letter follows."""
    if "" in node and (plain or not _letter(last)):
        return ""  # a term has matched: longer terms through it need not be tried
    alts = [_char(c, lower) + _emit(sub, c, plain, lower) for c, sub in sorted(node.items()) if c]
    if "" in node:  # `login`, `loginUser`, `login2`, not `logins`
        alts.insert(0, "(?:[^a-z]|$)")
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _char(ch: str, lower: bool = False) -> str:
    """One literal character in any case (`lower`: in lowercased text)."""
    if ch == _SEP:
        return r"[\s_\-]?"
    if ch == ".":  # `stripe?.subscriptions\n  .create`: the callee the detector sees is `stripe.subscriptions.create`
        return r"[\s?!]*\.\s*"
    if _letter(ch):
        return ch.lower() if lower else f"[{ch.lower()}{ch.upper()}]"
    return re.escape(ch)


def _distinctive(callee: str) -> bool:
    """`auth.signUp`, `signOut`, `delete_user` narrow the files down; a bare `remove` or `update` does not."""
    return len(callee) >= 6 and ("." in callee or "_" in callee or callee != callee.lower())


def _phrase(words: str) -> str:
    """'sign in' → sign[\\s_.-]?in (matches signIn, sign_in, sign-in, signin)."""
    return r"[\s_.-]?".join(re.escape(w) for w in words.split())
