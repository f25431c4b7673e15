"""`posthog-lsp scan PATH [--format text|json|sarif]`: a workspace scan rendered for people, scripts and CI.

JSON contract v1 (stable; lines and columns 1-based, paths relative to the root with '/'):
{"version": 1, "root", "packages": [{"path", "framework", "language", "posthog": {"installed", "init"}}],
 "flows": [{"path", "symbol", "kind", "line", "end_line", "insert_line", "event", "needs_identify",
            "identify_present", "confidence"}],
 "diagnostics": [{"path", "line", "column", "code", "severity", "message"}]}
SARIF 2.1.0 for code-scanning dashboards. Exit code 0 unless the scan could not run (bad path: 2).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .analysis.model import Finding, Flow
from .analysis.scan import ScanResult, scan
from .analysis.settings import DEFAULT_SEVERITY, AnalysisSettings
from .skills import bundled_skills_root

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://posthog.com/docs"
UNTRACKED = "posthog/untracked-flow"
SARIF_LEVELS = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def run_scan(path: str, fmt: str = "text", excludes: Iterable[str] = ()) -> int:
    """Scan `path` and print the report on stdout. Returns the process exit code."""
    root = Path(path).expanduser()
    if not root.exists():
        print(f"posthog-lsp scan: {path}: no such file or folder", file=sys.stderr)
        return 2
    if not root.is_dir():
        print(f"posthog-lsp scan: {path}: not a folder (scan a project folder)", file=sys.stderr)
        return 2
    result = scan(root, AnalysisSettings(excludes=list(excludes)))
    if any(e.path == "." for e in result.errors):  # the walk itself failed
        for error in result.errors:
            print(f"posthog-lsp scan: {error.reason}", file=sys.stderr)
        return 2
    sys.stdout.write(render(result, fmt))
    return 0


def render(result: ScanResult, fmt: str, root_label: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(to_json(result), indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(to_sarif(result), indent=2) + "\n"
    return to_text(result, root_label)


# -- JSON v1 ---------------------------------------------------------------------------------------------------


def to_json(result: ScanResult) -> dict[str, Any]:
    """The v1 contract: exactly these keys, 1-based lines and columns."""
    return {
        "version": JSON_VERSION,
        "root": str(result.root),
        "packages": [
            {
                "path": p.path,
                "framework": p.framework,
                "language": p.language,
                "posthog": {"installed": p.posthog.installed, "init": p.posthog.init},
            }
            for p in result.packages
        ],
        "flows": [_flow_json(f) for f in _flows(result)],
        "diagnostics": [_finding_json(path, f) for path, f in _findings(result)],
    }


def _flow_json(flow: Flow) -> dict[str, Any]:
    return {
        "path": flow.path,
        "symbol": flow.symbol,
        "kind": str(flow.kind),
        "line": flow.span.start_line + 1,
        "end_line": flow.span.end_line + 1,
        "insert_line": flow.insert_line + 1,
        "event": flow.event,
        "needs_identify": flow.needs_identify,
        "identify_present": flow.identify_present,
        "confidence": flow.confidence,
    }


def _finding_json(path: str, finding: Finding) -> dict[str, Any]:
    return {
        "path": path,
        "line": finding.span.start_line + 1,
        "column": finding.span.start_col + 1,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
    }


def _flows(result: ScanResult) -> list[Flow]:
    return sorted((f for d in result.documents for f in d.flows), key=lambda f: (f.path, f.span.start_line))


def _findings(result: ScanResult) -> list[tuple[str, Finding]]:
    pairs = [(d.path, f) for d in result.documents for f in d.findings]
    return sorted(pairs, key=lambda p: (p[0], p[1].span.start_line, p[1].span.start_col, p[1].code))


# -- SARIF 2.1.0 -------------------------------------------------------------------------------------------------


def to_sarif(result: ScanResult) -> dict[str, Any]:
    findings = _findings(result)
    codes = sorted(set(DEFAULT_SEVERITY) | {f.code for _, f in findings})
    rules = [
        {
            "id": code,
            "name": code.split("/", 1)[-1],
            "shortDescription": {"text": rule_summary(code)},
            "helpUri": help_uri(code),
            "defaultConfiguration": {"level": SARIF_LEVELS.get(DEFAULT_SEVERITY.get(code, "warning"), "warning")},
        }
        for code in codes
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": codes.index(f.code),
            "level": SARIF_LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": quote(path, safe="/", errors="surrogateescape"),  # a non-UTF-8 name: its bytes
                            "uriBaseId": "SRCROOT",
                        },
                        "region": {
                            "startLine": f.span.start_line + 1,
                            "startColumn": f.span.start_col + 1,
                            "endLine": f.span.end_line + 1,
                            "endColumn": f.span.end_col + 1,
                        },
                    }
                }
            ],
        }
        for path, f in findings
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "posthog-lsp", "informationUri": TOOL_URI, "rules": rules}},
                "originalUriBaseIds": {"SRCROOT": {"uri": result.root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }


@cache
def _diagnostic_docs() -> dict[str, str]:
    """First sentence of each `## code` section of skills/docs/diagnostics.md."""
    try:
        text = (bundled_skills_root() / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    except OSError:
        return {}
    summaries: dict[str, str] = {}
    for match in re.finditer(r"^## ([\w-]+)\n+(.+?)(?:\n\n|\Z)", text, re.M | re.S):
        paragraph = " ".join(match.group(2).split())
        summaries[match.group(1)] = re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0]
    return summaries


def rule_summary(code: str) -> str:
    name = code.split("/", 1)[-1]
    return _diagnostic_docs().get(name) or name.replace("-", " ").capitalize()


def help_uri(code: str) -> str:
    try:
        from .analysis.posthog_vocab import posthog_vocabulary

        uri = posthog_vocabulary().docs.get(code)
    except Exception:  # the vocabulary is optional here: fall back to the section anchor
        uri = None
    return uri or f"posthog://docs/diagnostics#{code.split('/', 1)[-1]}"


# -- text --------------------------------------------------------------------------------------------------------


def to_text(result: ScanResult, root_label: str | None = None) -> str:
    """Packages, then flows and diagnostics grouped per file, then skipped files and a summary."""
    out = [f"PostHog scan of {root_label or result.root}", ""]
    out.append(f"Packages ({len(result.packages)})" if result.packages else "Packages: none found")
    width = max((len(p.path) for p in result.packages), default=1)
    for p in result.packages:
        posthog = "PostHog: not installed"
        if p.posthog.installed:
            posthog = "PostHog: " + ", ".join(p.posthog.sdks)
            posthog += f" (init {p.posthog.init})" if p.posthog.init else " (no init found)"
        out.append(f"  {p.path:<{width}}  {p.framework:<20} {p.language:<11} {p.package_manager:<7} {posthog}")

    flows, findings = _flows(result), _findings(result)
    by_file: dict[str, list[tuple[int, int, str]]] = {}
    untracked = {(p, d.data.get("symbol"), d.data.get("flow_kind")) for p, d in findings if d.code == UNTRACKED}
    for f in flows:
        # An untracked flow's hint is shown on the flow's own line rather than repeated below it.
        state = "tracked" if f.tracked else "untracked" if (f.path, f.symbol, str(f.kind)) in untracked else "new"
        line = f"{f.kind} flow in {f.symbol} (lines {f.span.start_line + 1}-{f.span.end_line + 1}, "
        line += f"confidence {f.confidence:.2f})"
        if not f.tracked:
            line += f": {state}; capture `{f.event}` before line {f.insert_line + 1}"
            line += ", then identify" if f.needs_identify and not f.identify_present else ""
        else:
            line += ": tracked"
        by_file.setdefault(f.path, []).append((f.span.start_line, 0, line))
    shown = {(f.path, f.symbol, str(f.kind)) for f in flows}
    for path, d in findings:
        if d.code == UNTRACKED and (path, d.data.get("symbol"), d.data.get("flow_kind")) in shown:
            continue
        by_file.setdefault(path, []).append(
            (d.span.start_line, 1, f"{d.severity}: {d.message} [{d.code}]".replace("\n", " "))
        )
    for path in sorted(by_file):
        out += ["", path]
        for line, _order, text in sorted(by_file[path], key=lambda e: (e[0], e[1])):
            out.append(f"  {line + 1:>4}  {text}")
    if result.errors:
        out += ["", f"Not analysed ({len(result.errors)})"]
        out += [f"  {e.path}: {e.reason}" for e in sorted(result.errors, key=lambda e: e.path)]
    out += [
        "",
        f"{result.files_seen} files in scope, {len(result.documents)} analysed: "
        f"{len(flows)} flows, {len(findings)} diagnostics.",
    ]
    return "\n".join(out) + "\n"
