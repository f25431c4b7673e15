"""The agent's tools. The tools, not the prompts, enforce the rules: paths confined to the root (symlinks
resolved), no `.env*` contents, edits only proposed (validated, applied to an in-memory overlay), allowlisted
checks only, output caps. A refused call raises `Refused` with a message safe to show the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..analysis.parsing import language_for_path, parse
from ..analysis.scope import Scope
from ..analysis.workspace import load_vocabulary
from ..mcp_server import tools as mcp_tools
from ..mcp_server.sandbox import Refused, confine, is_env_file, relative
from . import checks
from .pipeline import FileChange
from .stages import StageGuide

KEY_PLACEHOLDER = "<project token>"
MAX_READ_CHARS = 60_000
MAX_LIST = 400
MAX_HITS = 80
MAX_RESULT_CHARS = 20_000

SCHEMAS: list[dict[str, Any]] = [
    {"name": "list_files", "description": "List in-scope files (no dependencies, build output or env files).",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string", "default": "."}}}},
    {"name": "read_file", "description": "Read a project file (with any proposed edits applied).",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    {"name": "search", "description": "Find a literal string in project files; returns path:line: text.",
     "input_schema": {"type": "object", "properties": {"text": {"type": "string"}, "path": {"type": "string"}},
                      "required": ["text"]}},
    {"name": "propose_edit",
     "description": "Propose replacing old_text (must occur exactly once) with new_text; empty old_text creates "
                    "a new file. Validated, never written until the run ends.",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string"}, "old_text": {"type": "string"},
                                                        "new_text": {"type": "string"}, "event": {"type": "string"}},
                      "required": ["path", "old_text", "new_text"]}},
    {"name": "check_env_keys", "description": "Which keys an env file assigns (present/missing); never values.",
     "input_schema": {"type": "object", "properties": {"file": {"type": "string"},
                                                        "keys": {"type": "array", "items": {"type": "string"}}},
                      "required": ["file", "keys"]}},
    {"name": "set_env_values",
     "description": f"Set env values (written at the end); use the literal {KEY_PLACEHOLDER!r} for the project key.",
     "input_schema": {"type": "object", "properties": {"file": {"type": "string"}, "values": {"type": "object"}},
                      "required": ["file", "values"]}},
    {"name": "run_check", "description": "Run one allowlisted check by name (see the list in the revise stage).",
     "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
    {"name": "detect_flows", "description": "The detector's business flows and diagnostics under a path.",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string", "default": "."}}}},
    {"name": "read_resource", "description": "Read a posthog:// guidance resource (docs, snippets, workflows).",
     "input_schema": {"type": "object", "properties": {"uri": {"type": "string"}}, "required": ["uri"]}},
]


class AgentTools:
    """Tool calls over one workspace; edits land in `changes` (shared with the deterministic plan)."""

    def __init__(self, root: Path, changes: dict[str, FileChange], guide: StageGuide,
                 secrets: tuple[str, ...] = ()) -> None:
        self.root = Path(root).resolve()
        self.changes = changes
        self.guide = guide
        self.secrets = tuple(s for s in secrets if s)
        self.env_requests: list[tuple[str, dict[str, str]]] = []
        self.refused: list[str] = []  # "tool: reason", for the report and the remark
        self.calls = 0
        self._templates = load_vocabulary().env_templates
        self._handlers: dict[str, Callable[..., Any]] = {
            "list_files": self.list_files, "read_file": self.read_file, "search": self.search,
            "propose_edit": self.propose_edit, "check_env_keys": self.check_env_keys,
            "set_env_values": self.set_env_values, "run_check": self.run_check, "detect_flows": self.detect_flows,
            "read_resource": self.read_resource,
        }

    def call(self, name: str, arguments: Any) -> tuple[str, bool]:
        """(result text, is_error). Never raises; results are capped and scrubbed of secrets."""
        self.calls += 1
        handler = self._handlers.get(name)
        try:
            if handler is None:
                raise Refused(f"unknown tool {name!r}")
            if not isinstance(arguments, dict):
                raise Refused("arguments must be an object")
            result = handler(**arguments)
            text, error = (result if isinstance(result, str) else json.dumps(result, default=str)), False
        except Refused as exc:
            text, error = f"refused: {exc}", True
            self.refused.append(f"{name}: {exc}")
        except TypeError as exc:
            text, error = f"bad arguments: {exc}", True
            self.refused.append(f"{name}: bad arguments")
        except Exception as exc:  # a tool bug is reported to the model, never raised into the run
            text, error = f"failed: {type(exc).__name__}", True
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text[:MAX_RESULT_CHARS], error

    # -- reading ---------------------------------------------------------------------------------------------

    def _readable(self, path: str) -> tuple[Path, str]:
        full = confine(self.root, path)
        rel = relative(self.root, full)
        if is_env_file(full) and full.name not in self._templates:
            raise Refused("env files are never read; use check_env_keys")
        return full, rel

    def _text(self, full: Path, rel: str) -> str | None:
        if rel in self.changes:
            return self.changes[rel].after
        if not full.is_file():
            return None
        return full.read_bytes().decode("utf-8", errors="replace")  # keeps CRLF

    def list_files(self, path: str = ".") -> dict[str, Any]:
        _, rel = self._readable(path)
        prefix = "" if rel == "." else rel + "/"
        files = [r for r, _ in Scope(self.root).walk_files() if r.startswith(prefix) and not is_env_file(r)]
        files += [p for p, c in self.changes.items() if c.before is None and p.startswith(prefix)]
        files = sorted(set(files))
        return {"files": files[:MAX_LIST], "truncated": len(files) > MAX_LIST}

    def read_file(self, path: str) -> str:
        full, rel = self._readable(path)
        text = self._text(full, rel)
        if text is None:
            raise Refused("no such file")
        # fenced, so the model can tell the file (data) from the conversation (instructions)
        return f"<file path={json.dumps(rel)}>\n{text[:MAX_READ_CHARS]}\n</file>"

    def search(self, text: str, path: str = ".") -> dict[str, Any]:
        if not isinstance(text, str) or not text or len(text) > 200:
            raise Refused("text must be 1-200 characters")
        _, rel = self._readable(path)
        hits: list[str] = []
        for name in self.list_files(rel)["files"]:
            content = self._text(self.root / name, name) or ""
            for number, line in enumerate(content.splitlines(), 1):
                if text in line:
                    hits.append(f"{name}:{number}: {line.strip()[:200]}")
                    if len(hits) >= MAX_HITS:
                        return {"hits": hits, "truncated": True}
        return {"hits": hits, "truncated": False}

    # -- proposing -------------------------------------------------------------------------------------------

    def propose_edit(self, path: str, old_text: str, new_text: str, event: str = "agent") -> dict[str, Any]:
        full, rel = self._readable(path)
        if is_env_file(full):
            raise Refused("env files change only through set_env_values")
        if not isinstance(old_text, str) or not isinstance(new_text, str):
            raise Refused("old_text and new_text must be strings")
        current = self._text(full, rel)
        if old_text == "":
            if current is not None:
                raise Refused("the file exists: give the exact old_text to replace")
            after = new_text
        else:
            if current is None:
                raise Refused("no such file")
            count = current.count(old_text)
            if count != 1:
                raise Refused(f"old_text occurs {count} times; it must occur exactly once")
            after = current.replace(old_text, new_text, 1)
        language = language_for_path(rel)
        if language is not None:
            parsed, before = parse(after, language), parse(current, language) if current is not None else None
            if parsed is None or (parsed.root.has_error and not (before is not None and before.root.has_error)):
                raise Refused("the edit would leave a syntax error")
        change = self.changes.get(rel)
        if change is None:
            original = None if not full.is_file() else full.read_bytes().decode("utf-8", errors="replace")
            change = self.changes[rel] = FileChange(rel, original, original or "")
        change.after = after
        return {"accepted": True, "path": rel, "event": event}

    def check_env_keys(self, file: str, keys: list[str]) -> dict[str, Any]:
        return mcp_tools.check_env_keys(self.root, file, keys)

    def set_env_values(self, file: str, values: dict[str, str]) -> dict[str, Any]:
        from ..mcp_server import envfiles

        envfiles.env_path(self.root, file)  # refuse a bad path now, not at the end
        checked = envfiles.check_values(values)
        key_like = load_vocabulary().env_roles["key"]
        literal = [k for k, v in checked.items() if key_like.search(k) and v != KEY_PLACEHOLDER]
        if literal:
            raise Refused(f"keys are filled in by the tool: use the value {KEY_PLACEHOLDER!r} for {', '.join(literal)}")
        self.env_requests.append((file, checked))
        return {"file": file, "queued": sorted(checked), "note": "written when the run ends"}

    # -- checking --------------------------------------------------------------------------------------------

    def available_checks(self) -> dict[str, checks.Check]:
        found: dict[str, checks.Check] = {}
        for manifest in ("package.json",):
            for full in [self.root, *[p.parent for p in self.root.glob(f"*/{manifest}")]]:
                for check in checks.discover_checks(full):
                    found[f"{relative(self.root, full)}: {check.name}"] = check
        return found

    def run_check(self, name: str) -> dict[str, Any]:
        check = self.available_checks().get(name)
        if check is None:
            raise Refused(f"not an allowlisted check; available: {sorted(self.available_checks()) or 'none'}")
        result = checks.run_check(check, timeout=120)
        return {"ok": result.ok, "seconds": round(result.seconds, 1), "output": result.output[-4000:]}

    def detect_flows(self, path: str = ".") -> dict[str, Any]:
        return mcp_tools.detect_flows(self.root, path)

    def read_resource(self, uri: str) -> str:
        text = self.guide.read(uri)
        if text is None:
            raise Refused("no such resource")
        return text
