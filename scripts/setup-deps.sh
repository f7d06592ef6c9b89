#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Tern needs that are not installed yet.
#   scripts/setup-deps.sh run    what building and running the app needs
#   scripts/setup-deps.sh test   that, plus what the test suite needs
#   scripts/setup-deps.sh package  that, plus what building and checking installers needs
# Idempotent: when everything is present it only checks, in well under a second.
set -euo pipefail

purpose=${1:-run}

build_packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-declarative-dev libqt6sql6-sqlite libgl-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qtquick-templates qml6-module-qtqml-workerscript
  qml6-module-qtquick-dialogs qtkeychain-qt6-dev
  libsqlite3-dev libsentencepiece-dev libcurl4-openssl-dev ca-certificates
  nlohmann-json3-dev libpcre2-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
)
test_packages=(
  qml6-module-qttest clang-format
  python3 python3-numpy python3-torch python3-sentencepiece
  g++-aarch64-linux-gnu qemu-user
  xvfb xauth
  dbus gnome-keyring
)
package_packages=(
  desktop-file-utils appstream lintian rpm file dpkg-dev gzip
)

case "$purpose" in
  run) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  package) wanted=("${build_packages[@]}" "${test_packages[@]}" "${package_packages[@]}") ;;
  *) echo "usage: $0 run|test|package" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-deps: this script installs Debian/Ubuntu packages; on other systems see README.md" >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "setup-deps: not root and no sudo; install these packages yourself: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
