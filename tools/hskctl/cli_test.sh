#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Command line tests of hskctl that need no hsk module: help, version,
# usage errors (exit status 1, one "hskctl: " line on stderr, nothing on
# stdout) and, if the module is not loaded, the "not loaded" error.
#
# Usage: cli_test.sh [PATH_TO_HSKCTL]

HSKCTL=${1:-./hskctl}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
count=0

fail()
{
	echo "FAIL: hskctl $*" >&2
	failures=$((failures + 1))
}

# expect STATUS 'STDERR LINE' ARGS...: exact stderr line (empty: none), empty stdout
expect()
{
	status=$1 err=$2
	shift 2
	count=$((count + 1))
	"$HSKCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq "$status" ] || fail "$*: exit status $rc, expected $status"
	[ -s "$tmp/out" ] && fail "$*: unexpected stdout: $(cat "$tmp/out")"
	if [ -n "$err" ]; then
		printf '%s\n' "$err" | cmp -s - "$tmp/err" ||
			fail "$*: stderr '$(cat "$tmp/err")', expected '$err'"
	else
		[ -s "$tmp/err" ] && fail "$*: unexpected stderr: $(cat "$tmp/err")"
	fi
}

# usage ARGS...: exit status 1, one line on stderr starting with "hskctl: "
usage()
{
	count=$((count + 1))
	"$HSKCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$*: exit status $rc, expected 1"
	[ -s "$tmp/out" ] && fail "$*: unexpected stdout"
	if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q '^hskctl: ' "$tmp/err"; then
		fail "$*: stderr is not one 'hskctl: ' line: $(cat "$tmp/err")"
	fi
}

# prints STDOUT_PATTERN ARGS...: exit status 0, stdout matches, empty stderr
prints()
{
	pattern=$1
	shift
	count=$((count + 1))
	"$HSKCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] || fail "$*: exit status $rc, expected 0"
	grep -q -- "$pattern" "$tmp/out" || fail "$*: stdout lacks '$pattern'"
	[ -s "$tmp/err" ] && fail "$*: unexpected stderr: $(cat "$tmp/err")"
}

prints '^Usage: hskctl' --help
prints '^Usage: hskctl' -h
prints '^Usage: hskctl' help
prints 'Exit status' help
prints '^hskctl listen add ENDPOINT' help listen
prints '^hskctl listen add ENDPOINT' listen help
prints '^hskctl listen add ENDPOINT' listen add help
prints '^hskctl conn show \[-j|--json\] \[local ENDPOINT\] \[remote ENDPOINT\]' help
prints '^hskctl stats \[show\] \[-j|--json\]' help
prints '^hskctl config set KEY VALUE' help
for obj in conn stats config; do
	prints "^hskctl $obj " help "$obj"
	prints "^hskctl $obj " "$obj" help
done
prints '^hskctl conn close \[local ENDPOINT\]' conn close help
prints '^hskctl conn kill \[local ENDPOINT\]' conn kill help
prints '^hskctl conn show' conn ls help
prints '^hskctl stats \[show\]' stats show help
prints '^    max_conns ' config set help
prints '^  syn_recv synack_sent' stats help
prints '^hskctl [0-9]' -V
prints '^hskctl [0-9]' --version
prints '^Usage: hskctl' -j --help

malformed()
{
	expect 1 "hskctl: malformed endpoint '$1' (expected PORT, A.B.C.D:PORT or [IPV6]:PORT)" \
		listen add "$1"
	expect 1 "hskctl: malformed endpoint '$1' (expected PORT, A.B.C.D:PORT or [IPV6]:PORT)" \
		listen del "$1"
}
for ep in '' 65536 -1 +7 ' 7' '7 ' 0x50 seven 192.0.2.1 192.0.2.1: :80 192.0.2.1:65536 \
	192.0.2.1:80x 192.0.2.1:80:90 256.0.0.1:80 01.2.3.4:80 localhost:80 '*:80' \
	::1:80 2001:db8::1:80 '[::1]' '[::1]:' '[::1]80' '[::1]:80x' '[]:80' '[::1' \
	'[192.0.2.1]:80' '[fe80::1%eth0]:80' '[::1]:65536'; do
	malformed "$ep"
done

expect 1 "hskctl: missing OBJECT (try 'hskctl help')"
expect 1 "hskctl: missing OBJECT (try 'hskctl help')" -j
expect 1 "hskctl: unknown option '-x' (try 'hskctl help')" -x listen show
expect 1 "hskctl: unknown option '--jsonx' (try 'hskctl help')" --jsonx listen show
expect 1 "hskctl: unknown object 'foo' (try 'hskctl help')" foo
expect 1 "hskctl: unknown object 'foo' (try 'hskctl help')" help foo
expect 1 "hskctl: unknown command 'frob' for 'listen' (try 'hskctl listen help')" listen frob
expect 1 "hskctl: missing ENDPOINT for 'listen add'" listen add
expect 1 "hskctl: missing ENDPOINT for 'listen del'" listen del
expect 1 "hskctl: unknown mode 'chargen' (expected echo, discard or tarpit)" \
	listen add 7 mode chargen
expect 1 "hskctl: unknown mode 'ECHO' (expected echo, discard or tarpit)" listen add 7 mode ECHO
expect 1 "hskctl: missing value after 'mode'" listen add 7 mode
expect 1 "hskctl: missing value after 'backlog'" listen add 7 backlog
expect 1 "hskctl: 'mode' given twice" listen add 7 mode echo mode discard
expect 1 "hskctl: 'backlog' given twice" listen add 7 backlog 1 backlog 2
for n in -1 +1 x 1k 0x10 4294967296 ''; do
	expect 1 "hskctl: invalid backlog '$n' (expected a decimal number)" listen add 7 backlog "$n"
done
expect 1 "hskctl: unknown keyword 'port' for 'listen add' (expected mode or backlog)" \
	listen add 7 port 8
expect 1 "hskctl: unexpected argument 'x' for 'listen del'" listen del 7 x
expect 1 "hskctl: unexpected argument 'x' for 'listen flush'" listen flush x
expect 1 "hskctl: unexpected argument 'x' for 'listen show' (expected -j or --json)" \
	listen show x
usage listen show -p
usage listen -p

# conn: filters are checked before anything is sent.
for cmd in show list ls close kill; do
	# Aliases are reported by the command's name.
	case $cmd in
	close | kill) name=$cmd expected='local or remote' ;;
	*) name=show expected='local, remote, -j or --json' ;;
	esac
	expect 1 "hskctl: unknown keyword 'foo' for 'conn $name' (expected $expected)" conn "$cmd" foo
	expect 1 "hskctl: unknown keyword '7' for 'conn $name' (expected $expected)" conn "$cmd" 7
	expect 1 "hskctl: missing value after 'local'" conn "$cmd" local
	expect 1 "hskctl: missing value after 'remote'" conn "$cmd" local 7 remote
	expect 1 "hskctl: 'local' given twice" conn "$cmd" local 7 local 8
	expect 1 "hskctl: 'remote' given twice" conn "$cmd" remote 7 local 1 remote 7
	expect 1 "hskctl: local 192.0.2.1:7 and remote [::1]:9 are of different families" \
		conn "$cmd" local 192.0.2.1:7 remote '[::1]:9'
	expect 1 "hskctl: local [::]:7 and remote 0.0.0.0:9 are of different families" \
		conn "$cmd" remote 0.0.0.0:9 local '[::]:7'
	for ep in '' 65536 x 192.0.2.1 '*:80' ::1:80 '[::1]' '[::1]:65536' 256.0.0.1:80 \
		'[fe80::1%]:80' 'fe80::1%lo:80' '[fe80::1]%lo:80' '192.0.2.1%lo:80' '[fe80::1%lo]'; do
		conn_expected='PORT, A.B.C.D:PORT, [IPV6]:PORT or [IPV6%IFACE]:PORT'
		expect 1 "hskctl: malformed endpoint '$ep' (expected $conn_expected)" \
			conn "$cmd" local "$ep"
		expect 1 "hskctl: malformed endpoint '$ep' (expected $conn_expected)" \
			conn "$cmd" remote "$ep"
	done
	# A scope (an interface) goes with a link-local address only, and must exist.
	for ep in '[2001:db8::1%lo]:80' '[::1%lo]:80' '[::%1]:80' '[ff02::1%lo]:80'; do
		expect 1 "hskctl: endpoint '$ep' has an interface but no link-local address" \
			conn "$cmd" remote "$ep"
	done
	expect 1 "hskctl: unknown interface 'hsknone0' in endpoint '[fe80::2%hsknone0]:40000'" \
		conn "$cmd" remote '[fe80::2%hsknone0]:40000'
	expect 1 "hskctl: unknown interface '0' in endpoint '[fe80::1%0]:7'" \
		conn "$cmd" local '[fe80::1%0]:7'
	expect 1 "hskctl: local [fe80::1%lo]:7 and remote [fe80::2%2147483647]:9 are on different interfaces" \
		conn "$cmd" remote '[fe80::2%2147483647]:9' local '[fe80::1%lo]:7'
done
expect 1 "hskctl: unknown keyword '-j' for 'conn close' (expected local or remote)" conn close -j
expect 1 "hskctl: unknown keyword '--json' for 'conn kill' (expected local or remote)" \
	conn kill local 7 --json
expect 1 "hskctl: unknown command 'flush' for 'conn' (try 'hskctl conn help')" conn flush
expect 1 "hskctl: unknown command 'local' for 'conn' (try 'hskctl conn help')" conn local 7
usage conn -p
usage conn show -p

# stats and config show take -j alone.
expect 1 "hskctl: unexpected argument 'x' for 'stats show' (expected -j or --json)" stats show x
expect 1 "hskctl: unexpected argument 'x' for 'stats show' (expected -j or --json)" stats -j x
expect 1 "hskctl: unexpected argument 'x' for 'config show' (expected -j or --json)" config show x
expect 1 "hskctl: unexpected argument 'max_conns' for 'config show' (expected -j or --json)" \
	config show max_conns
expect 1 "hskctl: unknown command 'reset' for 'stats' (try 'hskctl stats help')" stats reset
expect 1 "hskctl: unknown command 'get' for 'config' (try 'hskctl config help')" config get
usage stats -p
usage config -p

# config set: every key exactly, decimal u32 values.
keys='synack_retries, time_wait_ms, idle_timeout_ms, rto_min_ms, max_conns or sndq_limit_kb'
u32='(expected a decimal number up to 4294967295)'
expect 1 "hskctl: missing KEY VALUE for 'config set' (KEY is $keys)" config set
for key in synack_retries time_wait_ms idle_timeout_ms rto_min_ms max_conns sndq_limit_kb; do
	expect 1 "hskctl: missing value after '$key'" config set "$key"
	expect 1 "hskctl: '$key' given twice" config set "$key" 1 "$key" 1
	for v in x -1 +1 1k 0x10 1.5 ' 1' '' 4294967296; do
		expect 1 "hskctl: invalid value '$v' for '$key' $u32" config set "$key" "$v"
	done
done
for key in foo MAX_CONNS max-conns max_conn synack_retries=5 -j 5; do
	expect 1 "hskctl: unknown setting '$key' (expected $keys)" config set "$key" 1
done
expect 1 "hskctl: missing value after 'max_conns'" config set rto_min_ms 1 max_conns
expect 1 "hskctl: unknown setting '2' (expected $keys)" config set max_conns 1 2
expect 1 "hskctl: invalid value 'max_conns' for 'rto_min_ms' $u32" config set rto_min_ms max_conns 5

# Batch files (-b): usage errors of a line are reported with its number,
# before the kernel is asked anything; comments and blank lines are skipped.
printf '%s\n' '# comment' '' 'listen add 7 mode chargen' 'listen show' >"$tmp/batch"
expect 1 "hskctl: line 3: unknown mode 'chargen' (expected echo, discard or tarpit)" -b "$tmp/batch"
expect 1 "hskctl: line 3: unknown mode 'chargen' (expected echo, discard or tarpit)" \
	-j --batch "$tmp/batch"
printf '%s\n' '  -j  frob show' >"$tmp/batch"
expect 1 "hskctl: line 1: unknown object 'frob' (try 'hskctl help')" -b "$tmp/batch"
printf '%s\n' '' 'listen frob' >"$tmp/batch"
expect 1 "hskctl: line 2: unknown command 'frob' for 'listen' (try 'hskctl listen help')" \
	-b - <"$tmp/batch"
printf '%s\n' '# nothing but comments' '   ' >"$tmp/batch"
expect 0 "" -b "$tmp/batch"
expect 0 "" -b /dev/null
expect 1 "hskctl: missing FILE after '-b'" -b
expect 1 "hskctl: missing FILE after '--batch'" -j --batch
expect 1 "hskctl: unexpected argument 'listen' after '-b' FILE" -b "$tmp/batch" listen show
expect 1 "hskctl: cannot read '$tmp/none': No such file or directory" -b "$tmp/none"
expect 1 "hskctl: cannot read '$tmp': Is a directory" -b "$tmp"
printf 'help\nlisten help\n' >"$tmp/batch"
prints '^Usage: hskctl' -b "$tmp/batch"
prints '^hskctl listen add ENDPOINT' -b "$tmp/batch"
printf '%s\n' 'listen show' >"$tmp/batch"

# Without the module every command that reaches the kernel fails the same way.
if [ ! -e /sys/module/hsk ]; then
	nomod="hskctl: the hsk module is not loaded (load it with 'modprobe hsk' or 'insmod hsk.ko')"
	expect 1 "$nomod" listen show
	expect 1 "$nomod" listen show -j
	expect 1 "$nomod" -j listen ls
	expect 1 "$nomod" --json listen list
	expect 1 "$nomod" listen
	expect 1 "$nomod" listen -j
	expect 1 "$nomod" listen add 7
	expect 1 "$nomod" listen add 0 backlog 0
	expect 1 "$nomod" listen add 0.0.0.0:7 mode discard backlog 4294967295
	expect 1 "$nomod" listen add '[2001:db8::1]:80' mode tarpit
	expect 1 "$nomod" listen del '[::]:19'
	expect 1 "$nomod" listen delete 7
	expect 1 "$nomod" listen flush
	expect 1 "$nomod" conn
	expect 1 "$nomod" conn -j
	expect 1 "$nomod" -j conn
	expect 1 "$nomod" conn show
	expect 1 "$nomod" conn list -j local 7
	expect 1 "$nomod" conn ls remote '[2001:db8::2]:40000' --json local '[::]:7'
	expect 1 "$nomod" conn show local 0.0.0.0:7 remote 5
	expect 1 "$nomod" conn close
	expect 1 "$nomod" -j conn close local 192.0.2.1:7 remote 198.51.100.2:40000
	expect 1 "$nomod" conn kill
	expect 1 "$nomod" conn kill local '[::]:19'
	# Scoped link-local endpoints, by name and by number, reach the kernel.
	expect 1 "$nomod" conn kill remote '[fe80::2%lo]:40000'
	expect 1 "$nomod" conn show -j local '[fe80::1%lo]:7' remote '[fe80::2%lo]:40000'
	expect 1 "$nomod" conn close remote '[fe80::2%2147483647]:40000'
	expect 1 "$nomod" stats
	expect 1 "$nomod" stats -j
	expect 1 "$nomod" stats show
	expect 1 "$nomod" stats show --json
	expect 1 "$nomod" -j stats
	expect 1 "$nomod" config
	expect 1 "$nomod" config -j
	expect 1 "$nomod" config show
	expect 1 "$nomod" config show -j
	expect 1 "$nomod" config set max_conns 0
	expect 1 "$nomod" config set synack_retries 4294967295 time_wait_ms 1 idle_timeout_ms 0 \
		rto_min_ms 200 max_conns 65536
	expect 1 "hskctl: line 1: ${nomod#hskctl: }" -b "$tmp/batch"
else
	echo "cli_test: hsk module loaded, skipping the 'not loaded' tests" >&2
fi

if [ "$failures" -ne 0 ]; then
	echo "cli_test: $failures of $count checks failed" >&2
	exit 1
fi
echo "cli_test: all $count checks passed"
