#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tearing hsk down under load: listen del with live connections (they are
# reset, the documented behaviour), deleting a network namespace that has
# listeners, connections and a flood running, and rmmod while 1000 live
# connections and a flood run, twenty times over. Nothing may oops, leak,
# hang or leave a timer behind: rmmod must return, the module and its slab
# cache must be gone, and memory must come back. The cases are in
# hsk_teardown.py, which prints the KTAP; this script sets up and cleans
# up, and leaves the module loaded as it found it.

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_peer HSK_PEER_IF
HSK_KO=${HSK_KO:-$(modinfo -n hsk 2>/dev/null)}
[ -n "$HSK_KO" ] && [ -e "$HSK_KO" ] || hsk_skip_all "hsk.ko not found: set HSK_KO"
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_tools nsenter rmmod insmod

# The flood's spoofed sources: addresses of the peer's subnet that nobody
# owns, resolved to the peer's NIC so that hsk's answers go there and the
# peer's kernel drops them (they are not for it).
SPOOF4=${HSK_SPOOF4:-198.18.0.3}
SPOOF6=${HSK_SPOOF6:-2001:db8::3}

cleanup()
{
	ip neigh del "$SPOOF4" dev "$HSK_HOST_IF" 2>/dev/null
	ip neigh del "$SPOOF6" dev "$HSK_HOST_IF" 2>/dev/null
	[ -d /sys/module/hsk ] || insmod "$HSK_KO"
	hskctl listen flush
	hskctl conn kill >/dev/null 2>&1
}
trap cleanup EXIT

ip neigh replace "$SPOOF4" lladdr "$HSK_PEER_MAC" dev "$HSK_HOST_IF" nud permanent &&
ip neigh replace "$SPOOF6" lladdr "$HSK_PEER_MAC" dev "$HSK_HOST_IF" nud permanent ||
	{ echo "# cannot add the neighbour entries of the spoofed sources"; exit $KSFT_FAIL; }

HSK_KO=$HSK_KO HSK_SPOOF4=$SPOOF4 HSK_SPOOF6=$SPOOF6 \
	ip netns exec "$HSK_PEER_NS" /usr/bin/python3 ./hsk_teardown.py "$@"
exit $?
