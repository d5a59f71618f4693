#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resource bounds of hsk under attack: a SYN flood, an ACK flood and a RST
# flood from spoofed sources, and a flood of data to echo listeners whose
# peer never reads. Memory must stay under the configured caps (listener
# backlog, sndq_limit_kb, 64 KiB per echo queue) and challenge ACKs must be
# rate limited (RFC 5961 section 7). The cases are in hsk_floods.py, which
# prints the KTAP; this script sets up and cleans up.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_peer HSK_PEER_IF
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_tools nsenter

# The spoofed sources: addresses of the peer's subnet that nobody owns,
# resolved to the peer's NIC so that hsk's answers go there and the peer's
# kernel drops them (they are not for it).
SPOOF4=${HSK_SPOOF4:-198.18.0.3}
SPOOF6=${HSK_SPOOF6:-2001:db8::3}

cfg=$(hskctl config show -j)
cleanup()
{
	ip neigh del "$SPOOF4" dev "$HSK_HOST_IF" 2>/dev/null
	ip neigh del "$SPOOF6" dev "$HSK_HOST_IF" 2>/dev/null
	hskctl listen flush
	hskctl conn kill >/dev/null 2>&1
	hskctl config set $(printf '%s' "$cfg" |
		json_query '" ".join("%s %s" % kv for kv in j.items())')
}
trap cleanup EXIT

hskctl listen flush
ip neigh replace "$SPOOF4" lladdr "$HSK_PEER_MAC" dev "$HSK_HOST_IF" nud permanent &&
ip neigh replace "$SPOOF6" lladdr "$HSK_PEER_MAC" dev "$HSK_HOST_IF" nud permanent ||
	{ echo "# cannot add the neighbour entries of the spoofed sources"; exit $KSFT_FAIL; }

HSK_SPOOF4=$SPOOF4 HSK_SPOOF6=$SPOOF6 \
HSK_SNDQ_LIMIT_KB=$(printf '%s' "$cfg" | json_query 'j["sndq_limit_kb"]') \
	ip netns exec "$HSK_PEER_NS" /usr/bin/python3 ./hsk_floods.py "$@"
exit $?
