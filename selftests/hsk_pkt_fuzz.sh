#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzer with accounting: hsk_pkt_fuzz.py sends at least 100 000
# malformed and random TCP segments (every flag combination, data offsets
# 0..15, broken options, bad checksums, IPv4 and IPv6 fragments, broadcast
# and multicast, valid SYNs) at listeners of every mode from the peer
# namespace of the test VM, and checks that hsk's counters account for
# every one of them, that hsk still serves a real client and that the
# kernel log stays clean. Its KTAP output and exit status are this test's;
# arguments are passed on (see hsk_pkt_fuzz.py --help; --seed replays).

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_peer HSK_PEER_MAC
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_scapy

# The script restores everything itself; this is for when it is killed.
saved_config=$(hskctl config show -j | json_query \
	'" ".join("%s %s" % kv for kv in j.items())')
cleanup()
{
	hskctl listen flush 2>/dev/null
	# shellcheck disable=SC2086 # KEY VALUE pairs
	[ -n "$saved_config" ] && hskctl config set $saved_config 2>/dev/null
	ip neigh del 198.18.0.3 dev "$HSK_HOST_IF" 2>/dev/null
	ip neigh del 2001:db8::3 dev "$HSK_HOST_IF" 2>/dev/null
}
trap cleanup EXIT

/usr/bin/python3 ./hsk_pkt_fuzz.py "$@"
