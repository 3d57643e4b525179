#!/usr/bin/env bash
# Installs, idempotently, the third-party programs the unit suites compare against or need (parsers,
# shells, database servers): the Debian packages listed in apt-packages.txt beside this file. A second
# run only checks and exits. Tests never skip for want of one of these: they fail.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$HERE/apt-packages.txt" | grep -v '^$' || true)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: apt-get install ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node 20, for the test that the extension's bundle loads on the extension host of VS Code releases
# before 1.101 (test/extension/unit/package.test.ts). The project itself runs on Node 24, and the
# machine's own node may be any version, so Node 20 comes from the npm registry (the `node` package,
# whose install step fetches the platform's binary) into .cache/node20.
ROOT="$(cd "$HERE/../.." && pwd)"
NODE20_DIR="$ROOT/.cache/node20"
if ! "$NODE20_DIR/node_modules/.bin/node" -p 'process.versions.node' 2>/dev/null | grep -q '^20\.'; then
  echo "setup: Node 20 into .cache/node20"
  mkdir -p "$NODE20_DIR"
  echo '{"name":"node20","private":true,"allowScripts":{"node":true}}' > "$NODE20_DIR/package.json"
  PATH="$ROOT/node_modules/.bin:$PATH" npm install --prefix "$NODE20_DIR" --no-audit --no-fund --no-package-lock node@20 >/dev/null
  "$NODE20_DIR/node_modules/.bin/node" -p 'process.versions.node' | grep -q '^20\.'
fi

# GitHub's @github/local-action, which runs the Action from its sources (test/action/entry.test.ts proves
# action/main.ts runs under it). Pinned, and kept out of the project's own dependencies: it brings ~300
# packages (the artifact and cache toolkits with their Azure and protobuf SDKs) for this one test.
LOCAL_ACTION_VERSION=7.0.1
LOCAL_ACTION_DIR="$ROOT/.cache/local-action"
if [ "$(cat "$LOCAL_ACTION_DIR/node_modules/@github/local-action/package.json" 2>/dev/null | PATH="$ROOT/node_modules/.bin:$PATH" node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).version)}catch{}})')" != "$LOCAL_ACTION_VERSION" ] \
  || [ ! -x "$LOCAL_ACTION_DIR/node_modules/.bin/tsx" ]; then
  echo "setup: @github/local-action@$LOCAL_ACTION_VERSION into .cache/local-action"
  mkdir -p "$LOCAL_ACTION_DIR"
  echo '{"name":"local-action-runner","private":true,"allowScripts":{"esbuild":true}}' > "$LOCAL_ACTION_DIR/package.json"
  PATH="$ROOT/node_modules/.bin:$PATH" npm install --prefix "$LOCAL_ACTION_DIR" --no-audit --no-fund --no-package-lock "@github/local-action@$LOCAL_ACTION_VERSION" >/dev/null
fi

# PostgreSQL on 127.0.0.1 with a role for the tests (the server suites' second run, multi-instance tests).
bash "$HERE/postgres.sh"
