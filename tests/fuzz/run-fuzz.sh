#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the libFuzzer harnesses for "make check" and "make fuzz" (see the
# Makefile): per harness, first a replay of corpus/<harness> (regression),
# then fuzzing for the given number of seconds with build/work/<harness> as
# the corpus that grows and corpus/<harness> as read-only seeds. Prints one
# line per harness and a final "N passed, N failed"; exits non-zero if any
# harness failed (crash, leak, timeout, out of memory, broken invariant).
#
#   run-fuzz.sh MODE SECONDS "EXTRA_LIBFUZZER_FLAGS" HARNESS...

set -u
mode=$1
secs=$2
extra=$3
shift 3

cd "$(dirname "$0")" || exit 2
build=build
passed=0
failed=0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# why a libFuzzer log ended badly
reason() {
	grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+|ERROR: AddressSanitizer: [a-z-]+|ERROR: LeakSanitizer: [a-z-]+|runtime error|invariant violated' "$1" ||
		echo "exit status $2"
}

for h in "$@"; do
	bin=$build/$h
	seeds=corpus/$h
	work=$build/work/$h
	art=$build/artifacts/$h
	log=$build/logs/$h.log
	mkdir -p "$seeds" "$work" "$art" "$build/logs"

	# 1. regression: every committed input once
	if ! "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$art/" "$seeds" >"$log.replay" 2>&1; then
		rc=$?
		crash=$(sed -nE 's/.*Test unit written to (.*)/\1/p' "$log.replay" | head -n1)
		echo "$h: FAIL replay of $seeds: $(reason "$log.replay" $rc)"
		echo "    input: ${crash:-see log}; log: $log.replay"
		grep -m1 -A3 -E 'invariant violated|ERROR:|runtime error' "$log.replay" | sed 's/^/    /'
		failed=$((failed + 1))
		continue
	fi
	nseeds=$(find "$seeds" -maxdepth 1 -type f | wc -l)

	# 2. fuzzing, time boxed
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" $extra \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?

	last=$(grep -E '^#[0-9]+' "$log" | tail -n1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	corp=$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
	eps=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
	new=$(find "$work" -maxdepth 1 -type f | wc -l)
	stats="${execs:-?} execs, ${eps:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} (${nseeds} seeds, ${new} in $work)"

	if [ "$rc" -eq 0 ]; then
		echo "$h: PASS ${secs}s: $stats"
		passed=$((passed + 1))
	else
		crash=$(sed -nE 's/.*Test unit written to (.*)/\1/p' "$log" | head -n1)
		echo "$h: FAIL $(reason "$log" "$rc") after $stats"
		echo "    input: ${crash:-none}; log: $log"
		grep -m1 -A3 -E 'invariant violated|ERROR:|runtime error' "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
