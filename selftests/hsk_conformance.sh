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

if [ ! -r /run/hsk-vm.env ] || [ -z "${HSK_PEER_NS:-}" ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP needs the hsk test VM topology (/run/hsk-vm.env, see vm/README.rst)"
	exit $KSFT_SKIP
fi
hsk_require_root
hsk_require_module || { echo "# hsk module cannot be loaded"; exit $KSFT_FAIL; }
if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
	echo "TAP version 13"
	echo "1..0 # SKIP needs Debian's python3-scapy for /usr/bin/python3"
	exit $KSFT_SKIP
fi

# A debug kernel (KASAN, lockdep, kmemleak: several times slower under TCG)
# runs the hsk half only: with the differential half, which the production
# kernels run, the suite would not fit the kselftest timeout. A later
# --targets argument overrides this.
case "$(uname -r)" in
*-debug*) set -- --targets hsk "$@" ;;
esac

exec ip netns exec "$HSK_PEER_NS" /usr/bin/python3 ./hsk_conformance.py "$@"
