#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hsk.ko loads, registers its generic netlink family, unloads, and does so
# again and again; hskctl tells the user when it is not loaded.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root

ko=${HSK_KO:-$(modinfo -n hsk 2>/dev/null)}
if [ -z "$ko" ] || [ ! -e "$ko" ]; then
	echo "# hsk.ko not found: set HSK_KO"
	exit $KSFT_SKIP
fi

ktap_plan 9

run modinfo -F license "$ko"
[ "$out" = GPL ] && [ -n "$(modinfo -F description "$ko")" ]
ktap_result "module is GPL and describes itself" $?

[ -d /sys/module/hsk ] && rmmod hsk
check "insmod succeeds" 0 "" insmod "$ko"

[ -d /sys/module/hsk ] && [ "$(cat /sys/module/hsk/initstate)" = live ]
ktap_result "module is live" $?

run genl ctrl get name hsk
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q 'Name: hsk$'
ktap_result "generic netlink family hsk is registered" $?

run hskctl listen show -j
[ "$rc" -eq 0 ] && [ "$(printf '%s' "$out" | json_query 'len(j)')" = 0 ]
ktap_result "a fresh module has no listeners" $?

check "rmmod succeeds" 0 "" rmmod hsk

run genl ctrl get name hsk
[ ! -d /sys/module/hsk ] && [ "$rc" -ne 0 ]
ktap_result "module and family are gone after rmmod" $?

check "hskctl says the module is not loaded and how to load it" 1 \
	"^hskctl: the hsk module is not loaded.*(modprobe|insmod)" hskctl listen show

status=0
for i in $(seq 1 10); do
	insmod "$ko" && hskctl listen add $((1000 + i)) && rmmod hsk || {
		status=1
		ktap_diag "load/unload cycle $i failed"
		break
	}
done
insmod "$ko" || status=1
ktap_result "10 load/add/unload cycles, then loaded again" $status

ktap_finished
