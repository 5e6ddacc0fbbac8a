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
# The daemon's command line does not name its control directory: find it as the owner of the
# Secret Service name on this private bus (it would also exit with the bus, but not before the
# keyring directory below is removed).
keyring_pid="$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '{print $2}')" || true
cleanup() {
  if [ -n "${keyring_pid:-}" ]; then kill "$keyring_pid" 2>/dev/null || true; fi
  rm -rf "$keyring_home"
}
trap cleanup EXIT
"$@"
