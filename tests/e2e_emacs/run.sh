#!/usr/bin/env bash
# Manual acceptance: posthog-lsp in a real Emacs + Eglot, batch mode, offline (not part of `make test` or CI).
# Needs `emacs` (Debian 12: `apt-get install emacs-nox elpa-eglot`; Emacs 29+ ships Eglot). Prints EMACS E2E OK.
# Usage: tests/e2e_emacs/run.sh [app folder, default tests/fixtures/apps/flask] [file in it, default app/auth.py]
#        [text on the line of its login handler, default "def login"]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
app="${1:-$repo/tests/fixtures/apps/flask}"
target="${2:-app/auth.py}"
python="${PYTHON:-$repo/.venv/bin/python}"
work="$(mktemp -d -t posthog-emacs.XXXX)"
cp -r "$app/." "$work/"
git -C "$work" init -q  # a project root for project.el, as in a real checkout
export ANCHOR="${3:-def login}"
export POSTHOG_LSP="${POSTHOG_LSP:-$python -m lsp_server}" TARGET="$work/$target" OUT="$work/emacs-report.json"
status=0
timeout 120 emacs --batch -l "$here/driver.el" 2>"$work/emacs.log" || status=$?
"$python" - "$OUT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("Emacs:", r.get("eglot_version", "?").splitlines()[0])
print(f"connected {r.get('connected_ms')} ms, first diagnostics {r.get('first_diagnostics_ms')} ms, "
      f"code actions {r.get('code_actions_ms')} ms, quick fix saved {r.get('applied_ms')} ms, "
      f"integrate {r.get('integrate_ms')} ms, shutdown answered in {r.get('shutdown_ms')} ms")
print("server CPU time at first diagnostics:", r.get("server_cpu_ms_at_first_diagnostics"), "ms")
print("diagnostics:", len(r.get("diagnostics", [])), "->", len(r.get("diagnostics_after", [])), "after the fix")
print("code actions:", [a[0] for a in r.get("code_actions", [])])
print("integrate:", json.dumps(r.get("integrate")))
print("error:", r["error"]) if "error" in r else None
PY
if [ "$status" -eq 0 ]; then echo "EMACS E2E OK ($work)"; else echo "EMACS E2E FAILED ($work, see emacs.log)"; fi
exit "$status"
