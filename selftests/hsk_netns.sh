#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Listener tables are per network namespace: invisible across namespaces,
# torn down with the namespace, and changeable only with CAP_NET_ADMIN over
# the namespace's own user namespace.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }

a=hsk-a-$$
b=hsk-b-$$
cleanup()
{
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	hskctl listen flush
}
trap cleanup EXIT
ip netns add "$a" && ip netns add "$b" || { echo "# cannot create namespaces"; exit $KSFT_FAIL; }
hskctl listen flush

count() # NETNS|"" -> number of listeners there
{
	if [ -n "$1" ]; then
		ip netns exec "$1" hskctl listen show -j | json_query 'len(j)'
	else
		hskctl listen show -j | json_query 'len(j)'
	fi
}

ktap_plan 12

check "add a listener in namespace A" 0 "" ip netns exec "$a" hskctl listen add 7
check "add a second one in A" 0 "" ip netns exec "$a" hskctl listen add '[::]:9' mode discard
[ "$(count "$a")" = 2 ]
ktap_result "A shows its two listeners" $?
[ "$(count "$b")" = 0 ]
ktap_result "B does not see A's listeners" $?
[ "$(count "")" = 0 ]
ktap_result "the initial namespace does not see A's listeners" $?
check "the same listener can be added in B" 0 "" ip netns exec "$b" hskctl listen add 7
check "flush in A" 0 "" ip netns exec "$a" hskctl listen flush
[ "$(count "$a")" = 0 ] && [ "$(count "$b")" = 1 ]
ktap_result "flush in A leaves B alone" $?

ip netns exec "$b" hskctl listen add 198.18.0.1:80 &&
	ip netns del "$b" && hskctl listen add 7 && [ "$(count "")" = 1 ]
ktap_result "deleting a namespace with listeners leaves the module working" $?

# GENL_UNS_ADMIN_PERM: root of a new user namespace is not root of the
# initial network namespace, but is of a network namespace it creates.
check "a new user namespace cannot change the initial namespace's listeners" 1 \
	"^hskctl: permission denied" unshare --user --map-root-user hskctl listen del 7
run unshare --user --map-root-user --net sh -c 'hskctl listen add 7 && hskctl listen show -j'
[ "$rc" -eq 0 ] && [ "$(printf '%s' "$out" | json_query 'len(j)')" = 1 ]
ktap_result "a user namespace's root can configure its own network namespace" $?
[ "$(count "")" = 1 ]
ktap_result "the initial namespace still has exactly its one listener" $?

ktap_finished
