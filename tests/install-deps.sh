#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages that building, testing and the demo need
# (ansible-core and openssh for tests/ansible/, whose sshds run only in
# private namespaces; on a host with systemd, the package's own ssh.service
# starts as Debian's postinst does),
# only those not installed yet (asked of dpkg-query), so a second run costs
# nothing and needs no network. Used by tests/run.sh and demo/demo.sh.
# The Cockpit page's browser tests need cockpit and chromium: where they
# cannot be installed (no such package for this architecture, no network)
# that suite skips, and the rest still runs.
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
        gcc-mingw-w64-x86-64-posix mingw-w64-x86-64-dev mingw-w64-common
        ansible-core openssh-server openssh-client
        # The Debian package and the test under systemd (tests/package/,
        # tests/systemd/).
        build-essential dpkg-dev debhelper lintian systemd-container
)
optional=(
        cockpit-ws cockpit-bridge cockpit-system
        chromium chromium-driver python3-selenium
)

# NetworkManager, for the coexistence tests (tests/dialer/group_coexist.py),
# which run it in their own namespaces. Only in CI (fresh machines without
# systemd as PID 1) or when asked: on a machine with systemd its package
# enables the service at boot, which is not a test's to decide.
if [ "${CI:-}" = true ] || [ "${WAND_TEST_NETWORKMANAGER:-}" = 1 ]; then
        packages+=(network-manager)
fi
# In CI the browser suite must run: what is optional elsewhere is required.
if [ "${CI:-}" = true ]; then
        packages+=("${optional[@]}")
        optional=()
fi

missing_of() {
        local p status
        for p in "$@"; do
                status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
                [ "$status" = installed ] || echo "$p"
        done
}

mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_optional < <(missing_of "${optional[@]}")

[ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
        [ ${#missing[@]} -eq 0 ] && exit 0
        echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
        exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
if [ ${#missing[@]} -gt 0 ]; then
        echo "install-deps: installing ${missing[*]}"
        apt-get install -y --no-install-recommends "${missing[@]}"
fi
if [ ${#missing_optional[@]} -gt 0 ]; then
        echo "install-deps: installing ${missing_optional[*]} (for tests/cockpit/)"
        apt-get install -y --no-install-recommends "${missing_optional[@]}" ||
                echo "install-deps: could not install ${missing_optional[*]}: the cockpit suite will be skipped" >&2
fi
