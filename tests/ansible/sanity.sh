#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ansible-test sanity on the wand.router collection, the tests of it that
# run offline: ansible-test sets up the others (ansible-doc, import, pep8,
# pylint, runtime-metadata, validate-modules, yamllint) in virtual
# environments it fills with pip from the network, which CI does not have.
# For ansible-doc, `ansible-doc` itself stands in: each module's
# documentation must parse and render. Skipped (77) without ansible-test.
set -uo pipefail
: "${WAND_SOURCE_ROOT:?}"
command -v ansible-test >/dev/null || { echo "SKIP: ansible-test is not installed (ansible-core)"; exit 77; }

offline=(
        action-plugin-docs changelog compile empty-init future-import-boilerplate ignores
        line-endings metaclass-boilerplate no-assert no-basestring no-dict-iteritems
        no-dict-iterkeys no-dict-itervalues no-get-exception no-illegal-filenames
        no-main-display no-smart-quotes no-unicode-literals replace-urlopen shebang
        symlinks use-argspec-type-path use-compat-six
)

work=$(mktemp -d /tmp/wand-ansible-sanity.XXXXXX)
trap 'rm -rf "$work"' EXIT
# ansible-test finds the collection by its path, and keeps its cache in $HOME.
export HOME=$work/home LC_ALL=C.UTF-8
mkdir -p "$HOME" "$work/ansible_collections/wand"
cp -r "$WAND_SOURCE_ROOT/ansible" "$work/ansible_collections/wand/router"
cd "$work/ansible_collections/wand/router" || exit 1

python=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
tests=()
for t in "${offline[@]}"; do tests+=(--test "$t"); done
status=0
ansible-test sanity --python "$python" "${tests[@]}" || status=1

for m in interface info manager; do
        if ! out=$(ANSIBLE_COLLECTIONS_PATH=$work ansible-doc -t module "wand.router.$m" 2>&1) ||
                ! grep -q "wand.router.$m" <<<"$out" || grep -q WARNING <<<"$out"; then
                echo "FAIL: ansible-doc wand.router.$m:" >&2
                echo "$out" >&2
                status=1
        fi
done
[ $status -eq 0 ] && echo "sanity: ${#offline[@]} ansible-test sanity tests and ansible-doc passed"
exit $status
