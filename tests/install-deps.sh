#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages that building, testing and the demo need,
# only those not installed yet (asked of dpkg-query), so a second run costs
# nothing and needs no network. Used by tests/run.sh and demo/demo.sh.
set -euo pipefail

packages=(
        meson ninja-build pkg-config gcc
        libsystemd-dev libmnl-dev
        libglib2.0-dev libglib2.0-bin libglib-testing-0-dev
        libxml2-utils iproute2 util-linux
        dbus-daemon polkitd systemd
        python3 python3-dbus python3-gi valgrind
        openvpn iputils-ping
        scdoc groff-base man-db procps bsdutils
        # The Debian package and the test under systemd (tests/package/,
        # tests/systemd/).
        build-essential dpkg-dev debhelper lintian systemd-container
)

missing=()
for p in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = installed ] || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
        exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
