"""Nuxt setup for Integrate PostHog: a client-only plugin initialising posthog-js and the two runtimeConfig.public
entries it reads, added inside `defineNuxtConfig({...})`.

Pure: files are read through the setup context; an edit that would leave nuxt.config unparseable is dropped and a
note says what to add by hand. Running it again adds nothing (the entries are looked for first).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from ..analysis.model import Span
from ..analysis.parsing import language_for_path, parse
from .model import PlannedEdit
from .text_style import detect_style, restyle

if TYPE_CHECKING:
    from .setup import SetupPlan, _Ctx

_GROUP = "posthog_setup"


def plan_nuxt(ctx: _Ctx, init: dict[str, Any], plan: SetupPlan) -> None:
    """Create plugins/posthog.client.(ts|js) (app/plugins/ in a Nuxt 4 app/ layout) and add the runtime config."""
    ext = "ts" if ctx.package.language == "typescript" else "js"
    base = "app/" if any(ctx.read(ctx.rel(m)) is not None for m in init.get("app_dir_markers", [])) else ""
    for name in init.get("configs", []):  # `srcDir: 'src'` in nuxt.config moves plugins/ there
        src_dir = re.search(r"""\bsrcDir\s*:\s*['"]\.?/?([\w-]+(?:/[\w-]+)*)/?['"]""", ctx.read(ctx.rel(name)) or "")
        if src_dir is not None:
            base = src_dir.group(1) + "/"
            break
    plugin = ctx.rel(f"{base}{init['plugin_file']}.{ext}")
    content = ctx.render(init["plugin"])
    if ctx.read(plugin) is not None:
        plan.notes.append(f"{plugin} exists without posthog.init: initialise posthog-js there by hand")
    elif content is not None:
        label = f"Create {plugin} (initialises posthog-js in the browser)"
        plan.edits.append(PlannedEdit(plugin, Span(0, 0, 0, 0), content, label, _GROUP, True))
    _runtime_config(ctx, init, plan)


def _runtime_config(ctx: _Ctx, init: dict[str, Any], plan: SetupPlan) -> None:
    entries = ctx.render(init["runtime_public"])
    if entries is None:
        return
    for name in init.get("configs", []):
        path = ctx.rel(name)
        text = ctx.read(path)
        if text is None:
            continue
        if re.search(init.get("config_present", "posthogPublicKey"), text):
            return
        edit = _config_edit(path, text, entries.rstrip("\n").split("\n"))
        if edit is None:
            plan.notes.append(
                f"add runtimeConfig.public.posthogPublicKey / posthogHost to {path} by hand "
                "(no object literal to add them to was found in defineNuxtConfig({...}))"
            )
        else:
            plan.edits.append(edit)
        return
    indented = "\n".join(("      " + line) if line.strip() else "" for line in entries.rstrip("\n").split("\n"))
    content = ctx.render(init["config_create"], {"runtime_public": indented})
    if content is not None:
        path = ctx.rel("nuxt.config.ts")  # Nuxt's default name, JavaScript apps included (the template has no types)
        label = f"Create {path} (runtimeConfig.public for PostHog)"
        plan.edits.append(PlannedEdit(path, Span(0, 0, 0, 0), content, label, _GROUP, True))


def _config_edit(path: str, text: str, entries: list[str]) -> PlannedEdit | None:
    """The insertion of `entries` into runtimeConfig.public (creating the missing levels), or None when the config
    object is not found or the result would not parse."""
    language = language_for_path(path)
    if language is None or "\r" in text:
        return None if language is None else _config_edit_crlf(path, text, entries)
    doc = parse(text, language)
    if doc is None:
        return None
    config = _config_object(doc.root)
    if config is None:
        return None
    target, block = config, entries
    runtime = _property(config, "runtimeConfig")
    if runtime is None and _property(config, "runtimeConfig", any_value=True) is not None:
        return None  # `runtimeConfig: shared`: not an object literal to add to
    if runtime is None:
        block = ["runtimeConfig: {", "  public: {", *("    " + e for e in entries), "  },", "},"]
    else:
        public = _property(runtime, "public")
        if public is not None:
            target = public
        elif _property(runtime, "public", any_value=True) is not None:
            return None  # `public: shared`
        else:
            target, block = runtime, ["public: {", *("  " + e for e in entries), "},"]
    style = detect_style(text, language, doc)
    data = doc.data
    open_end = len(data[: target.start_byte + 1].decode("utf-8"))  # just after `{`
    line_start = text.rfind("\n", 0, open_end) + 1
    outer = re.match(r"[ \t]*", text[line_start:]).group(0)  # type: ignore[union-attr]
    pairs = [c for c in target.named_children if c.type not in ("comment",)]
    inner = outer + style.indent_unit
    first = open_end
    if pairs:
        first = start = len(data[: pairs[0].start_byte].decode("utf-8"))
        if text.rfind("\n", open_end, start) != -1:  # the first property on its own line: its indentation
            inner = re.match(r"[ \t]*", text[text.rfind("\n", 0, start) + 1 :]).group(0)  # type: ignore[union-attr]
    lines = restyle(block, style, language, inner, template_unit="  ")
    end = open_end  # the edit replaces [open_end, end)
    if pairs and text.rfind("\n", open_end, first) != -1:
        insert = "\n" + "\n".join(lines)
    elif pairs:  # `{ a: 1 }` on one line: the first property moves to its own line
        insert, end = "\n" + "\n".join(lines) + "\n" + inner, first
    else:
        after = text[open_end:]
        closing = re.match(r"\s*}", after)
        insert = "\n" + "\n".join(lines) + ("\n" + outer if closing and "\n" not in closing.group(0) else "")
    new_text = text[:open_end] + insert + text[end:]
    new_doc = parse(new_text, language)
    if new_doc is None or (new_doc.root.has_error and not doc.root.has_error):
        return None
    line = text.count("\n", 0, open_end)
    span = Span(line, open_end - line_start, line, end - line_start)  # `end` is on the same line as `{`
    return PlannedEdit(path, span, insert, f"Add PostHog's runtimeConfig.public to {path}", _GROUP)


def _config_edit_crlf(path: str, text: str, entries: list[str]) -> PlannedEdit | None:
    edit = _config_edit(path, text.replace("\r\n", "\n"), entries)
    if edit is None:
        return None
    return PlannedEdit(edit.path, edit.span, edit.new_text.replace("\n", "\r\n"), edit.label, edit.group)


def _config_object(root: Node) -> Node | None:
    """The object passed to `defineNuxtConfig(...)`, else the object `export default` gives."""
    stack = [root]
    fallback: Node | None = None
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if fn is not None and fn.text == b"defineNuxtConfig" and args is not None:
                obj = next((a for a in args.named_children if a.type == "object"), None)
                if obj is not None:
                    return obj
        if node.type == "export_statement" and fallback is None:
            value = node.child_by_field_name("value")
            if value is not None and value.type == "object":
                fallback = value
        stack.extend(reversed(node.named_children))
    return fallback


def _property(obj: Node, name: str, *, any_value: bool = False) -> Node | None:
    """The object value of `name: {...}` in `obj` (any value with `any_value`)."""
    for pair in obj.named_children:
        if pair.type != "pair":
            continue
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if key is None or value is None:
            continue
        named = key.text is not None and key.text.decode("utf-8").strip("'\"") == name
        if named and (any_value or value.type == "object"):
            return value
    return None
