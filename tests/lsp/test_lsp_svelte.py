"""A SvelteKit component in the editor: its <script> is analysed where it stands, and "Track …" edits land inside it."""

from __future__ import annotations

from lsp_helpers import apply_action, code_actions, codes, diagnostics_at, initialize, open_doc, position_of, write
from lsprotocol import types
from pytest_lsp import LanguageClient

SVELTEKIT_PACKAGE = '{"name": "app", "devDependencies": {"@sveltejs/kit": "^2.0.0", "svelte": "^5.0.0"}}'
# CRLF line endings, an emoji in the markup above the script and one before the function on its own line
SIGN_OUT = (
    "<svelte:head><title>Sign out 👋</title></svelte:head>\r\n"
    '<script lang="ts">\r\n'
    '  import { goto } from "$app/navigation"\r\n'
    "\r\n"
    "  let { data } = $props()\r\n"
    "\r\n"
    "  /* 👋 bye */ async function handleSignOut() {\r\n"
    "    const { error } = await data.supabase.auth.signOut()\r\n"
    "    if (error) return\r\n"
    '    goto("/")\r\n'
    "  }\r\n"
    "</script>\r\n"
    "\r\n"
    '<button on:click={handleSignOut}>Sign out — ✨</button>\r\n'
)


async def test_svelte_logout_is_flagged_at_its_function_and_tracked_inside_the_script(client: LanguageClient, tmp_path):
    write(tmp_path, "package.json", SVELTEKIT_PACKAGE)
    uri = write(tmp_path, "src/routes/sign_out/+page.svelte", SIGN_OUT)
    await initialize(client, tmp_path)
    open_doc(client, uri, SIGN_OUT)
    diags = await diagnostics_at(client, uri, 1)
    [flow] = [d for d in diags if d.code == "posthog/untracked-flow"]
    # the function's head line, lines counted in the .svelte file; the end in UTF-16 units (the emoji counts 2)
    assert flow.range.start == position_of(SIGN_OUT, "/* 👋")
    assert flow.range.end == position_of(SIGN_OUT, "\r\n    const { error }") == types.Position(6, 47)
    actions = await code_actions(client, uri, flow.range, [flow])
    [track] = [a for a in actions if a.title.startswith("Track user_logged_out")]
    text, others = await apply_action(client, uri, SIGN_OUT, 1, track.edit)
    # browser code: no server module; the only other file is the manifest getting posthog-js
    assert list(others) == [(tmp_path / "package.json").as_uri()]
    assert '"posthog-js"' in others[(tmp_path / "package.json").as_uri()]
    assert text.startswith(
        "<svelte:head><title>Sign out 👋</title></svelte:head>\r\n"
        '<script lang="ts">\r\n'
        '  import { goto } from "$app/navigation"\r\n'
        '  import posthog from "posthog-js"\r\n'
    )
    assert (
        "    if (error) return\r\n"
        '    posthog.capture("user_logged_out")\r\n'
        "    posthog.reset()\r\n"
        '    goto("/")\r\n'
    ) in text
    assert text.endswith('</script>\r\n\r\n<button on:click={handleSignOut}>Sign out — ✨</button>\r\n')
    assert "posthog/untracked-flow" not in codes(await diagnostics_at(client, uri, 2))
