#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100, the last line that runs on Node 20) for the extension's
# end-to-end test, into a cache folder outside the repo. Idempotent: a complete install is detected by a
# marker file and skipped. Steps follow issue 7 ("How code-server installs here"): the npm package's own
# postinstall downloads prebuilt binaries from the internet, which fails here, so every install script is
# skipped and the native modules are built locally with node-gyp against Debian's Node headers.
#
# Usage: test/scripts/install-code-server.sh            (prints the code-server entry point when done)
# Env:   STRONGROOM_CODE_SERVER_DIR   cache folder (default ~/.cache/strongroom/code-server-4.100.3)
set -euo pipefail

version=4.100.3
dir="${STRONGROOM_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/strongroom/code-server-$version}"
marker="$dir/.strongroom-installed"
entry="$dir/node_modules/code-server/out/node/entry.js"

if [ -f "$marker" ] && [ -f "$entry" ]; then
  echo "$entry"
  exit 0
fi

# Debian packages the native builds need (and ripgrep, whose npm package would download a binary).
export DEBIAN_FRONTEND=noninteractive
apt_packages=(ripgrep pkg-config build-essential python3 libx11-dev libxkbfile-dev libsecret-1-dev libkrb5-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Build against the installed Node's headers instead of downloading them.
if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi

mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{ "name": "strongroom-code-server-cache", "private": true }\n' > package.json

echo "code-server $version: npm install (scripts skipped)" >&2
npm install --no-audit --no-fund --ignore-scripts "code-server@$version"
npm rebuild argon2

vscode="$dir/node_modules/code-server/lib/vscode"
cd "$vscode"
echo "code-server $version: lib/vscode dependencies" >&2
npm install --no-audit --no-fund --omit=dev --ignore-scripts

echo "code-server $version: native modules" >&2
# npm's bundled node-gyp (npx would try to fetch one).
node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
for m in node-pty @vscode/spdlog kerberos native-watchdog @parcel/watcher; do
  if [ -d "node_modules/$m" ]; then
    (cd "node_modules/$m" && node "$node_gyp" rebuild)
  else
    echo "  ($m not present, skipped)" >&2
  fi
done

# @vscode/ripgrep's own install step downloads the binary; use Debian's.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg

# The server loads modules from node_modules.asar; point it at the real folder.
if [ ! -e node_modules.asar ]; then ln -s node_modules node_modules.asar; fi

echo "code-server $version: built-in extensions' dependencies" >&2
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts)

touch "$marker"
echo "$entry"
