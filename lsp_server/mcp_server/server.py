"""The MCP server: skills as `posthog://` resources, a setup prompt, env and detection tools, hot reload.

Built on the low-level `mcp.server.lowlevel.Server` because resources are listed from disk at request
time and because the high-level runner advertises `resources.listChanged = false`. Handshake-era clients
(`initialize`, protocol 2025-11-25) get `notifications/resources/list_changed` on their connection and
`notifications/resources/updated` for URIs they subscribed to; 2026-07-28 clients get the same events
through `subscriptions/listen`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.models import InitializationOptions
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ResourcesListChanged, ResourceUpdated
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lsp_server import __version__ as VERSION
from lsp_server.skills import bundled_skills_root

from . import tools
from .catalog import BASIC_WORKFLOW, SCHEME, TEMPLATES, Catalog
from .sandbox import Refused

log = logging.getLogger(__name__)

OVERRIDE_DIR = ".posthog/skills"
PROMPT_NAME = "posthog-setup"
INSTRUCTIONS = (
    "PostHog integration guidance. Start with the posthog-setup prompt or the resource "
    f"{SCHEME}workflows/{BASIC_WORKFLOW}/begin; each step names the next one."
)


class _CheckEnvKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str = Field(description="env file relative to the workspace root, e.g. .env.local")
    keys: list[str] = Field(description="variable names to check, e.g. NEXT_PUBLIC_POSTHOG_KEY")


class _SetEnvValues(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str = Field(description="env file relative to the workspace root (created if missing)")
    values: dict[str, str] = Field(description="variable name -> value; values are never echoed back")


class _PathArg(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(default=".", description="file or folder relative to the workspace root")


class _NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _tool(name: str, description: str, model: type[BaseModel], read_only: bool) -> types.Tool:
    return types.Tool(name=name, description=description, input_schema=model.model_json_schema(),
                      annotations=types.ToolAnnotations(read_only_hint=read_only, open_world_hint=False))


class _Server(Server):
    """Advertises `resources.listChanged` to handshake-era clients on every transport."""

    def create_initialization_options(self, notification_options: NotificationOptions | None = None,
                                      experimental_capabilities: dict[str, dict[str, Any]] | None = None,
                                      extensions: dict[str, dict[str, Any]] | None = None) -> InitializationOptions:
        return super().create_initialization_options(
            notification_options or NotificationOptions(resources_changed=True), experimental_capabilities, extensions)


def _flatten() -> Callable[[Path], str] | None:
    try:
        from lsp_server.guidance.flatten import flatten_example
    except ImportError:
        return None
    return flatten_example


class PosthogMcp:
    """One MCP server over one workspace root; serve it with `run_stdio` or `run_http` (see `__init__`)."""

    def __init__(self, root: Path | str, skills_root: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.catalog = Catalog(skills_root or bundled_skills_root(), self.root / OVERRIDE_DIR, _flatten())
        self.bus = InMemorySubscriptionBus()
        self._connections: dict[int, Any] = {}  # id -> mcp Connection (handshake era)
        self._subscribers: dict[str, set[int]] = {}  # uri -> connection ids
        self._snapshot = self.catalog.snapshot()
        self.server = _Server(
            "posthog",
            version=VERSION,
            instructions=INSTRUCTIONS,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_templates,
            on_read_resource=self._read_resource,
            on_subscribe_resource=self._subscribe,
            on_unsubscribe_resource=self._unsubscribe,
            on_subscriptions_listen=ListenHandler(self.bus),
            on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt,
            on_completion=self._complete,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
        )
        self.server.middleware.append(self._track_connection)
        self._tools: dict[str, tuple[types.Tool, type[BaseModel], Callable[[BaseModel], dict[str, Any]]]] = {
            "check_env_keys": (
                _tool("check_env_keys", "Report which variables an env file defines (present/missing, never values).",
                      _CheckEnvKeys, True),
                _CheckEnvKeys, lambda a: tools.check_env_keys(self.root, a.file, a.keys)),
            "set_env_values": (
                _tool("set_env_values", "Write variables into an env file inside the workspace (merge or create) "
                      "and make sure .gitignore covers it. Values are never echoed.", _SetEnvValues, False),
                _SetEnvValues, lambda a: tools.set_env_values(self.root, a.file, a.values)),
            "list_frameworks": (
                _tool("list_frameworks", "Frameworks with setup docs, examples and snippets.", _NoArgs, True),
                _NoArgs, lambda a: tools.list_frameworks(self.catalog)),
            "detect_frameworks": (
                _tool("detect_frameworks", "Packages under a path: framework, language, package manager, PostHog "
                      "setup.", _PathArg, True),
                _PathArg, lambda a: tools.detect_frameworks(self.root, a.path)),
            "detect_flows": (
                _tool("detect_flows", "Business flows (signup, login, checkout, subscriptions, ...) under a path, "
                      "with whether each is tracked (JSON contract v1).", _PathArg, True),
                _PathArg, lambda a: tools.detect_flows(self.root, a.path)),
        }

    # -- connections and change notifications ------------------------------------------------------------

    async def _track_connection(self, ctx: ServerRequestContext[Any, Any], call_next: Any) -> Any:
        """Remember each handshake-era connection so skill changes can be pushed to it later."""
        connection = getattr(ctx.session, "_connection", None)  # no public accessor in mcp 2.3
        modern = ctx.protocol_version in MODERN_PROTOCOL_VERSIONS  # those listen on the bus instead
        if connection is not None and not modern and id(connection) not in self._connections:
            key = id(connection)
            self._connections[key] = connection
            connection.exit_stack.callback(self._forget, key)
        return await call_next(ctx)

    def _forget(self, key: int) -> None:
        self._connections.pop(key, None)
        for subscribers in self._subscribers.values():
            subscribers.discard(key)

    async def reload(self) -> tuple[bool, list[str]]:
        """Re-read the skills; notify list changes and updated subscribed URIs. Returns (list changed, changed)."""
        before, after = self._snapshot, self.catalog.snapshot(self._subscribers)
        self._snapshot = after
        changed = sorted(uri for uri in before.keys() | after.keys() if before.get(uri) != after.get(uri))
        if not changed:
            return False, []
        list_changed = before.keys() != after.keys()
        log.info("skills changed: %d resource(s)", len(changed))
        for connection in list(self._connections.values()):
            await connection.send_resource_list_changed()
        await self.bus.publish(ResourcesListChanged())
        for uri in changed:
            for key in list(self._subscribers.get(uri, ())):
                connection = self._connections.get(key)
                if connection is not None:
                    await connection.send_resource_updated(uri)
            await self.bus.publish(ResourceUpdated(uri=uri))
        return list_changed, changed

    def watcher(self) -> Any:
        from .watch import SkillWatcher

        return SkillWatcher([self.catalog.skills_root, self.root / OVERRIDE_DIR], self.reload)

    # -- resources ----------------------------------------------------------------------------------------

    async def _list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[
            types.Resource(uri=e.uri, name=e.name, description=e.description, mime_type=e.mime_type)
            for e in self.catalog.entries()
        ])

    async def _list_templates(self, ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[
            types.ResourceTemplate(uri_template=t.uri_template, name=t.name, description=t.description,
                                   mime_type=t.mime_type)
            for t in TEMPLATES
        ])

    async def _read_resource(self, ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        got = self.catalog.read(uri)
        if got is None:
            raise MCPError(code=types.INVALID_PARAMS, message="Resource not found", data={"uri": uri[:512]})
        text, mime = got
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, text=text, mime_type=mime)])

    async def _subscribe(self, ctx: ServerRequestContext[Any, Any], params: types.SubscribeRequestParams
                         ) -> types.EmptyResult:
        connection = getattr(ctx.session, "_connection", None)
        uri = str(params.uri)
        if connection is not None and uri.startswith(SCHEME) and len(self._subscribers) < 10_000:
            self._subscribers.setdefault(uri, set()).add(id(connection))
            if uri not in self._snapshot:  # an alias such as a snippet's stem: track its content too
                self._snapshot.update(self.catalog.hashes([uri]))
        return types.EmptyResult()

    async def _unsubscribe(self, ctx: ServerRequestContext[Any, Any], params: types.UnsubscribeRequestParams
                           ) -> types.EmptyResult:
        connection = getattr(ctx.session, "_connection", None)
        if connection is not None:
            self._subscribers.get(str(params.uri), set()).discard(id(connection))
        return types.EmptyResult()

    # -- prompt and completion ------------------------------------------------------------------------

    async def _list_prompts(self, ctx: Any, params: Any) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[types.Prompt(
            name=PROMPT_NAME,
            title="Set up PostHog",
            description="Integrate PostHog into this project, following the basic-integration workflow.",
            arguments=[types.PromptArgument(name="framework", required=False,
                                            description="framework id (see list_frameworks); detected if omitted")],
        )])

    async def _get_prompt(self, ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
        if params.name != PROMPT_NAME:
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown prompt: {params.name[:100]}")
        framework = (params.arguments or {}).get("framework") or ""
        begin_uri = f"{SCHEME}workflows/{BASIC_WORKFLOW}/begin"
        begin = self.catalog.read(begin_uri)
        if begin is None:
            raise MCPError(code=types.INTERNAL_ERROR, message="the workflow is not installed (skills/workflows)")
        ask = "Set up PostHog in this project by following the workflow below, step by step."
        if framework in self.catalog.frameworks():
            ask += f" The framework is {framework}: read {SCHEME}docs/frameworks/{framework}."
        return types.GetPromptResult(description="PostHog setup", messages=[
            types.PromptMessage(role="user", content=types.TextContent(text=ask)),
            types.PromptMessage(role="user", content=types.EmbeddedResource(resource=types.TextResourceContents(
                uri=begin_uri, text=begin[0], mime_type=begin[1]))),
        ])

    async def _complete(self, ctx: Any, params: types.CompleteRequestParams) -> types.CompleteResult:
        ref, arg = params.ref, params.argument
        context = params.context.arguments if params.context and params.context.arguments else {}
        if isinstance(ref, types.PromptReference):
            template = f"{SCHEME}docs/frameworks/{{framework}}" if ref.name == PROMPT_NAME else ""
        else:
            template = ref.uri
        values = self.catalog.complete(template, arg.name, arg.value, context) if template else []
        return types.CompleteResult(completion=types.Completion(values=values, total=len(values), has_more=False))

    # -- tools ----------------------------------------------------------------------------------------

    async def _list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[spec for spec, _, _ in self._tools.values()])

    async def _call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        entry = self._tools.get(params.name)
        if entry is None:
            return _error(f"unknown tool {params.name[:100]!r}")
        _, model, run = entry
        try:
            args = model.model_validate(params.arguments or {})
        except ValidationError as exc:  # field names only: the rejected values may be secrets
            fields = sorted({".".join(str(p) for p in err["loc"]) or "arguments" for err in exc.errors()})
            return _error(f"invalid arguments: {', '.join(fields)}")
        try:
            data = run(args)
        except Refused as exc:
            log.info("tool %s refused: %s", params.name, exc)
            return _error(f"refused: {exc}")
        except Exception:
            log.exception("tool %s failed", params.name)
            return _error(f"{params.name} failed; see the server log")
        return types.CallToolResult(content=[types.TextContent(text=json.dumps(data, indent=1, default=str))],
                                    structured_content=data)


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)
