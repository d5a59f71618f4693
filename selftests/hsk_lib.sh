#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the hsk selftests: KTAP output, assertions on commands,
# and the test topology. Sourced, never run.
#
# KTAP: each test script calls ktap_plan N first, then one ktap_ok/ktap_fail
# /ktap_skip per planned case, and ends with ktap_finished, which exits
# 0 when every case passed (or was skipped for a stated reason), 1 when one
# failed, and 4 (kselftest's "skip") when nothing ran.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

ktap_n=0
ktap_planned=0
ktap_pass=0
ktap_fail=0
ktap_skip=0

ktap_plan()
{
	ktap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok()
{
	ktap_n=$((ktap_n + 1))
	ktap_pass=$((ktap_pass + 1))
	echo "ok $ktap_n $*"
}

ktap_fail()
{
	ktap_n=$((ktap_n + 1))
	ktap_fail=$((ktap_fail + 1))
	echo "not ok $ktap_n $*"
}

ktap_skip()
{
	local why=$1
	shift
	ktap_n=$((ktap_n + 1))
	ktap_skip=$((ktap_skip + 1))
	echo "ok $ktap_n $* # SKIP $why"
}

# ktap_result DESC STATUS: ok when STATUS is 0.
ktap_result()
{
	if [ "$2" -eq 0 ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1"
	fi
}

ktap_diag()
{
	echo "$*" | sed 's/^/# /'
}

ktap_finished()
{
	# A case that was planned but never reported (the script stopped
	# early) is a failure, not a silent pass.
	while [ "$ktap_n" -lt "$ktap_planned" ]; do
		ktap_fail "not run (the test stopped early)"
	done
	echo "# totals: pass:$ktap_pass fail:$ktap_fail xfail:0 xpass:0 skip:$ktap_skip error:0"
	if [ "$ktap_n" -ne "$ktap_planned" ]; then
		echo "# planned $ktap_planned cases but ran $ktap_n"
		exit $KSFT_FAIL
	fi
	[ "$ktap_fail" -eq 0 ] || exit $KSFT_FAIL
	[ "$ktap_pass" -gt 0 ] || exit $KSFT_SKIP
	exit $KSFT_PASS
}

# run CMD...: runs a command, keeping its exit status in $rc and its
# output in $out (stdout) and $err (stderr) for the assertions below.
run()
{
	local ef
	ef=$(mktemp)
	out=$("$@" 2>"$ef")
	rc=$?
	err=$(cat "$ef")
	rm -f "$ef"
}

# check DESC RC STDERR_REGEX CMD...: one case: CMD must exit with RC and,
# when STDERR_REGEX is not empty, print one line on stderr matching it.
check()
{
	local desc=$1 want_rc=$2 want_err=$3
	shift 3
	run "$@"
	if [ "$rc" -ne "$want_rc" ]; then
		ktap_diag "'$*' exited $rc, expected $want_rc; stderr: $err"
		ktap_fail "$desc"
		return 1
	fi
	if [ -n "$want_err" ]; then
		if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] ||
		   ! printf '%s\n' "$err" | grep -Eq -- "$want_err"; then
			ktap_diag "'$*' stderr '$err' does not match /$want_err/ on one line"
			ktap_fail "$desc"
			return 1
		fi
	fi
	ktap_ok "$desc"
}

# json_query EXPR: evaluates a Python expression over the JSON document on
# stdin (bound to "j"); prints the result.
json_query()
{
	/usr/bin/python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# hsk_require_module: the module must be loaded (the VM runner loads it;
# elsewhere HSK_KO names it).
hsk_require_module()
{
	[ -d /sys/module/hsk ] && return 0
	if [ -n "${HSK_KO:-}" ]; then
		insmod "$HSK_KO" && return 0
	fi
	modprobe hsk 2>/dev/null
}

# hsk_skip_all REASON: a plan of no case, skipped for REASON; exits.
hsk_skip_all()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# hsk_require_peer [VAR...]: the test VM's topology (selftests/vm/run-vm.sh):
# its environment file, the peer namespace, and each named variable of it
# set (HSK_PEER_IF, HSK_HOST_IF, ...). Without them the test is skipped.
hsk_require_peer()
{
	local var

	for var in HSK_PEER_NS "$@"; do
		if [ ! -r /run/hsk-vm.env ] || [ -z "${!var:-}" ] ||
		   ! ip netns exec "$HSK_PEER_NS" true 2>/dev/null; then
			hsk_skip_all "needs the peer namespace of the test VM (selftests/vm/run-vm.sh)"
		fi
	done
}

# hsk_require_tools TOOL...: each one on PATH, or the test fails.
hsk_require_tools()
{
	local tool

	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			echo "# $tool is not installed"
			exit $KSFT_FAIL
		fi
	done
}

# hsk_require_scapy: Debian's python3-scapy, or the test is skipped.
hsk_require_scapy()
{
	/usr/bin/python3 -c 'import scapy' 2>/dev/null ||
		hsk_skip_all "needs Debian's python3-scapy for /usr/bin/python3"
}

hsk_require_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "# these tests need root"
		exit $KSFT_SKIP
	fi
	if ! command -v hskctl >/dev/null; then
		echo "# hskctl is not on PATH"
		exit $KSFT_FAIL
	fi
}

[ -r /run/hsk-vm.env ] && . /run/hsk-vm.env
