#!/bin/sh
# Runs a command with a fresh, unlocked GNOME keyring (Secret Service) in a temporary home, for
# the keychain tests. Start it under its own D-Bus session:
#   dbus-run-session -- sh tests/app/with_test_keyring.sh <test> [args...]
set -eu
home=$(mktemp -d "${TMPDIR:-/tmp}/tern-keyring.XXXXXX")
keyring_pid=
cleanup() {
  if [ -n "$keyring_pid" ]; then kill "$keyring_pid" 2>/dev/null || true; fi
  rm -rf "$home"
}
trap cleanup EXIT
export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache"
export XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# --unlock reads the new login keyring's password from stdin and creates it unlocked.
printf 'tern-test' | gnome-keyring-daemon --unlock --components=secrets >"$home/keyring.env"
keyring_pid=$(sed -n 's/^GNOME_KEYRING_PID=//p' "$home/keyring.env")
"$@"
