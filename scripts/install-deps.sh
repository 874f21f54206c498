#!/usr/bin/env bash
# Installs what STUI needs on Debian/Ubuntu: system libzmq (with CURVE),
# pkg-config, tmux (end-to-end tests), pyzmq (handshake tests) and GNU
# Smalltalk 3.2.5.
# GNU Smalltalk 3.2.5 is not in bookworm; its bullseye packages are fetched
# from the machine's own Debian mirror through a private apt configuration,
# so the machine's apt sources are left untouched. Idempotent.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=()
for pkg in libzmq3-dev pkg-config tmux python3 ca-certificates; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# pyzmq: the CURVE handshake tests classify against a small Python server.
python3 -c 'import zmq' >/dev/null 2>&1 || need_apt+=(python3-zmq)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: installing ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if command -v gst >/dev/null 2>&1 && gst -v 2>/dev/null | grep -q '3\.2\.5'; then
  echo "install-deps: GNU Smalltalk 3.2.5 present"
  exit 0
fi

# The runtime libraries gst needs, from the machine's own release.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
  libgmp10 libltdl7 libreadline8 libsigsegv2 libgnutls30 zip unzip >/dev/null \
  || { $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
       libgmp10 libltdl7 libreadline8 libsigsegv2 libgnutls30 zip unzip; }

# Find the configured Debian mirror (deb822 or one-line format).
mirror=""
if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
  mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
    | grep -v -- '-security' | grep -i debian | head -n1 || true)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(grep -E '^deb\s' /etc/apt/sources.list | awk '{print $2}' \
    | grep -v -- '-security' | grep -i debian | head -n1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
echo "install-deps: fetching GNU Smalltalk 3.2.5 (bullseye) from $mirror"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ -f "$keyring" ]; then
  echo "deb [signed-by=$keyring] $mirror bullseye main" >"$work/sources.list"
else
  echo "deb $mirror bullseye main" >"$work/sources.list"
fi
apt_private=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root")
$SUDO apt-get "${apt_private[@]}" update -qq
(cd "$work/debs" && $SUDO apt-get "${apt_private[@]}" download \
  gnu-smalltalk gnu-smalltalk-common libgst7 libffi7)
$SUDO dpkg -i "$work"/debs/*.deb || {
  # dpkg leaves unmet dependencies configured-later; let apt finish them from the machine's release.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -f -y -qq
}
gst -v | head -n1
