"""A PostHog-free copy of an app: what a user's project looks like before `posthog-lsp integrate` runs.

Generic, with tree-sitter: statements whose code mentions PostHog are removed (imports, init, capture, identify,
reset, flush, `const posthog = usePostHog()`), together with the comment block right above them; a compound
statement whose every statement is PostHog's goes whole (`if (user) posthog.capture(...)`); functions stay
(emptied bodies get `pass` in Python); `<PostHogProvider>` wrappers are replaced by their children; list entries
naming PostHog (Django's middleware) are dropped; SDK dependencies leave package.json and requirements.txt.

What cannot be stripped generically is declared next to the app in `.posthog-free.toml` (a hidden file, so it is
neither served over MCP nor flattened into the airplane's document):

    delete = ["analytics.py"]                           # PostHog-only files
    [[replace]]                                         # exact text, which must be present
    file = "next.config.ts"
    old = "..."
    new = "..."
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

from tree_sitter import Node

from lsp_server.analysis.parsing import language_for_path, parse

MANIFEST = ".posthog-free.toml"
_MENTION = re.compile(rb"posthog", re.IGNORECASE)
_IGNORED = shutil.ignore_patterns("node_modules", "__pycache__", ".next", ".out", MANIFEST)
# Nodes whose children are statements.
_CONTAINERS = frozenset({"module", "block", "program", "statement_block", "switch_body", "class_body"})
_FUNCTIONS = frozenset({
    "function_definition", "function_declaration", "method_definition", "generator_function_declaration",
    "class_definition", "class_declaration",
})
_LISTS = frozenset({"list", "array"})
_JSX_PARTS = frozenset({"jsx_opening_element", "jsx_closing_element"})


def strip_app(src: Path, dest: Path) -> Path:
    """Copy `src` to `dest` without PostHog; returns `dest`. Raises ValueError when the manifest does not match."""
    shutil.copytree(src, dest, ignore=_IGNORED)
    manifest = tomllib.loads((src / MANIFEST).read_text()) if (src / MANIFEST).is_file() else {}
    for rel in manifest.get("delete", []):
        (dest / rel).unlink()
    for item in manifest.get("replace", []):
        path = dest / item["file"]
        text = path.read_text()
        if item["old"] not in text:
            raise ValueError(f"{MANIFEST}: {item['file']} no longer contains {item['old'][:60]!r}")
        path.write_text(text.replace(item["old"], item["new"]))
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        rel = path.relative_to(dest).as_posix()
        if path.name == "package.json":
            path.write_text(strip_package_json(path.read_text()))
        elif path.name.startswith("requirements") and path.suffix == ".txt":
            path.write_text(strip_requirements(path.read_text()))
        elif language_for_path(rel):
            path.write_text(strip_source(path.read_text(), rel))
    return dest


def strip_package_json(text: str) -> str:
    data = json.loads(text)
    if isinstance(data.get("name"), str):
        data["name"] = re.sub(r"posthog-?", "", data["name"], flags=re.IGNORECASE) or "app"
    for section in ("dependencies", "devDependencies", "peerDependencies"):
        deps = data.get(section)
        if isinstance(deps, dict):
            data[section] = {k: v for k, v in deps.items() if not _MENTION.search(k.encode())}
    return json.dumps(data, indent=2) + "\n"


def strip_requirements(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not re.match(r"\s*posthog\b", line, re.I))


def strip_source(text: str, path: str) -> str:
    """The file without PostHog code (JSX wrappers first, then statements, then stray comments)."""
    language = language_for_path(path)
    if language is None or not _MENTION.search(text.encode()):
        return text
    for step in (_unwrap_jsx, _drop_statements, _drop_comments):
        doc = parse(text, language)
        if doc is None:
            return text
        data = text.encode()
        cuts = step(doc.root, data)
        text = _apply(data, cuts).decode()
    return text


# -- the steps ----------------------------------------------------------------------------------------------------

Cut = tuple[int, int, bytes]  # start byte, end byte, replacement


def _unwrap_jsx(root: Node, data: bytes) -> list[Cut]:
    cuts: list[Cut] = []
    for node in _walk(root):
        if node.type != "jsx_element" or any(node.start_byte < s < e for s, e, _ in cuts):
            continue
        opening = node.child_by_field_name("open_tag") or node.named_children[0]
        name = opening.child_by_field_name("name")
        if name is None or not _MENTION.search(data[name.start_byte:name.end_byte]):
            continue
        inner = [c for c in node.named_children if c.type not in _JSX_PARTS and data[c.start_byte:c.end_byte].strip()]
        body = data[inner[0].start_byte:inner[-1].end_byte] if inner else b"<></>"
        shift = inner[0].start_point[1] - node.start_point[1] if inner else 0
        body = body.replace(b"\n" + b" " * shift, b"\n") if shift > 0 else body
        cuts.append((node.start_byte, node.end_byte, body))
    return cuts


def _drop_statements(root: Node, data: bytes) -> list[Cut]:
    cuts: list[Cut] = []
    _strip_container(root, data, cuts)
    return cuts


def _drop_comments(root: Node, data: bytes) -> list[Cut]:
    """Full-line comments that still talk about PostHog (their code is gone)."""
    return [_whole_lines(c, data) for c in _walk(root) if c.type == "comment" and _MENTION.search(_text(c, data))
            and _alone_on_lines(c, data)]


# -- statements ---------------------------------------------------------------------------------------------------


def _strip_container(container: Node, data: bytes, cuts: list[Cut]) -> None:
    statements = [c for c in container.named_children if c.type != "comment"]
    removed = []
    for stmt in statements:
        if not _mentions(stmt, data):
            continue
        entries = _list_entries(stmt, data)
        if entries and not _mentions(stmt, data, skip=entries):
            cuts.extend(_with_comments_above(e, data, trailing_comma=True) for e in entries)
            continue
        if _posthog_only(stmt, data):
            removed.append(stmt)
            cuts.append(_with_comments_above(stmt, data))
            continue
        for child in _nested_containers(stmt):
            _strip_container(child, data, cuts)
    if container.type == "block" and statements and len(removed) == len(statements):
        last = cuts.pop()  # a Python block cannot be empty
        indent = b" " * statements[-1].start_point[1]
        cuts.append((last[0], last[1], indent + b"pass\n"))


def _posthog_only(stmt: Node, data: bytes) -> bool:
    """Every statement inside mentions PostHog (a function or class goes only when its name does)."""
    if stmt.type in _FUNCTIONS or (stmt.type in ("decorated_definition", "export_statement") and any(
        c.type in _FUNCTIONS for c in stmt.named_children
    )):
        name = _definition_name(stmt)
        return name is not None and bool(_MENTION.search(_text(name, data)))
    inner = _nested_containers(stmt)
    if not inner:
        return _mentions(stmt, data)
    leaves = [s for c in inner for s in c.named_children if s.type != "comment"]
    return bool(leaves) and all(_posthog_only(s, data) for s in leaves)


def _definition_name(stmt: Node) -> Node | None:
    for node in (stmt, *stmt.named_children):
        if node.type in _FUNCTIONS:
            return node.child_by_field_name("name")
        if node.type == "decorated_definition" and node is not stmt:
            return _definition_name(node)
    return None


def _nested_containers(node: Node) -> list[Node]:
    """The statement lists directly inside `node` (not inside a nested container)."""
    found = []
    for child in node.named_children:
        if child.type in _CONTAINERS:
            found.append(child)
        else:
            found.extend(_nested_containers(child))
    return found


def _list_entries(stmt: Node, data: bytes) -> list[Node]:
    return [e for n in _walk(stmt) if n.type in _LISTS for e in n.named_children
            if e.type != "comment" and _mentions(e, data)]


# -- bytes --------------------------------------------------------------------------------------------------------


def _walk(node: Node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _text(node: Node, data: bytes) -> bytes:
    return data[node.start_byte:node.end_byte]


def _mentions(node: Node, data: bytes, skip: list[Node] = ()) -> bool:
    """The node's code (comments and `skip`ped nodes blanked) mentions PostHog."""
    holes = [(n.start_byte, n.end_byte) for n in _walk(node) if n.type == "comment"]
    holes += [(n.start_byte, n.end_byte) for n in skip]
    code = bytearray(_text(node, data))
    for start, end in holes:
        code[start - node.start_byte:end - node.start_byte] = b" " * (end - start)
    return bool(_MENTION.search(bytes(code)))


def _line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def _line_end(data: bytes, offset: int) -> int:
    end = data.find(b"\n", offset)
    return len(data) if end < 0 else end + 1


def _alone_on_lines(node: Node, data: bytes) -> bool:
    before = data[_line_start(data, node.start_byte):node.start_byte]
    return not before.strip()


def _whole_lines(node: Node, data: bytes) -> Cut:
    return (_line_start(data, node.start_byte), _line_end(data, node.end_byte), b"")


def _with_comments_above(node: Node, data: bytes, trailing_comma: bool = False) -> Cut:
    """The node's lines (with a trailing comment or comma) and the comment block right above it."""
    end = node.end_byte
    if trailing_comma and data[end:end + 1] == b",":
        end += 1
    rest = data[end:_line_end(data, end)].strip()
    if not _alone_on_lines(node, data) or (rest and not rest.startswith((b"//", b"#", b";"))):
        return (node.start_byte, end, b"")
    start = _line_start(data, node.start_byte)
    prev = node.prev_sibling
    while prev is not None and prev.type == "comment" and _alone_on_lines(prev, data):
        gap = data[prev.end_byte:start]
        if gap.count(b"\n") > 1:
            break  # a blank line: the comment is about something else
        start = _line_start(data, prev.start_byte)
        prev = prev.prev_sibling
    return (start, _line_end(data, end), b"")


def _apply(data: bytes, cuts: list[Cut]) -> bytes:
    out, pos = bytearray(), 0
    for start, end, new in sorted(set(cuts)):
        if start < pos:
            continue  # inside a range already removed
        out += data[pos:start] + new
        pos = end
    return bytes(out + data[pos:])
