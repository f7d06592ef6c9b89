#!/usr/bin/env bash
# Builds the installers from the Release build tree and checks the .deb the way a user gets it:
# desktop-file and AppStream validators, lintian, then install it, run the installed binaries
# (version, a short generation on the installed demo model, the GUI offscreen) and remove it.
# Installs a system package, so CI runs this (.ci/run), not the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh package
bash scripts/build.sh build -- all
rm -f build/tern_*.deb build/tern-*.rpm build/tern-*.tar.gz
(cd build && cpack)

deb=$(ls build/tern_*.deb)
ls build/tern-*.rpm build/tern-*.tar.gz >/dev/null

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

desktop-file-validate packaging/linux/io.github.ternapp.Tern.desktop
appstreamcli validate --no-net packaging/linux/io.github.ternapp.Tern.metainfo.xml
lintian --fail-on error "$deb"

if dpkg-query -W -f='${db:Status-Status}' tern 2>/dev/null | grep -q '^installed$'; then
  echo "check-package: a tern package is already installed; remove it first (apt-get remove tern)" >&2
  exit 1
fi
remove_package() { "${sudo_cmd[@]}" apt-get remove -y -q tern >/dev/null; }
trap remove_package EXIT
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "./$deb"

# Run from an empty folder so nothing can be found relative to the working directory.
scratch=$(mktemp -d)
cd "$scratch"
/usr/bin/tern-cli --version
test -f /usr/share/tern/tern-demo.gguf
/usr/bin/tern-cli run -m /usr/share/tern/tern-demo.gguf -p "ROMEO:" -n 16 --temp 0
/usr/bin/tern-cli run -p "ROMEO:" -n 8 --temp 0   # the installed demo model is the default
QT_QPA_PLATFORM=offscreen /usr/bin/tern --self-test
cd / && rm -rf "$scratch"

remove_package
trap - EXIT
if [ -e /usr/bin/tern ] || [ -e /usr/share/tern ]; then
  echo "check-package: files left behind after removing the package" >&2
  exit 1
fi
echo "check-package: the .deb installs, runs and removes cleanly"
