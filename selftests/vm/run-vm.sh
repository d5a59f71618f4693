#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel from /boot, or the debug kernel (scripts/debug-kernel),
# under QEMU (TCG) with this machine's root filesystem as the guest's root
# (read-only virtio-9p plus a tmpfs overlay), build the hsk test topology,
# then run one command or an interactive shell.
# How it works, the topology and the exit codes: README.rst next to this file.
set -euo pipefail

readonly VM_FAIL=125	# the VM, not the command, failed
readonly USAGE_FAIL=2

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
hsk_root=$(cd "$script_dir/../.." && pwd -P)
build_dir=$hsk_root/build/vm
readonly script_dir hsk_root build_dir

# Test topology; guest-init.sh gets it through the job file.
readonly HSK_HOST_MAC=52:54:00:12:34:01 HSK_PEER_MAC=52:54:00:12:34:02
readonly HSK_HOST4=198.18.0.1 HSK_PEER4=198.18.0.2
readonly HSK_HOST6=2001:db8::1 HSK_PEER6=2001:db8::2
readonly HSK_PEER_NS=peer

# Kernel log lines that fail a run even when the command succeeded.  Most
# reports (KASAN, lockdep, sleeping in atomic context, ODEBUG) start with
# "BUG:" or "WARNING:"; the others are named.  kmemleak's own informational
# lines ("Kernel memory leak detector initialized") must not match.
readonly BAD_RE='WARNING:|BUG:|Oops|KASAN|UBSAN|general protection|Call Trace|RCU stall|self-detected stall|detected stalls on CPU|hung_task|blocked for more than [0-9]+ seconds|Kernel panic|possible recursive locking|circular locking|suspicious RCU usage|inconsistent lock state|sleeping function called|lockdep is turned off|trying to register non-static key|ODEBUG:|list_(add|del) corruption|BUG [^ :]+ \((Not t|T)ainted\)|Poison overwritten|Redzone overwritten|Object already free|suspected memory leak|unreferenced object|kmemleak: (Memory pool empty|Cannot allocate|Kernel memory leak detector disabled)'

# What stage 1 needs to mount the host root; dependencies are added.
readonly INITRAMFS_MODULES=(virtio_pci virtio_net 9pnet_virtio 9p overlay)

readonly DEFAULT_TIMEOUT=900
# Seconds the guest kernel gets to reach stage 1's end (with -c).  It needs
# a few, or tens on a loaded host with the debug kernel; a kernel that hangs
# while booting (seen once in early boot of the debug kernel under TCG) is
# killed and booted once more instead of eating the whole timeout.
readonly BOOT_TIMEOUT=300
readonly LOG_TAIL_LINES=40

usage() {
	cat <<EOF
usage: ${0##*/} -k KVER|DIR [-m MODULE.ko] [-L] [-p DIR]... [-t TIMEOUT] [-c COMMAND]
  -k KVER     kernel to boot: /boot/vmlinuz-KVER with /lib/modules/KVER
  -k DIR      kernel to boot: DIR/boot/vmlinuz-KVER with DIR/lib/modules/KVER
              (the debug kernel: scripts/debug-kernel --dir)
  -m FILE     insmod FILE in the guest after network setup
  -L          after the command: unload the -m module (fail if that fails),
              scan for memory leaks with kmemleak and fail on any
  -p DIR      prepend DIR to PATH in the guest (repeatable)
  -t SECONDS  kill the VM after SECONDS (default $DEFAULT_TIMEOUT with -c, none otherwise)
  -c COMMAND  run COMMAND in the guest; exit with its status
Without -c, stdin must be a terminal: interactive shell in the guest.
EOF
}

usage_error() {
	echo "run-vm: $*" >&2
	usage >&2
	exit "$USAGE_FAIL"
}

die() {
	echo "run-vm: $*" >&2
	exit "$VM_FAIL"
}

parse_args() {
	local opt

	kver='' module='' timeout='' cmd='' have_cmd=0 path_dirs=() kmemleak=0
	while getopts ':k:m:Lp:t:c:h' opt; do
		case $opt in
		k) kver=$OPTARG ;;
		m) module=$OPTARG ;;
		L) kmemleak=1 ;;
		p) path_dirs+=("$OPTARG") ;;
		t) timeout=$OPTARG ;;
		c) cmd=$OPTARG have_cmd=1 ;;
		h) usage; exit 0 ;;
		:) usage_error "option -$OPTARG needs an argument" ;;
		*) usage_error "unknown option -$OPTARG" ;;
		esac
	done
	shift $((OPTIND - 1))
	(($# == 0)) || usage_error "unexpected argument: $1"
	[[ -n $kver ]] || usage_error "-k KVER or -k DIR is required"
	[[ -z $timeout || $timeout =~ ^[0-9]+$ ]] || usage_error "bad timeout: $timeout"
	if ((!have_cmd)); then
		[[ -t 0 ]] || usage_error "no -c COMMAND and stdin is not a terminal"
	fi
	timeout=${timeout:-$((have_cmd ? DEFAULT_TIMEOUT : 0))}
}

# The guest mounts its own filesystems there, hiding the host's files.
readonly GUEST_PRIVATE_DIRS=(/tmp /run /dev /proc /sys)

# Fails unless the guest sees the host's file $1 at the same path.
check_guest_visible() {
	local d

	for d in "${GUEST_PRIVATE_DIRS[@]}"; do
		[[ $1 != "$d" && $1 != "$d"/* ]] ||
			usage_error "$1 is not visible in the guest (it has its own $d)"
	done
}

# Sets kver, kernel, kroot (the root holding boot/ and lib/modules/) and
# guest_moddir (where the guest finds lib/modules/KVER when kroot is not /).
# -k is a release from /boot, or a directory laid out like a root.
find_kernel() {
	local k kernels=()

	kroot=/ guest_moddir=''
	if [[ $kver == */* ]]; then
		[[ -d $kver ]] || usage_error "no kernel directory $kver"
		kroot=$(realpath -e "$kver")
		for k in "$kroot"/boot/vmlinuz-*; do
			[[ -e $k ]] && kernels+=("$k")
		done
		((${#kernels[@]} == 1)) ||
			usage_error "$kroot/boot must hold exactly one vmlinuz-KVER"
		kver=${kernels[0]##*/vmlinuz-}
		guest_moddir=$kroot/lib/modules/$kver
		check_guest_visible "$guest_moddir"
	fi
	kernel=${kroot%/}/boot/vmlinuz-$kver
	[[ -r $kernel ]] || usage_error "cannot read $kernel"
	[[ -d ${kroot%/}/lib/modules/$kver ]] || usage_error "no ${kroot%/}/lib/modules/$kver"
}

# The guest sees the host's files at the same absolute paths, and the kernel
# command line cannot carry blanks.
check_paths() {
	local d resolved=()

	find_kernel
	if [[ -n $module ]]; then
		[[ -f $module ]] || usage_error "no module file $module"
		module=$(realpath -e "$module")
		check_guest_visible "$module"
	fi
	for d in "${path_dirs[@]}"; do
		[[ -d $d ]] || usage_error "no directory $d"
		d=$(realpath -e "$d")
		check_guest_visible "$d"
		resolved+=("$d")
	done
	guest_path=$(IFS=:; echo "${resolved[*]}")
	check_guest_visible "$hsk_root"
	[[ $hsk_root != *[[:space:]]* ]] || die "the repository path must not contain blanks"
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 not found (install qemu-system-x86)"
	busybox=$(command -v busybox) || die "busybox not found (install busybox-static)"
	busybox=$(realpath -e "$busybox")
	# The initramfs has no libraries.
	[[ $(LC_ALL=C ldd "$busybox" 2>&1 || :) == *'not a dynamic executable'* ]] ||
		die "$busybox is not statically linked (install busybox-static)"
}

# Prints the .ko files (maybe compressed) the initramfs needs, dependencies
# first, each once.  Built-in ones ("builtin NAME") need nothing: with the
# debug kernel the list is empty.
initramfs_module_files() {
	local m deps all='' root=()

	[[ $kroot == / ]] || root=(-d "$kroot")
	for m in "${INITRAMFS_MODULES[@]}"; do
		deps=$(modprobe "${root[@]}" -S "$kver" --show-depends "$m" 2>&1) ||
			die "module $m not available for $kver: $deps"
		all+=$deps$'\n'
	done
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' <<<"$all"
}

# Copies the modules uncompressed (busybox insmod cannot decompress) and
# writes their load order to modules.list.
copy_modules() {
	local dir=$1 ko dest files

	files=$(initramfs_module_files)
	mkdir -p "$dir/lib/modules"
	: >"$dir/modules.list"
	while read -r ko; do
		[[ -n $ko ]] || continue	# all built in
		dest=${ko##*/}
		dest=/lib/modules/${dest%.ko*}.ko
		case $ko in
		*.xz) xz -dc "$ko" ;;
		*.zst) zstd -qdc "$ko" ;;
		*.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$dir$dest"
		echo "$dest" >>"$dir/modules.list"
	done <<<"$files"
}

install_busybox() {
	local dir=$1 applet

	mkdir -p "$dir/bin"
	cp "$busybox" "$dir/bin/busybox"
	for applet in $("$busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$dir/bin/$applet"
	done
}

# Everything the initramfs content depends on; a change forces a rebuild.
initramfs_key() {
	{
		sha256sum "${BASH_SOURCE[0]}" "$script_dir/initramfs-init"
		stat -L -c '%n %s %Y' "$kernel" "${kroot%/}/lib/modules/$kver/modules.dep" "$busybox"
	} | sha256sum | cut -d' ' -f1
}

# Sets initramfs.  Cached per KVER; the lock keeps parallel runs from
# building the same file at once.
build_initramfs() {
	local key tmp lockfd

	initramfs=$build_dir/initramfs-$kver.cpio
	key=$(initramfs_key)
	exec {lockfd}>"$initramfs.lock"
	flock "$lockfd"
	if [[ -f $initramfs && $(cat "$initramfs.key" 2>/dev/null) == "$key" ]]; then
		exec {lockfd}>&-
		return
	fi
	tmp=$(mktemp -d "$build_dir/initramfs.XXXXXX")
	mkdir -p "$tmp"/{dev,proc,sys}
	install -m 0755 "$script_dir/initramfs-init" "$tmp/init"
	install_busybox "$tmp"
	copy_modules "$tmp"
	(cd "$tmp" && find . -mindepth 1 -print0 |
		LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$initramfs.tmp"
	mv -f "$initramfs.tmp" "$initramfs"
	echo "$key" >"$initramfs.key"
	rm -rf "$tmp"
	exec {lockfd}>&-
}

# Sets console_log; a second run of the same kernel in parallel gets its own.
pick_console_log() {
	console_log=$build_dir/console-$kver.log
	exec {console_lock}>"$console_log.lock"
	flock -n "$console_lock" || console_log=$build_dir/console-$kver.$$.log
}

job_var() {
	printf '%s=%q\n' "$1" "$2"
}

# Sets job and nonce.  The nonce keeps a stray line on the console from
# passing for the result marker.
write_job() {
	local rows=24 cols=80 mode=shell

	nonce=$(tr -d '-' </proc/sys/kernel/random/uuid)
	if ((have_cmd)); then
		mode='command'
	else
		read -r rows cols < <(stty size 2>/dev/null) || :
		[[ $rows =~ ^[1-9][0-9]*$ && $cols =~ ^[1-9][0-9]*$ ]] || rows=24 cols=80
	fi
	job=$(mktemp "$build_dir/job-$kver.XXXXXX")
	{
		job_var HSK_HOST_MAC "$HSK_HOST_MAC"
		job_var HSK_PEER_MAC "$HSK_PEER_MAC"
		job_var HSK_HOST4 "$HSK_HOST4"
		job_var HSK_PEER4 "$HSK_PEER4"
		job_var HSK_HOST6 "$HSK_HOST6"
		job_var HSK_PEER6 "$HSK_PEER6"
		job_var HSK_PEER_NS "$HSK_PEER_NS"
		job_var HSK_KO "$module"
		job_var HSK_VM_MODULES_DIR "$guest_moddir"
		job_var HSK_VM_KMEMLEAK "$kmemleak"
		job_var HSK_ROOT "$hsk_root"
		job_var HSK_VM_NONCE "$nonce"
		job_var HSK_VM_MODE "$mode"
		job_var HSK_VM_CMD "$cmd"
		job_var HSK_VM_PATH "$guest_path"
		job_var HSK_VM_BUSYBOX "$busybox"
		job_var HSK_VM_BAD_RE "$BAD_RE"
		job_var HSK_VM_TERM "${TERM:-vt100}"
		job_var HSK_VM_ROWS "$rows"
		job_var HSK_VM_COLS "$cols"
	} >"$job"
	chmod 0644 "$job"
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	[[ -z ${job:-} ]] || rm -f "$job"
	stop_watcher
	[[ -z ${console_log:-} ]] || rm -f "$console_log.pid" "$console_log.stalled"
}

kernel_cmdline() {
	# shellcheck disable=SC2054 # commas are part of the arguments
	local args=(
		console=ttyS0,115200 8250.nr_uarts=2
		# Any WARN or oops must end the run, and a panic must end QEMU.
		panic_on_warn=1 oops=panic panic=-1
		# Our log lines go through /dev/kmsg; never drop them.
		printk.devkmsg=on
		rdinit=/init "hskvm_job=$job" "hskvm_init=$script_dir/guest-init.sh"
	)
	echo "${args[*]}"
}

# Runs QEMU; returns its exit status (124 or 137 from timeout(1) on timeout).
run_qemu() {
	# shellcheck disable=SC2054 # commas are part of the arguments
	local io=stdio,id=io,signal=off qemu=(
		qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot
		-machine pc -accel tcg,thread=single -cpu max -smp 2 -m 2G
		-kernel "$kernel" -initrd "$initramfs" -append "$(kernel_cmdline)"
		-chardev "file,id=con,path=$console_log" -serial chardev:con
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		# Both NICs on one hub and nothing else: no way out of the VM.
		# romfile= skips the PXE option ROMs, which only cost boot time.
		-netdev hubport,id=n0,hubid=0
		-device "virtio-net-pci,netdev=n0,mac=$HSK_HOST_MAC,romfile="
		-netdev hubport,id=n1,hubid=0
		-device "virtio-net-pci,netdev=n1,mac=$HSK_PEER_MAC,romfile="
	)

	if ((have_cmd)); then
		# Not reading the terminal keeps QEMU from putting it in raw mode.
		qemu+=(-chardev "$io" -serial chardev:io -pidfile "$console_log.pid")
		rm -f "$console_log.pid" "$console_log.stalled"
		watch_boot &
		watcher=$!
		with_timeout "${qemu[@]}" </dev/null
	else
		# mux lets Ctrl-A x kill a stuck VM.
		qemu+=(-chardev "$io,mux=on" -serial chardev:io)
		with_timeout "${qemu[@]}"
	fi
}

# Kills QEMU when the guest has not finished stage 1 after BOOT_TIMEOUT
# seconds, and says so in $console_log.stalled.
watch_boot() {
	local i pid

	for ((i = 0; i < BOOT_TIMEOUT; i++)); do
		sleep 1
		grep -aqE 'hsk-vm: (stage 1 done|HSK-VM-FAIL)' "$console_log" 2>/dev/null && return 0
	done
	pid=$(cat "$console_log.pid" 2>/dev/null) || return 0
	: >"$console_log.stalled"
	kill "$pid" 2>/dev/null || :
}

# shellcheck disable=SC2317 # called from the EXIT trap
stop_watcher() {
	[[ -z ${watcher:-} ]] || kill "$watcher" 2>/dev/null || :
	wait "${watcher:-}" 2>/dev/null || :
	watcher=''
}

with_timeout() {
	local rc=0 errfd filter_pid

	exec {errfd}> >(filter_qemu_stderr)
	filter_pid=$!
	if ((timeout)); then
		timeout --foreground -k 10 "$timeout" "$@" 2>&"$errfd" || rc=$?
	else
		"$@" 2>&"$errfd" || rc=$?
	fi
	# Let the filter finish before we print anything ourselves.
	exec {errfd}>&-
	wait "$filter_pid" || :
	return "$rc"
}

# A hub without a host backend is exactly what we want; QEMU warns anyway.
filter_qemu_stderr() {
	grep -v --line-buffered 'hub 0 is not connected to host network' >&2 || :
}

# Prints console lines matching BAD_RE (ours are excluded: they quote them).
bad_console_lines() {
	tr -d '\r' <"$console_log" | grep -aE "$BAD_RE" | grep -av 'hsk-vm: ' || :
}

vm_failure() {
	local reason=$1 bad

	echo "run-vm: $reason" >&2
	bad=$(bad_console_lines)
	[[ -n $bad ]] || bad=$(tr -d '\r' <"$console_log" | grep -a 'hsk-vm: dmesg: ' || :)
	if [[ -n $bad ]]; then
		echo "run-vm: suspicious kernel log lines:" >&2
		printf '  %s\n' "${bad//$'\n'/$'\n'  }" >&2
	fi
	echo "run-vm: kernel console log: $console_log (last $LOG_TAIL_LINES lines follow)" >&2
	tr -d '\r' <"$console_log" | tail -n "$LOG_TAIL_LINES" | sed 's/^/  | /' >&2
	exit "$VM_FAIL"
}

# Prints what guest-init.sh relayed from the leak scan: where the module
# was, rmmod's error, kmemleak's report.
print_kmemleak_report() {
	echo "run-vm: kmemleak report (after unloading the module):" >&2
	tr -d '\r' <"$console_log" | sed -n 's/^.*hsk-vm: kmemleak: /  /p' >&2
}

# Decides the runner's exit status from QEMU's status and the console log.
evaluate() {
	local qemu_rc=$1 result fail_line exit_rc dmesg_state kmemleak_state

	if ((timeout)) && ((qemu_rc == 124 || qemu_rc == 137)); then
		vm_failure "timed out after ${timeout}s, QEMU killed ($kver)"
	fi
	if grep -aq 'Kernel panic' "$console_log"; then
		vm_failure "guest kernel panicked ($kver)"
	fi
	fail_line=$(tr -d '\r' <"$console_log" | grep -a 'hsk-vm: HSK-VM-FAIL ' | tail -n1 || :)
	if [[ -n $fail_line ]]; then
		vm_failure "guest setup failed ($kver): ${fail_line#*HSK-VM-FAIL }"
	fi
	result=$(tr -d '\r' <"$console_log" | grep -a "hsk-vm: HSK-VM-RESULT $nonce " | tail -n1 || :)
	if [[ -z $result ]]; then
		vm_failure "guest never reported the command's exit status, QEMU exit status $qemu_rc ($kver)"
	fi
	exit_rc=$(sed -n 's/.* exit=\([0-9]*\) .*/\1/p' <<<"$result")
	dmesg_state=$(sed -n 's/.* dmesg=\([a-z]*\).*/\1/p' <<<"$result")
	kmemleak_state=$(sed -n 's/.* kmemleak=\([a-z]*\).*/\1/p' <<<"$result")
	case ${kmemleak_state:-off} in
	off | ok) ;;
	leaks)
		print_kmemleak_report
		vm_failure "kmemleak found memory leaks ($kver); command exit status was $exit_rc"
		;;
	unload)
		print_kmemleak_report
		vm_failure "unloading ${module##*/} for the leak scan failed ($kver); command exit status was $exit_rc"
		;;
	*) vm_failure "no kmemleak scan possible ($kver: $kmemleak_state); command exit status was $exit_rc" ;;
	esac
	if [[ $dmesg_state != ok || -n $(bad_console_lines) ]]; then
		vm_failure "kernel log shows problems ($kver); command exit status was $exit_rc"
	fi
	exit "$exit_rc"
}

main() {
	local qemu_rc=0

	parse_args "$@"
	check_paths
	mkdir -p "$build_dir"
	trap cleanup EXIT
	build_initramfs
	pick_console_log
	write_job
	run_qemu || qemu_rc=$?
	stop_watcher
	if [[ -e $console_log.stalled ]]; then
		echo "run-vm: the guest did not boot within ${BOOT_TIMEOUT}s ($kver), booting it again;" \
			"its console log: ${console_log%.log}.stalled.log" >&2
		mv -f "$console_log" "${console_log%.log}.stalled.log"
		qemu_rc=0
		run_qemu || qemu_rc=$?
		stop_watcher
		[[ ! -e $console_log.stalled ]] || vm_failure "the guest did not boot within ${BOOT_TIMEOUT}s, twice ($kver)"
	fi
	evaluate "$qemu_rc"
}

main "$@"
