#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet level conformance of the hsk TCP endpoint (RFC 9293, 5961, 7323):
# hsk_conformance.py sends hand-built segments from the peer namespace of
# the test VM and checks every reply, against hsk and, where a Linux
# listening socket behaves the same, against the host stack too. Its KTAP
# output and exit status are this test's. Arguments are passed on (see
# hsk_conformance.py --help).

cd "$(dirname "$0")" && . ./hsk_lib.sh
hsk_require_root
hsk_require_peer
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
hsk_require_scapy

# A debug kernel (KASAN, lockdep, kmemleak: several times slower under TCG)
# runs the hsk half only: with the differential half, which the production
# kernels run, the suite would not fit the kselftest timeout. A later
# --targets argument overrides this.
case "$(uname -r)" in
*-debug*) set -- --targets hsk "$@" ;;
esac

exec ip netns exec "$HSK_PEER_NS" /usr/bin/python3 ./hsk_conformance.py "$@"
