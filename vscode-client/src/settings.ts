/**
 * The `posthog.*` settings and the options the language server receives.
 *
 * Pure: no `vscode` import, so the mapping is unit-tested without an editor. `extension.ts` hands in a
 * getter over `workspace.getConfiguration('posthog')`.
 */

export const SECTION = 'posthog';

export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type Region = 'us' | 'eu';
export type McpMode = 'bundled' | 'command' | 'url';
export type AgentMode = 'auto' | 'on' | 'off';

/** Where the server gets its guidance: bundled skills, an MCP server it starts, or one it connects to. */
export interface McpOptions {
    mode: McpMode;
    command: string[];
    url: string;
}

/** What the server receives as `initializationOptions` and in `workspace/didChangeConfiguration`. */
export interface ServerOptionsPayload {
    enable: boolean;
    severity: Record<string, Severity>;
    excludes: string[];
    region: Region;
    host: string;
    mcp: McpOptions;
    agent: AgentMode;
    model: string;
}

/** Every `posthog.*` setting the client reads, normalised. */
export interface PosthogSettings extends ServerOptionsPayload {
    interpreter: string[];
    trace: 'off' | 'messages' | 'verbose';
}

/** Reads one setting below `posthog.` (e.g. `mcp.mode`); returns undefined when unset. */
export type SettingGetter = (key: string) => unknown;

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint', 'off'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
    return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function text(value: unknown): string {
    return typeof value === 'string' ? value.trim() : '';
}

function strings(value: unknown): string[] {
    if (typeof value === 'string') {
        return value.trim() ? [value.trim()] : []; // tolerate a plain string where a list is expected
    }
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

function severities(value: unknown): Record<string, Severity> {
    const result: Record<string, Severity> = {};
    if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
            const normalised = typeof level === 'string' ? level.toLowerCase() : level;
            if (typeof normalised === 'string' && (SEVERITIES as readonly string[]).includes(normalised)) {
                result[code] = normalised as Severity;
            }
        }
    }
    return result;
}

/** Normalises raw settings: wrong types fall back to the defaults instead of reaching the server. */
export function readSettings(get: SettingGetter): PosthogSettings {
    return {
        enable: get('enable') !== false,
        severity: severities(get('severity')),
        excludes: strings(get('excludes')),
        region: oneOf(get('region'), ['us', 'eu'] as const, 'us'),
        host: text(get('host')).replace(/\/+$/, ''),
        mcp: {
            mode: oneOf(get('mcp.mode'), ['bundled', 'command', 'url'] as const, 'bundled'),
            command: strings(get('mcp.command')),
            url: text(get('mcp.url')),
        },
        agent: oneOf(get('agent'), ['auto', 'on', 'off'] as const, 'auto'),
        model: text(get('model')),
        interpreter: strings(get('interpreter')),
        trace: oneOf(get('trace.server'), ['off', 'messages', 'verbose'] as const, 'off'),
    };
}

/** The settings the server acts on, in the shape of its `initializationOptions`. */
export function toInitializationOptions(settings: PosthogSettings): ServerOptionsPayload {
    const { enable, severity, excludes, region, host, mcp, agent, model } = settings;
    return { enable, severity, excludes, region, host, mcp: { ...mcp }, agent, model };
}

/** Settings whose change needs a new server process; the rest are sent as didChangeConfiguration. */
const RESTART_KEYS = ['interpreter'];
/** Settings the client handles itself (languageclient reads `trace.server`). */
const CLIENT_ONLY_KEYS = ['trace'];

export type ConfigurationReaction = 'restart' | 'notify' | 'none';

/** What a settings change asks of the client, given VS Code's `affectsConfiguration`. */
export function reactionTo(affects: (section: string) => boolean): ConfigurationReaction {
    if (!affects(SECTION)) {
        return 'none';
    }
    if (RESTART_KEYS.some((key) => affects(`${SECTION}.${key}`))) {
        return 'restart';
    }
    const serverKeys: (keyof ServerOptionsPayload)[] = [
        'enable', 'severity', 'excludes', 'region', 'host', 'mcp', 'agent', 'model',
    ];
    if (serverKeys.some((key) => affects(`${SECTION}.${key}`))) {
        return 'notify';
    }
    return CLIENT_ONLY_KEYS.some((key) => affects(`${SECTION}.${key}`)) ? 'none' : 'notify';
}
