#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Privileges and isolation of the hsk control plane and data path.
#
# Every changing command (listen add/del/flush, conn close/kill, config set)
# needs CAP_NET_ADMIN in the user namespace that owns the network namespace
# (GENL_UNS_ADMIN_PERM); without it hskctl exits 1 with one line
# "hskctl: permission denied: ..." and nothing changes. Reading (listen
# show, conn show, stats, config show) needs no privilege: README.md
# ("showing does not"), Documentation/hsk.rst and hskctl.8 document that
# as intended, like "ip link show". Three callers without the capability
# over the initial namespace are tried:
#
#   - root with only CAP_NET_ADMIN dropped (setpriv: bounding and
#     inheritable sets; every other capability kept),
#   - an unprivileged user (nobody, no capabilities),
#   - root of a user namespace an unprivileged user created (unshare
#     --user --map-root-user, started as nobody),
#
# against a listener, a live connection and settings root set up; each
# command is checked to succeed as root afterwards, so that EPERM is the
# only reason for the refusals. The user namespace's root can configure a
# network namespace of its own. Finally two network namespaces with a
# listener on the same port and mode each (and one in the initial
# namespace too): traffic to one namespace's address is taken only by that
# namespace's hsk (segs_in of all three).

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_tools setpriv unshare ip

PORT=7100		# root's listener, with a live loopback connection
PORT2=7101		# what the refused "listen add" tries to add
ISO_PORT=7110		# the isolation listeners
NOBODY=65534		# nobody:nogroup
CAP_NET_ADMIN_BIT=12

tmp=$(mktemp -d) || exit $KSFT_FAIL
chmod 755 "$tmp"
# hskctl where an unprivileged user can run it, whatever the checkout's modes
HSKCTL=$tmp/hskctl
cp "$(command -v hskctl)" "$HSKCTL" && chmod 755 "$HSKCTL" || exit $KSFT_FAIL

nsa=hsk-pa-$$
nsb=hsk-pb-$$
client_pid=
saved_config=$(hskctl config show -j | json_query \
	'" ".join("%s %s" % kv for kv in j.items())')
cleanup()
{
	[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	hskctl listen flush
	# shellcheck disable=SC2086 # KEY VALUE pairs
	[ -n "$saved_config" ] && hskctl config set $saved_config
	rm -rf "$tmp"
}
trap cleanup EXIT

# The callers. Each runs "hskctl ARGS..." (or any command with as_*_cmd).
as_nocap_cmd()
{
	setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- "$@"
}
as_nobody_cmd()
{
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		--inh-caps=-all --bounding-set=-all -- "$@"
}
as_userns_cmd()
{
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
		unshare --user --map-root-user -- "$@"
}
as_nocap() { as_nocap_cmd "$HSKCTL" "$@"; }
as_nobody() { as_nobody_cmd "$HSKCTL" "$@"; }
as_userns() { as_userns_cmd "$HSKCTL" "$@"; }

callers="nocap nobody userns"
describe()
{
	case $1 in
	nocap) echo "root without CAP_NET_ADMIN" ;;
	nobody) echo "an unprivileged user" ;;
	userns) echo "root of an unprivileged user namespace" ;;
	esac
}

# "NAME ARGS..." of every changing command, valid for root's setup: as
# root each succeeds (checked at the end).
mutating=(
	"listen_add listen add $PORT2 mode discard"
	"listen_del listen del $PORT"
	"listen_flush listen flush"
	"conn_close conn close local 127.0.0.1:$PORT"
	"conn_kill conn kill"
	"config_set config set time_wait_ms 1234 max_conns 77"
)
reading=(
	"listen_show listen show -j"
	"conn_show conn show -j"
	"stats stats -j"
	"config_show config show -j"
)

# state: what root sees, to compare before and after the refusals (an idle
# connection's sequence numbers and windows do not move)
state()
{
	hskctl listen show -j
	hskctl conn show -j
	hskctl config show -j
}

ncases=$((1 + 1 + 3 * (${#mutating[@]} + ${#reading[@]} + 1) + 1 + ${#mutating[@]} + 5))
ktap_plan $ncases

# ---------------------------------------------------------------------
# Root's setup: a listener, a connection on it, settings

hskctl listen flush
hskctl config set time_wait_ms 60000 max_conns 65536 >/dev/null
ok=1
hskctl listen add $PORT mode echo backlog 9 || ok=0
/usr/bin/python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
time.sleep(600)
' $PORT &
client_pid=$!
for _ in $(seq 50); do
	n=$(hskctl conn show | grep -c "^ESTABLISHED .*:$PORT ")
	[ "$n" = 1 ] && break
	sleep 0.2
done
[ "$n" = 1 ] || { ktap_diag "no ESTABLISHED loopback connection: $(hskctl conn show)"; ok=0; }
ktap_result "setup: root's listener on $PORT with a live loopback connection" $((!ok))
before=$(state)
# what root reads (the counters: their names), for the unprivileged reads
declare -A root_reads
for r in "${reading[@]}"; do
	read -r name args <<<"$r"
	# shellcheck disable=SC2086
	root_reads[$name]=$(hskctl $args | { [ "$name" = stats ] && tr -d '0-9' || cat; })
done

# ---------------------------------------------------------------------
# The capability is really gone, and only it

caps=$(as_nocap_cmd sed -n 's/^CapEff:\t//p' /proc/self/status)
ncaps=$(as_nobody_cmd sed -n 's/^CapEff:\t//p' /proc/self/status)
all=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
want=$(printf '%016x' $((0x$all & ~(1 << CAP_NET_ADMIN_BIT))))
if [ "$caps" = "$want" ] && [ "$ncaps" = 0000000000000000 ]; then
	ktap_ok "setpriv drops CAP_NET_ADMIN alone (CapEff $caps) and nobody has none"
else
	ktap_diag "CapEff without net_admin: $caps (want $want); nobody: $ncaps"
	ktap_fail "setpriv drops CAP_NET_ADMIN alone and nobody has none"
fi

userns_ok=1
if ! out=$(as_userns_cmd true 2>&1); then
	userns_ok=0
	userns_why="unprivileged user namespaces are not available: $out"
fi

# ---------------------------------------------------------------------
# Refusals and unprivileged reads, by every caller

for who in $callers; do
	desc=$(describe $who)
	for m in "${mutating[@]}"; do
		read -r name args <<<"$m"
		if [ $who = userns ] && [ $userns_ok = 0 ]; then
			ktap_skip "$userns_why" "$desc: $name refused"
			continue
		fi
		# shellcheck disable=SC2086 # args are words
		check "$desc: ${name/_/ } refused with EPERM and a clear message" 1 \
			'^hskctl: permission denied: changing hsk state needs CAP_NET_ADMIN' \
			as_$who $args
	done
	for r in "${reading[@]}"; do
		read -r name args <<<"$r"
		if [ $who = userns ] && [ $userns_ok = 0 ]; then
			ktap_skip "$userns_why" "$desc: $name allowed"
			continue
		fi
		# shellcheck disable=SC2086
		run as_$who $args
		# the counters move: the same names will do
		seen=$out
		[ "$name" = stats ] && seen=$(printf '%s' "$out" | tr -d '0-9')
		if [ "$rc" -eq 0 ] && [ -n "$out" ] && [ "$seen" = "${root_reads[$name]}" ]; then
			ktap_ok "$desc: ${name/_/ } allowed, shows what root sees (documented: reading is unprivileged)"
		else
			ktap_diag "rc $rc, stdout '$out', stderr '$err'"
			ktap_fail "$desc: ${name/_/ } allowed, shows what root sees (documented: reading is unprivileged)"
		fi
	done
	after=$(state)
	if [ "$before" = "$after" ]; then
		ktap_ok "$desc: the refused commands changed nothing (listeners, connection, settings)"
	else
		ktap_diag "before: $before"
		ktap_diag "after:  $after"
		ktap_fail "$desc: the refused commands changed nothing (listeners, connection, settings)"
	fi
done

# ---------------------------------------------------------------------
# A user namespace's root configures its own network namespace

if [ $userns_ok = 0 ]; then
	ktap_skip "$userns_why" "a user namespace's root configures its own network namespace"
else
	# shellcheck disable=SC2016 # expanded by the inner shell
	run as_userns_cmd unshare --net -- sh -c '
		h=$1
		$h listen add 7 mode tarpit &&
		$h listen add "[::]:9" mode discard backlog 3 &&
		$h config set time_wait_ms 4321 &&
		$h conn kill >/dev/null &&
		$h conn close >/dev/null &&
		$h listen del 7 &&
		$h listen show -j && echo --- && $h config show -j && echo --- &&
		$h listen flush && $h listen show -j' sh "$HSKCTL"
	# listeners after del, time_wait_ms, listeners after flush
	got=$(printf '%s' "$out" | /usr/bin/python3 -c '
import json, sys
p = sys.stdin.read().split("---")
print(len(json.loads(p[0])), json.loads(p[1])["time_wait_ms"], len(json.loads(p[2])))
' 2>&1)
	if [ "$rc" -eq 0 ] && [ "$got" = "1 4321 0" ] && [ "$before" = "$(state)" ]; then
		ktap_ok "a user namespace's root configures its own network namespace (and only it)"
	else
		ktap_diag "rc $rc, stdout '$out', stderr '$err'"
		ktap_fail "a user namespace's root configures its own network namespace (and only it)"
	fi
fi

# ---------------------------------------------------------------------
# Root may do every one of the refused commands (so EPERM was the reason):
# the connection ones first, while the connection is there.

for name in config_set conn_close conn_kill listen_add listen_del listen_flush; do
	for m in "${mutating[@]}"; do
		read -r n args <<<"$m"
		[ "$n" = "$name" ] && break
	done
	# shellcheck disable=SC2086
	check "root: ${name/_/ } succeeds" 0 "" hskctl $args
done
kill "$client_pid" 2>/dev/null
client_pid=

# ---------------------------------------------------------------------
# Isolation: a listener sees only its own namespace's traffic
#
#   initial netns  10.77.1.1, fd77:1::1 --veth-- 10.77.1.2, fd77:1::2  A
#                  10.77.2.1, fd77:2::1 --veth-- 10.77.2.2, fd77:2::2  B
# A, B and the initial namespace each have an echo listener on ISO_PORT.

iso_setup()
{
	local i ns

	ip netns add "$nsa" && ip netns add "$nsb" || return 1
	for i in 1 2; do
		ns=$nsa
		[ $i = 2 ] && ns=$nsb
		ip link add hsk-v$i-$$ type veth peer name hsk-w$i-$$ &&
		ip link set hsk-w$i-$$ netns "$ns" &&
		ip addr add 10.77.$i.1/24 dev hsk-v$i-$$ &&
		ip addr add fd77:$i::1/64 dev hsk-v$i-$$ nodad &&
		ip link set hsk-v$i-$$ up &&
		ip -n "$ns" addr add 10.77.$i.2/24 dev hsk-w$i-$$ &&
		ip -n "$ns" addr add fd77:$i::2/64 dev hsk-w$i-$$ nodad &&
		ip -n "$ns" link set hsk-w$i-$$ up &&
		ip -n "$ns" link set lo up || return 1
	done
}

iso_ok=1
iso_setup || iso_ok=0
hskctl listen flush
hskctl listen add $ISO_PORT mode echo >/dev/null || iso_ok=0
ip netns exec "$nsa" hskctl listen add $ISO_PORT mode echo || iso_ok=0
ip netns exec "$nsb" hskctl listen add $ISO_PORT mode echo || iso_ok=0
ktap_result "isolation setup: namespaces A and B, veth links, a listener on $ISO_PORT in each and in the initial namespace" $((!iso_ok))

segs() # NETNS|"" -> segs_in of that namespace
{
	if [ -n "$1" ]; then
		ip netns exec "$1" hskctl stats
	else
		hskctl stats
	fi | awk '$1 == "segs_in" { print $2 }'
}

echo_to() # ADDR -> 0 if the data comes back
{
	/usr/bin/python3 -c '
import socket, sys
msg = b"hsk isolation " * 100
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
s.sendall(msg)
got = b""
while len(got) < len(msg):
    d = s.recv(65536)
    if not d:
        break
    got += d
s.close()
sys.exit(got != msg)
' "$1" $ISO_PORT
}

for target in a b; do
	for addr in 10.77.X.2 fd77:X::2; do
		i=1 ns=$nsa other=$nsb
		[ $target = b ] && i=2 ns=$nsb other=$nsa
		addr=${addr/X/$i}
		s0=$(segs "") st0=$(segs "$ns") so0=$(segs "$other")
		echo_to "$addr"
		erc=$?
		s1=$(segs "") st1=$(segs "$ns") so1=$(segs "$other")
		if [ $erc -eq 0 ] && [ "$st1" -gt "$st0" ] && [ "$so1" = "$so0" ] &&
		   [ "$s1" = "$s0" ]; then
			ktap_ok "traffic to ${target^^}'s $addr is taken by ${target^^}'s hsk only (segs_in +$((st1 - st0)), other +0, initial +0)"
		else
			ktap_diag "echo exit $erc; segs_in ${target^^} $st0 -> $st1, other $so0 -> $so1, initial $s0 -> $s1"
			ktap_fail "traffic to ${target^^}'s $addr is taken by ${target^^}'s hsk only"
		fi
	done
done

ktap_finished
