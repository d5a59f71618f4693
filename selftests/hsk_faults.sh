#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hsk under network faults: netem on both NICs of the test VM (the peer's
# egress and the host's, so that hsk's own segments are lost, reordered and
# duplicated too) while real Linux clients in the peer namespace connect,
# close and move data through echo listeners. Every handshake must complete,
# every echo must come back byte for byte (sha256), and the SYN-ACK, FIN
# and data retransmissions must show in hsk's counters. The cases are in
# hsk_faults.py, which prints the KTAP; this script sets up and cleans up.
#
# For the duration of the test:
# - hskctl config set time_wait_ms 1000, and rto_min_ms 50 for the cases
#   with loss (hsk_faults.py sets it per case): hsk's RTO floor is lowered
#   from 200 ms (the VM's round trip is about a millisecond) so that loss
#   recovery fits the time budget;
# - the peer gets host routes to hsk's addresses with "rto_min 50ms
#   quickack 1", for the same reason on the client side;
# - both sides get permanent neighbour entries, so that ARP and neighbour
#   discovery, which netem would drop too, do not stall the transfers.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_peer HSK_PEER_IF HSK_HOST_IF
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_tools nsenter tc
modprobe sch_netem 2>/dev/null || hsk_skip_all "the kernel has no netem qdisc (sch_netem)"

peer()
{
	ip netns exec "$HSK_PEER_NS" "$@"
}

cfg=$(hskctl config show -j)
rto_min_ms=$(printf '%s' "$cfg" | json_query 'j["rto_min_ms"]')
time_wait_ms=$(printf '%s' "$cfg" | json_query 'j["time_wait_ms"]')

cleanup()
{
	tc qdisc del dev "$HSK_HOST_IF" root 2>/dev/null
	peer tc qdisc del dev "$HSK_PEER_IF" root 2>/dev/null
	peer ip -4 route del "$HSK_HOST4/32" dev "$HSK_PEER_IF" 2>/dev/null
	peer ip -6 route del "$HSK_HOST6/128" dev "$HSK_PEER_IF" 2>/dev/null
	ip neigh del "$HSK_PEER4" dev "$HSK_HOST_IF" 2>/dev/null
	ip neigh del "$HSK_PEER6" dev "$HSK_HOST_IF" 2>/dev/null
	peer ip neigh del "$HSK_HOST4" dev "$HSK_PEER_IF" 2>/dev/null
	peer ip neigh del "$HSK_HOST6" dev "$HSK_PEER_IF" 2>/dev/null
	hskctl listen flush
	hskctl conn kill >/dev/null 2>&1
	hskctl config set rto_min_ms "$rto_min_ms" time_wait_ms "$time_wait_ms"
}
trap cleanup EXIT

hskctl listen flush
hskctl config set time_wait_ms 1000 || exit $KSFT_FAIL
ip neigh replace "$HSK_PEER4" lladdr "$HSK_PEER_MAC" dev "$HSK_HOST_IF" nud permanent &&
ip neigh replace "$HSK_PEER6" lladdr "$HSK_PEER_MAC" dev "$HSK_HOST_IF" nud permanent &&
peer ip neigh replace "$HSK_HOST4" lladdr "$HSK_HOST_MAC" dev "$HSK_PEER_IF" nud permanent &&
peer ip neigh replace "$HSK_HOST6" lladdr "$HSK_HOST_MAC" dev "$HSK_PEER_IF" nud permanent ||
	{ echo "# cannot add the static neighbour entries"; exit $KSFT_FAIL; }
peer ip -4 route replace "$HSK_HOST4/32" dev "$HSK_PEER_IF" rto_min 50ms quickack 1 &&
peer ip -6 route replace "$HSK_HOST6/128" dev "$HSK_PEER_IF" rto_min 50ms quickack 1 ||
	{ echo "# cannot add the peer's routes"; exit $KSFT_FAIL; }

HSK_RTO_MIN_MS=$rto_min_ms HSK_PEER_IF=$HSK_PEER_IF HSK_HOST_IF=$HSK_HOST_IF HSK_HOST4=$HSK_HOST4 \
HSK_HOST6=$HSK_HOST6 HSK_PEER4=$HSK_PEER4 HSK_PEER6=$HSK_PEER6 \
	peer /usr/bin/python3 ./hsk_faults.py "$@"
exit $?
