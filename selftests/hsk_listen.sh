#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hskctl listen add/del/show/flush: the stable CLI contract, its JSON, and
# every error a user can make, with the kernel's extack text where the
# kernel is the one that refuses.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }

hskctl listen flush

ktap_plan 37

# show -j as "family addr port mode backlog" lines, sorted
listeners()
{
	hskctl listen show -j | json_query \
		'"\n".join(sorted("%s %s %d %s %d" % (l["family"], l["addr"], l["port"], l["mode"], l["backlog"]) for l in j))'
}

check "add PORT (both families)" 0 "" hskctl listen add 7
check "add 0.0.0.0:PORT with mode discard" 0 "" hskctl listen add 0.0.0.0:9 mode discard
check "add [::]:PORT with mode tarpit and backlog" 0 "" hskctl listen add '[::]:19' mode tarpit backlog 16
check "add A.B.C.D:PORT" 0 "" hskctl listen add 198.18.0.1:80 backlog 65535
check "add [IPV6]:PORT" 0 "" hskctl listen add '[2001:db8::1]:80' mode echo
check "same port, other address is not a duplicate" 0 "" hskctl listen add 198.18.0.9:80

want="any * 7 echo 128
inet 0.0.0.0 9 discard 128
inet 198.18.0.1 80 echo 65535
inet 198.18.0.9 80 echo 128
inet6 2001:db8::1 80 echo 128
inet6 :: 19 tarpit 16"
got=$(listeners)
[ "$got" = "$want" ]
ktap_result "show -j lists every listener with family, addr, port, mode, backlog" $?
[ "$got" = "$want" ] || ktap_diag "got:
$got"

run hskctl -j listen show
[ "$rc" -eq 0 ] && [ "$(printf '%s' "$out" | json_query 'len(j)')" = 6 ]
ktap_result "-j also works as a global option" $?

run hskctl listen show
[ "$rc" -eq 0 ] &&
	printf '%s\n' "$out" | grep -q '0\.0\.0\.0:9 .*discard' &&
	printf '%s\n' "$out" | grep -q '\[::\]:19 .*tarpit' &&
	printf '%s\n' "$out" | grep -q '\[2001:db8::1\]:80' &&
	printf '%s\n' "$out" | grep -q '\*:7 '
ktap_result "text show prints ss-style endpoints and modes" $?

check "duplicate listener is refused" 1 "^hskctl: listener .*7.* already exists" \
	hskctl listen add 7
check "duplicate [::]:PORT is refused" 1 "already exists" hskctl listen add '[::]:19'
check "del A.B.C.D:PORT" 0 "" hskctl listen del 198.18.0.9:80
check "del of a missing listener is refused" 1 "^hskctl: no such listener .*198\.18\.0\.9:80" \
	hskctl listen del 198.18.0.9:80
check "del [::]:PORT does not match 0.0.0.0 or any" 1 "no such listener" \
	hskctl listen del '[::]:9'

for ep in '' 'x' '65536' '-1' '7x' '1.2.3:7' '1.2.3.4' '1.2.3.4:' '::1:7' '[::1]' \
	  '[::1]:99999' '[zz::1]:7' '256.1.1.1:7'; do
	run hskctl listen add "$ep"
	if [ "$rc" -eq 0 ] || ! printf '%s' "$err" | grep -q '^hskctl: malformed endpoint'; then
		bad_ep=${bad_ep:-}"'$ep' "
	fi
done
[ -z "${bad_ep:-}" ]
ktap_result "13 malformed endpoints are refused with a clear message" $?
[ -z "${bad_ep:-}" ] || ktap_diag "accepted or unclear: $bad_ep"

check "unknown mode is refused" 1 "^hskctl: .*mode" hskctl listen add 8 mode chargen
check "non-numeric backlog is refused" 1 "^hskctl: .*backlog" hskctl listen add 8 backlog lots
check "unknown keyword is refused" 1 "^hskctl: " hskctl listen add 8 color blue
check "missing endpoint is refused" 1 "^hskctl: " hskctl listen add
check "unknown command is refused" 1 "^hskctl: " hskctl listen frobnicate

# The kernel validates ranges; its extended ACK text reaches the user.
check "port 0: the kernel's extack is printed" 1 "^hskctl: .*port must be 1-65535" \
	hskctl listen add 0
check "backlog 0: the kernel's extack is printed" 1 "^hskctl: .*backlog must be 1-65535" \
	hskctl listen add 8 backlog 0
check "backlog 65536: the kernel's extack is printed" 1 "backlog must be 1-65535" \
	hskctl listen add 8 backlog 65536
check "multicast address: the kernel's extack is printed" 1 "must be unicast" \
	hskctl listen add 224.0.0.1:8
check "multicast IPv6 address: the kernel's extack is printed" 1 "must be unicast" \
	hskctl listen add '[ff02::1]:8'

[ "$(hskctl listen show -j | json_query 'len(j)')" = 5 ]
ktap_result "refused commands changed nothing" $?

# Without CAP_NET_ADMIN: changes are refused, reading is allowed.
unpriv="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
check "add without CAP_NET_ADMIN: permission denied" 1 "^hskctl: permission denied" \
	$unpriv hskctl listen add 8
check "del without CAP_NET_ADMIN: permission denied" 1 "^hskctl: permission denied" \
	$unpriv hskctl listen del 7
check "flush without CAP_NET_ADMIN: permission denied" 1 "^hskctl: permission denied" \
	$unpriv hskctl listen flush
run $unpriv hskctl listen show -j
[ "$rc" -eq 0 ] && [ "$(printf '%s' "$out" | json_query 'len(j)')" = 5 ]
ktap_result "show without CAP_NET_ADMIN works (reading is unprivileged)" $?

check "flush" 0 "" hskctl listen flush
[ "$(hskctl listen show -j)" = "[]" ]
ktap_result "after flush show -j prints []" $?

# A batch runs its lines in order on one socket and stops at the first
# failing one, naming it; the lines before it took effect.
batch=$(mktemp)
trap 'rm -f "$batch"' EXIT
printf '%s\n' '# three listeners' 'listen add 5' '' 'listen add 5' 'listen add 6' >"$batch"
check "batch: the failing line is named, the kernel's extack is printed" 1 \
	"^hskctl: line 4: listener .*5.* already exists" hskctl -b "$batch"
[ "$(listeners)" = "any * 5 echo 128" ]
ktap_result "batch: the lines before the failing one took effect, none after it" $?
hskctl listen flush

# 1024 is the per-namespace limit (HSK_LISTENERS_MAX); their dump spans
# several netlink messages. One hskctl -b adds them: 1024 hskctl processes
# take longer than the kselftest timeout on a debug kernel under TCG.
seq 10001 11024 | sed 's/^/listen add /' >"$batch"
run hskctl -b "$batch"
[ "$rc" -eq 0 ] || ktap_diag "hskctl -b exited $rc: $err"
[ "$rc" -eq 0 ] && [ "$(hskctl listen show -j | json_query 'len(j) == len(set(l["port"] for l in j)) == 1024')" = True ]
ktap_result "1024 listeners: a multi-message dump returns each once" $?
check "listener 1025 is refused: the kernel's extack is printed" 1 "too many listeners" \
	hskctl listen add 9999

hskctl listen flush
[ "$(hskctl listen show -j | json_query 'len(j)')" = 0 ]
ktap_result "flush removes them all" $?

ktap_finished
