"""What the file already has: the PostHog client in scope, calls already made, where imports go.

Detection is by content (never by markers we wrote), so planning over already-edited text finds its own
earlier insertions and plans nothing.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ..analysis.model import Language, Span
from ..analysis.parsing import ParsedDocument

_FUNCTIONS = {
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
    "function_definition",  # python
}
_JS_SDK_MODULES = ("posthog-js", "posthog-node", "@posthog/react", "posthog-js/react")

# Calls already made in a function, per action, on a PostHog client (`form.reset()` or `logger.flush()` do not count).
_METHODS = {
    "identify": r"(?:identify|identifyImmediate|identify_context|set(?=\s*\(\s*distinct_id))",  # py: set(distinct_id=
    "reset": r"reset",
    "flush": r"(?:flush|shutdown)",
}
_POSTHOG_NAME = r"[\w$]*post_?hog[\w$]*"


def present(action: str, text: str, receiver: str | None) -> bool:
    """Whether `text` already calls `action` on `receiver` or on anything named like a PostHog client."""
    names = _POSTHOG_NAME + (f"|{re.escape(receiver)}" if receiver else "")
    call = rf"(?<![\w$])(?:{names})\s*\.\s*{_METHODS[action]}\s*\("
    if action == "identify":
        call += r"|(?<![\w$.])identify_context\s*\("  # `from posthog import identify_context`
    return re.search(call, text, re.I) is not None


@dataclass(frozen=True, slots=True)
class Region:
    """The function around an insertion point: whole text, text before the point, text from the point on."""

    start_line: int
    end_line: int
    whole: str
    before: str
    after: str
    is_async: bool


def enclosing_region(doc: ParsedDocument | None, lines: list[str], line: int, fallback: tuple[int, int]) -> Region:
    """The innermost function containing `line` (or the `fallback` line range, e.g. the flow's span)."""
    start, end, is_async = fallback[0], fallback[1], False
    node = _function_at(doc, lines, line) if doc is not None else None
    if node is not None:
        start, end = node.start_point[0], node.end_point[0]
        head = doc.node_text(node)[:200] if doc else ""
        is_async = head.lstrip().startswith("async") or bool(re.match(r"\s*(export\s+)?(default\s+)?async\b", head))
    start, end = max(0, min(start, line)), min(len(lines) - 1, max(end, line))
    return Region(
        start_line=start,
        end_line=end,
        whole="\n".join(lines[start : end + 1]),
        before="\n".join(lines[start:line]),
        after="\n".join(lines[line : end + 1]),
        is_async=is_async,
    )


def _function_at(doc: ParsedDocument, lines: list[str], line: int):
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    col = len(text.encode("utf-8")) - len(text.lstrip().encode("utf-8")) if text.strip() else 0
    node = doc.root.descendant_for_point_range((line, col), (line, col))
    while node is not None and node.type not in _FUNCTIONS:
        node = node.parent
    return node


_BLOCKS = {"program", "statement_block", "switch_case", "switch_default", "module", "block"}


def statement_boundary(doc: ParsedDocument | None, line: int) -> bool:
    """Whether lines inserted before `line` land between statements (not inside an expression, call or JSX)."""
    if doc is None:
        return True
    point, node = (line, 0), doc.root
    while True:
        inner = next((c for c in node.children if tuple(c.start_point) < point < tuple(c.end_point)), None)
        if inner is None:
            return node.type in _BLOCKS or _extends_python_block(doc, node, point) or _starts_python_block(node, line)
        node = inner


def _starts_python_block(node, line: int) -> bool:
    """Before the first statement of a suite (`def logout_view(request):` then `logout(request)` on `line`)."""
    return any(c.type == "block" and c.start_point[0] == line for c in node.children)


def _extends_python_block(doc: ParsedDocument, node, point: tuple[int, int]) -> bool:
    """Between a suite and its `elif`/`else`/`except`: indented lines there still belong to the suite."""
    if doc.language != "python":
        return False
    before = [c for c in node.children if tuple(c.end_point) <= point]
    last = before[-1] if before else None
    while last is not None and last.type != "block" and last.children:  # `elif ...:` ends in its own suite
        last = last.children[-1]
    return last is not None and last.type == "block"


def braceless_branch(doc: ParsedDocument | None, anchor: Span | None):
    """The statement at `anchor` when it is the braceless body of a JS `if` (`if (ok) return user;`), else None."""
    if doc is None or anchor is None or doc.language == "python":
        return None
    lines = doc.text.split("\n")
    if not 0 <= anchor.start_line < len(lines):
        return None
    column = len(lines[anchor.start_line][: anchor.start_col].encode("utf-8"))
    node = doc.root.descendant_for_point_range((anchor.start_line, column), (anchor.start_line, column))
    while node is not None and node.parent is not None and node.parent.type != "if_statement":
        if tuple(node.start_point) != (anchor.start_line, column):
            return None
        node = node.parent
    if node is None or node.parent is None or node.type in ("statement_block", "parenthesized_expression"):
        return None
    return node if node.parent.child_by_field_name("consequence") == node else None


def returned_call(doc: ParsedDocument | None, anchor: Span | None):
    """The call at `anchor` when a JS `return` returns it as it is (a pending promise), else None."""
    if doc is None or anchor is None or doc.language == "python":
        return None
    lines = doc.text.split("\n")
    if not 0 <= anchor.start_line < len(lines) or not 0 <= anchor.end_line < len(lines):
        return None
    start = (anchor.start_line, len(lines[anchor.start_line][: anchor.start_col].encode("utf-8")))
    end = (anchor.end_line, len(lines[anchor.end_line][: anchor.end_col].encode("utf-8")))
    node = doc.root.descendant_for_point_range(start, end)
    while node is not None and node.type != "call_expression" and tuple(node.start_point) == start:
        node = node.parent
    if node is None or node.type != "call_expression" or tuple(node.end_point) != end:
        return None
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    return node if parent is not None and parent.type == "return_statement" else None


def expression_arrow(doc: ParsedDocument | None, lines: list[str], span: Span):
    """The expression body of the arrow function at `span` (`() => post(...)`), which has no room for statements."""
    if doc is None or not 0 <= span.start_line < len(lines):
        return None
    line = lines[span.start_line]
    column = len(line[: span.start_col].encode("utf-8"))
    node = doc.root.descendant_for_point_range((span.start_line, column), (span.start_line, column))
    while node is not None and node.type != "arrow_function":
        node = node.parent
    body = node.child_by_field_name("body") if node is not None else None
    return body if body is not None and body.type != "statement_block" else None


def first_reset_line(lines: list[str], start: int, end: int, receiver: str | None) -> int | None:
    """The first line in [start, end) that resets PostHog: a capture must come before it to keep the user."""
    return next((i for i in range(max(start, 0), min(end, len(lines))) if present("reset", lines[i], receiver)), None)


def capture_present(region_text: str, event: str) -> bool:
    return bool(re.search(r"\.capture(?:Immediate)?\s*\(", region_text)) and bool(
        re.search(rf"['\"`]{re.escape(event)}['\"`]", region_text)
    )


def client_receiver(text: str) -> str | None:
    """The posthog-js client bound in a browser file: `import ph from 'posthog-js'` or `const ph = usePostHog()`."""
    for pattern in (
        r"import\s+(\w+)\s*(?:,\s*\{[^}]*\})?\s*from\s*['\"]posthog-js['\"]",
        r"import\s*\{[^}]*\bposthog(?:\s+as\s+(\w+))?[^}]*\}\s*from\s*['\"]posthog-js['\"]",
        r"(?:const|let|var)\s+(\w+)\s*=\s*usePostHog\s*\(\s*\)",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1) or "posthog"
    return None


def server_receiver(text: str, language: Language) -> str | None:
    """The server client bound in the file: constructed here, or imported from the app's own module."""
    if language == "python":
        match = re.search(r"^(\w+)\s*=\s*(?:posthog\.)?(?:Posthog|Client)\s*\(", text, re.M)
        if match:
            return match.group(1)
        match = re.search(r"^from\s+[\w.]+\s+import\s+\(?[^\n)]*?\b(posthog\w*)\b(?:\s+as\s+(\w+))?", text, re.M)
        if match and not re.match(r"from\s+posthog\b", match.group(0)):
            return match.group(2) or match.group(1)
        return "posthog" if re.search(r"^import\s+posthog\b(?!\.)(?!\s+as)", text, re.M) else None
    for pattern in (
        r"(?:const|let|var)\s+(\w+)\s*(?::\s*\w+\s*)?=\s*new\s+PostHog\s*\(",  # constructed here
        r"(?:const|let|var)\s+(\w+)\s*=\s*(?:await\s+)?\w*[Pp]ost[Hh]og\w*\s*\(\s*\)",  # getPostHogClient()
        r"import\s+(posthog\w*)\s+from\s*['\"](?!posthog-)[^'\"]+['\"]",  # default export of the app's module
    ):
        match = re.search(pattern, text, re.I if "import" in pattern else 0)
        if match:
            return match.group(1)
    binding = r"\{([^}]*)\}\s*"
    patterns = (
        rf"import\s*{binding}from\s*['\"]([^'\"]+)['\"]",
        rf"(?:const|let|var)\s*{binding}=\s*require\(\s*['\"]([^'\"]+)['\"]",
    )
    for pattern in patterns:
        for names, module in re.findall(pattern, text):
            if module in _JS_SDK_MODULES:
                continue
            for name in names.split(","):
                parts = [p for p in re.split(r"\s+as\s+|\s*:\s*", name.strip()) if p]
                if parts and re.fullmatch(r"posthog\w*", parts[0], re.I) and parts[0] != "PostHog":
                    return parts[-1]
    return None


def uses_commonjs(text: str, path: str) -> bool:
    if path.endswith(".cjs"):
        return True
    if path.endswith((".mjs", ".ts", ".tsx", ".mts")):
        return False
    # `module.exports = (fastify) => {…}` with no require is CommonJS too: an `import` there is a syntax error
    cjs = re.search(r"\brequire\s*\(|\bmodule\.exports\b|^\s*exports\.[\w$]+\s*=", text, re.M)
    return bool(cjs) and not re.search(r"^\s*(import|export)\b", text, re.M)


def import_line(doc: ParsedDocument | None, lines: list[str], language: Language, commonjs: bool) -> int:
    """The line a new import goes before: after the last top-level import, else after directives/docstring."""
    if doc is None:
        return 0
    last_import, after_prologue = -1, 0
    for child in doc.root.children:
        kind, text = child.type, doc.node_text(child)
        if kind in ("import_statement", "import_from_statement", "future_import_statement") or (
            commonjs and kind in ("lexical_declaration", "variable_declaration") and "require(" in text
        ):
            last_import = child.end_point[0]
        elif kind == "expression_statement" and child.child_count and child.children[0].type == "string":
            if last_import < 0 and child.start_point[0] == after_prologue:  # 'use client', a module docstring
                after_prologue = child.end_point[0] + 1
        elif kind == "hash_bang_line":
            after_prologue = child.end_point[0] + 1
    # a Svelte / Vue component: at the top of its script, never above the `<script>` tag
    return last_import + 1 if last_import >= 0 else min(max(after_prologue, doc.first_code_line), len(lines))


def relative_module(from_path: str, module_path: str, keep_extension: bool) -> str:
    """An import specifier for `module_path` as seen from the file at `from_path` (both workspace-relative)."""
    target = module_path if keep_extension else posixpath.splitext(module_path)[0]
    spec = posixpath.relpath(target, posixpath.dirname(from_path) or ".")
    return spec if spec.startswith(".") else "./" + spec
