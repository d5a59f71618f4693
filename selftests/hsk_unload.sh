#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module unloads cleanly with listeners configured in several
# namespaces, and a reload starts empty.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root

ko=${HSK_KO:-$(modinfo -n hsk 2>/dev/null)}
if [ -z "$ko" ] || [ ! -e "$ko" ]; then
	echo "# hsk.ko not found: set HSK_KO"
	exit $KSFT_SKIP
fi
[ -d /sys/module/hsk ] || insmod "$ko"

ns=hsk-u-$$
trap 'ip netns del "$ns" 2>/dev/null' EXIT
ip netns add "$ns"

ktap_plan 6

hskctl listen flush &&
	hskctl listen add 7 &&
	hskctl listen add 0.0.0.0:9 mode discard &&
	hskctl listen add '[::1]:19' mode tarpit &&
	ip netns exec "$ns" hskctl listen add 7 &&
	ip netns exec "$ns" hskctl listen add '[::]:7'
ktap_result "listeners configured in two namespaces" $?

check "rmmod with listeners configured succeeds" 0 "" rmmod hsk
[ ! -d /sys/module/hsk ]
ktap_result "the module is gone" $?

check "insmod again" 0 "" insmod "$ko"
[ "$(hskctl listen show -j)" = "[]" ] && [ "$(ip netns exec "$ns" hskctl listen show -j)" = "[]" ]
ktap_result "a reloaded module starts with no listeners in any namespace" $?

ip netns exec "$ns" hskctl listen add 7 && ip netns del "$ns" && rmmod hsk && insmod "$ko"
ktap_result "namespace deleted, then unload and reload" $?

ktap_finished
