#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real Linux TCP clients against hsk: Python sockets in the test VM's peer
# namespace (and on loopback) connect to echo, discard and tarpit
# listeners, move data, close from either side, get killed and reset, with
# a conntrack "ct state invalid drop" ruleset loaded, and twenty at once;
# conn show and stats are checked at each step. The cases are in
# hsk_clients.py, which prints the KTAP; this script sets up and cleans up.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_peer HSK_PEER_IF
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_tools nsenter nft

time_wait_ms=$(hskctl config show -j | json_query 'j["time_wait_ms"]')
cleanup()
{
	nft delete table inet hsk_t 2>/dev/null
	hskctl listen flush
	[ -n "$time_wait_ms" ] && hskctl config set time_wait_ms "$time_wait_ms"
}
trap cleanup EXIT

HSK_PEER_IF=$HSK_PEER_IF HSK_HOST4=$HSK_HOST4 HSK_HOST6=$HSK_HOST6 \
HSK_PEER4=$HSK_PEER4 HSK_PEER6=$HSK_PEER6 \
	ip netns exec "$HSK_PEER_NS" /usr/bin/python3 ./hsk_clients.py
exit $?
