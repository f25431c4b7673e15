#!/usr/bin/env bash
# Manual acceptance: posthog-lsp in a real Vim with ALE (Debian 12: `apt-get install vim vim-ale`, ALE 3.3), offline;
# not part of `make test` or CI. Vim runs under `script` (its timers and jobs need a terminal). Prints VIM ALE E2E OK.
# Usage: tests/e2e_vim_ale/run.sh [app folder, default tests/fixtures/apps/flask] [file, default app/auth.py]
#        [text on a line of the login handler, default "login_user(user"]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
app="${1:-$repo/tests/fixtures/apps/flask}"
work="$(mktemp -d -t posthog-ale.XXXX)"
cp -r "$app/." "$work/"
export POSTHOG_PYTHON="${PYTHON:-$repo/.venv/bin/python}" TARGET="$work/${2:-app/auth.py}"
export ANCHOR="${3:-login_user(user}" PICK="Track user_logged_in" EXPECT='"user_logged_in"' OUT="$work/ale-report.json"
status=0
export PATH="$(dirname "$POSTHOG_PYTHON"):$PATH"  # the venv's posthog-lsp, as a user's install would put it on PATH
(cd "$work" && timeout 120 script -qec "vim -N -u NONE -i NONE -S '$here/driver.vim'" /dev/null >"$work/vim.log" 2>&1) \
  || status=$?
"$POSTHOG_PYTHON" -c "import json, sys; r = json.load(open(sys.argv[1])); r.pop('diagnostics', None); print(json.dumps(r))" "$OUT"
ok=$("$POSTHOG_PYTHON" -c "import json, sys; print(json.load(open(sys.argv[1])).get('ok') is True)" "$OUT")
if [ "$status" -eq 0 ] && [ "$ok" = True ]; then echo "VIM ALE E2E OK ($work)"; else echo "VIM ALE E2E FAILED ($work)"; exit 1; fi
