#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service),
# so tests use the real OS keychain without touching the developer's own keyrings.
# Usage: dbus-run-session -- test/scripts/with-keyring.sh <command...>
set -euo pipefail
keyring_home="$(mktemp -d -t strongroom-keyring-XXXXXX)"
export XDG_DATA_HOME="$keyring_home"
# --unlock reads the login keyring password from stdin and creates the keyring if it is missing.
eval "$(printf 'strongroom-test-keyring' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL
cleanup() { pkill -u "$(id -u)" -f "gnome-keyring-daemon.*$GNOME_KEYRING_CONTROL" 2>/dev/null || true; rm -rf "$keyring_home"; }
trap cleanup EXIT
"$@"
