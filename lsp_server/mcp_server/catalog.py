"""The `posthog://` resources: which skill files exist right now and what each URI reads.

A URI maps to files under the bundled `skills/` folder, shadowed file by file by a workspace override
folder (`<root>/.posthog/skills/`). Nothing is cached: every list and read looks at the disk, so files
other tools write appear at once. Shared by the MCP server and the guidance client's offline fallback.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .sandbox import is_env_file

log = logging.getLogger(__name__)

SCHEME = "posthog://"
MAX_FILE_BYTES = 1_000_000
BASIC_WORKFLOW = "basic-integration"
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_STEP_PREFIX = re.compile(r"^\d+(?:\.\d+)*[-_. ]+")  # "1.0-begin" is served as "begin"
# a link in prose; `{framework}` and `<framework id>` are placeholders; a `#fragment` is not part of it
URI_IN_TEXT = re.compile(r"posthog://(?:[A-Za-z0-9_/-]|\.(?=[A-Za-z0-9_])|\{[^}\s]{1,40}\}|<[^>\n]{1,40}>)*")
_PLACEHOLDER = re.compile(r"\{[^}]*\}|<[^>]*>")
_MIME = {
    ".md": "text/markdown",
    ".toml": "application/toml",
    ".json": "application/json",
    ".py": "text/x-python",
    ".js": "text/javascript",
    ".jsx": "text/javascript",
    ".mjs": "text/javascript",
    ".ts": "text/x-typescript",
    ".tsx": "text/x-typescript",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One concrete resource as listed to clients."""

    uri: str
    name: str
    description: str
    mime_type: str


@dataclass(frozen=True, slots=True)
class Template:
    """A resource template and the argument clients may complete."""

    uri_template: str
    name: str
    description: str
    mime_type: str


TEMPLATES = (
    Template(f"{SCHEME}docs/frameworks/{{framework}}", "framework-docs",
             "Setup guide for one framework (SKILL.md with its references)", "text/markdown"),
    Template(f"{SCHEME}examples/{{framework}}", "framework-example",
             "A complete small app with PostHog integrated, flattened to one markdown file", "text/markdown"),
    Template(f"{SCHEME}snippets/{{framework}}/{{name}}", "framework-snippet",
             "A code snippet the editor inserts", "text/plain"),
    Template(f"{SCHEME}workflows/{BASIC_WORKFLOW}/{{step}}", "basic-integration-step",
             "One step of the basic integration workflow", "text/markdown"),
    Template(f"{SCHEME}detection/{{name}}", "detection-vocabulary",
             "Detection vocabulary the analyzer uses", "application/toml"),
)


def mime_for(path: Path) -> str:
    return _MIME.get(path.suffix.lower(), "text/plain")


def _valid(segment: str) -> bool:
    return bool(_SEGMENT.match(segment)) and ".." not in segment


class Catalog:
    """Skill files as `posthog://` resources, read fresh from disk on every call. Never raises on a bad URI."""

    def __init__(self, skills_root: Path, override_root: Path | None = None,
                 flatten: Callable[[Path], str] | None = None) -> None:
        self.skills_root = Path(skills_root).resolve()
        self.override_root = Path(override_root).resolve() if override_root else None
        self._flatten = flatten

    @property
    def roots(self) -> list[Path]:
        """Folders to look in, highest precedence first."""
        return [r for r in (self.override_root, self.skills_root) if r is not None]

    # -- files -----------------------------------------------------------------------------------------

    def _file(self, rel: str) -> Path | None:
        """The winning regular file for `rel`, never an env file, never escaping its root through a symlink."""
        for root in self.roots:
            candidate = root / rel
            try:
                resolved = candidate.resolve()
            except (OSError, RuntimeError):
                continue
            if not resolved.is_relative_to(root) or is_env_file(resolved) or is_env_file(candidate):
                continue
            if resolved.is_file():
                return resolved
        return None

    def _dir(self, rel: str) -> Path | None:
        for root in self.roots:
            candidate = (root / rel).resolve()
            if candidate.is_relative_to(root) and candidate.is_dir():
                return candidate
        return None

    def _names(self, rel: str, *, dirs: bool) -> list[str]:
        """Entry names in folder `rel` across both roots (union, sorted), hidden ones skipped."""
        names: set[str] = set()
        for root in self.roots:
            folder = root / rel
            if not folder.is_dir():
                continue
            for child in folder.iterdir():
                if child.name.startswith(".") or not _valid(child.name) or is_env_file(child):
                    continue
                if child.is_symlink() and not child.resolve().is_relative_to(root):  # leads out: not ours
                    continue
                if (dirs and child.is_dir()) or (not dirs and child.is_file()):
                    names.add(child.name)
        return sorted(names)

    def _text(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    # -- vocabularies -----------------------------------------------------------------------------------

    def frameworks(self) -> list[str]:
        """Framework ids: the folders under `skills/frameworks/`."""
        return self._names("frameworks", dirs=True)

    def example_frameworks(self) -> list[str]:
        return self._names("examples", dirs=True) if self._flatten else []

    def steps(self, workflow: str = BASIC_WORKFLOW) -> dict[str, str]:
        """Served step name -> file name for one workflow folder."""
        if not _valid(workflow):
            return {}
        steps: dict[str, str] = {}
        for name in self._names(f"workflows/{workflow}", dirs=False):
            if name.endswith(".md"):
                steps.setdefault(_STEP_PREFIX.sub("", name[:-3]), name)
        return steps

    def workflows(self) -> list[str]:
        return self._names("workflows", dirs=True)

    def snippet_files(self, framework: str) -> list[str]:
        return self._names(f"frameworks/{framework}/snippets", dirs=False) if _valid(framework) else []

    def _by_stem(self, rel_dir: str, name: str, files: list[str]) -> str | None:
        if name in files:
            return f"{rel_dir}/{name}"
        matches = [f for f in files if f.rsplit(".", 1)[0] == name]
        return f"{rel_dir}/{matches[0]}" if len(matches) == 1 else None

    # -- the URI space ----------------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """Every concrete resource that exists right now."""
        out: list[Entry] = []
        for workflow in self.workflows():
            for step, file in self.steps(workflow).items():
                out.append(Entry(f"{SCHEME}workflows/{workflow}/{step}", f"{workflow}-{step}",
                                 f"Workflow {workflow}: {step} ({file})", "text/markdown"))
        for fw in self.frameworks():
            if self._file(f"frameworks/{fw}/SKILL.md"):
                out.append(Entry(f"{SCHEME}docs/frameworks/{fw}", f"docs-{fw}", f"Setup guide for {fw}",
                                 "text/markdown"))
            for file in self.snippet_files(fw):
                out.append(Entry(f"{SCHEME}snippets/{fw}/{file}", f"snippet-{fw}-{file}", f"{fw} snippet {file}",
                                 mime_for(Path(file))))
        for fw in self.example_frameworks():
            out.append(Entry(f"{SCHEME}examples/{fw}", f"example-{fw}", f"Example {fw} app with PostHog",
                             "text/markdown"))
        for file in self._names("docs", dirs=False):
            if file.endswith(".md"):
                out.append(Entry(f"{SCHEME}docs/{file[:-3]}", f"docs-{file[:-3]}", f"Guide: {file[:-3]}",
                                 "text/markdown"))
        if self._file("events/events.toml"):
            out.append(Entry(f"{SCHEME}events/names", "event-names", "Event names per flow (TOML)",
                             "application/toml"))
        if self._file("events/taxonomy.md"):
            out.append(Entry(f"{SCHEME}events/taxonomy", "event-taxonomy", "How to name events and properties",
                             "text/markdown"))
        if self._file("commandments.md"):
            out.append(Entry(f"{SCHEME}commandments", "commandments", "Rules every PostHog integration follows",
                             "text/markdown"))
        for file in self._names("detection", dirs=False):
            stem = file.rsplit(".", 1)[0]
            out.append(Entry(f"{SCHEME}detection/{stem}", f"detection-{stem}", f"Detection vocabulary: {stem}",
                             mime_for(Path(file))))
        return out

    def read(self, uri: str) -> tuple[str, str] | None:
        """(text, mime type) of `uri`, or None if it does not exist (or is not allowed)."""
        if not isinstance(uri, str) or not uri.startswith(SCHEME) or len(uri) > 512:
            return None
        parts = uri[len(SCHEME):].split("#", 1)[0].split("/")
        if not all(_valid(p) for p in parts):
            return None
        try:
            return self._read(parts)
        except Exception:  # a broken file must not take the server down
            log.exception("reading %s failed", uri)
            return None

    def _read(self, parts: list[str]) -> tuple[str, str] | None:
        match parts:
            case ["workflows", workflow, step]:
                file = self.steps(workflow).get(step)
                return self._pair(self._file(f"workflows/{workflow}/{file}") if file else None)
            case ["docs", "frameworks", fw]:
                return self._framework_doc(fw)
            case ["docs", name]:
                return self._pair(self._file(f"docs/{name}.md"))
            case ["examples", fw]:
                folder = self._dir(f"examples/{fw}")
                if folder is None or self._flatten is None:
                    return None
                return self._flatten(folder), "text/markdown"
            case ["events"] | ["events", "names"]:  # skill prose links the names as posthog://events
                return self._pair(self._file("events/events.toml"))
            case ["events", "taxonomy"]:
                return self._pair(self._file("events/taxonomy.md"))
            case ["commandments"]:
                return self._pair(self._file("commandments.md"))
            case ["snippets", fw, name]:
                rel = self._by_stem(f"frameworks/{fw}/snippets", name, self.snippet_files(fw))
                return self._pair(self._file(rel) if rel else None)
            case ["detection", name]:
                rel = self._by_stem("detection", name, self._names("detection", dirs=False))
                return self._pair(self._file(rel) if rel else None)
        return None

    def _pair(self, path: Path | None) -> tuple[str, str] | None:
        text = self._text(path)
        return None if text is None or path is None else (text, mime_for(path))

    def _framework_doc(self, fw: str) -> tuple[str, str] | None:
        """SKILL.md followed by every `references/*.md`, so one read gives an agent the whole guide."""
        skill = self._text(self._file(f"frameworks/{fw}/SKILL.md"))
        if skill is None:
            return None
        parts = [skill.rstrip("\n")]
        for ref in self._names(f"frameworks/{fw}/references", dirs=False):
            text = self._text(self._file(f"frameworks/{fw}/references/{ref}")) if ref.endswith(".md") else None
            if text is not None:
                parts.append(f"<!-- references/{ref} -->\n\n{text.rstrip()}")
        return "\n\n---\n\n".join(parts) + "\n", "text/markdown"

    # -- completion and change tracking -----------------------------------------------------------------

    def complete(self, uri_template: str, argument: str, value: str, context: dict[str, str] | None = None
                 ) -> list[str]:
        """Values for a template argument that start with `value` (at most 100)."""
        context = context or {}
        options: list[str] = []
        if argument == "framework":
            is_example = uri_template.startswith(f"{SCHEME}examples/")
            options = self.example_frameworks() if is_example else self.frameworks()
        elif argument == "step":
            options = list(self.steps())
        elif argument == "name" and uri_template.startswith(f"{SCHEME}snippets/"):
            options = self.snippet_files(context.get("framework", ""))
        elif argument == "name" and uri_template.startswith(f"{SCHEME}detection/"):
            options = [f.rsplit(".", 1)[0] for f in self._names("detection", dirs=False)]
        return [o for o in options if o.startswith(value)][:100]

    def snapshot(self, extra: Iterable[str] = ()) -> dict[str, str]:
        """URI -> content hash of every concrete resource and of `extra` URIs (aliases a client subscribed to)."""
        return self.hashes([*(e.uri for e in self.entries()), *extra])

    def hashes(self, uris: Iterable[str]) -> dict[str, str]:
        """URI -> content hash of those `uris` that exist."""
        out: dict[str, str] = {}
        for uri in uris:
            got = self.read(uri)
            if got is not None:
                out[uri] = hashlib.sha256(got[0].encode("utf-8", "replace")).hexdigest()
        return out

    def iter_texts(self) -> Iterator[tuple[str, str]]:
        """(uri, text) of every concrete resource."""
        for entry in self.entries():
            got = self.read(entry.uri)
            if got is not None:
                yield entry.uri, got[0]

    def resolves(self, uri: str) -> bool:
        """True if `uri` names an existing resource, or has the shape of a template this server serves."""
        if _PLACEHOLDER.search(uri):
            return template_shape(uri) in {template_shape(t.uri_template) for t in TEMPLATES}
        return self.read(uri) is not None


def template_shape(uri: str) -> str:
    """`posthog://examples/<framework id>` and `posthog://examples/{framework}` both become `posthog://examples/{}`."""
    return _PLACEHOLDER.sub("{}", uri)
