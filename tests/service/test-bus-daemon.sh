#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# G_TEST_DBUS_DAEMON for the service tests: GTestDBus's own configuration
# admits only its own uid; ours admits every uid, so that a connection made
# as uid 65534 reaches wand and wand has to ask polkit about it.
conf="$(dirname "$0")/test-bus.conf"
for arg; do
        shift
        case "$arg" in
        --config-file=*) set -- "$@" "--config-file=$conf" ;;
        *) set -- "$@" "$arg" ;;
        esac
done
# The bus dies with the test even when the test aborts on an assertion.
if command -v setpriv >/dev/null 2>&1; then
        exec setpriv --pdeathsig KILL dbus-daemon "$@"
fi
exec dbus-daemon "$@"
