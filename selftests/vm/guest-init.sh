#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the hsk test VM: PID 1 after initramfs-init switch_rooted into
# the host's root filesystem (read-only 9p with a tmpfs overlay on top).
#
# Usage (by initramfs-init only): guest-init.sh JOBFILE
#
# Mounts the API filesystems, builds the two-NIC topology, optionally loads
# the module under test, runs the job's command (or an interactive shell) on
# the I/O serial port and reports its exit status on the kernel console,
# where run-vm.sh picks it up.  See README.rst.
#
# The HSK_* variables not assigned here come from the job file.
# shellcheck disable=SC2153
set -eEuo pipefail

# Kernel console (ttyS0) goes to the host's log file; command I/O uses the
# second port so that kernel messages never interleave with test output.
readonly IO_TTY=/dev/ttyS1
readonly BASE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Filled in from the job file; defaults keep fail() usable before that.
HSK_VM_BUSYBOX=/bin/busybox

log() {
	echo "hsk-vm: $*" >/dev/kmsg 2>/dev/null || echo "hsk-vm: $*" >&2
}

# reboot(2) called by PID 1 itself never returns, so nothing is exec'd from
# the 9p root after the virtio devices are shut down.  Only if that fails,
# fall back to sysrq (asynchronous, hence the spin: PID 1 must not exit).
power_off() {
	trap - ERR EXIT
	shopt -s execfail
	# shellcheck disable=SC2093 # execfail: we go on if exec fails
	exec "$HSK_VM_BUSYBOX" poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do :; done
}

fail() {
	log "HSK-VM-FAIL $*"
	power_off
}
trap 'fail "guest init failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'fail "guest init exited unexpectedly"' EXIT

# Under TCG every exec from the 9p root costs ~0.1 s: use builtins where
# that is easy.
is_mounted() {
	local dev dir rest

	while read -r dev dir rest; do
		[[ $dir == "$1" ]] && return 0
	done </proc/self/mounts
	return 1
}

mount_fs() {
	local type=$1 dir=$2 opts=$3

	[[ -d $dir ]] || mkdir -p "$dir"
	is_mounted "$dir" || mount -t "$type" -o "$opts" "$type" "$dir"
}

# For filesystems a kernel may lack (the debug kernel has no bpf(2)).
mount_fs_if_known() {
	local fs

	while read -r fs; do
		[[ ${fs##*$'\t'} == "$1" ]] && { mount_fs "$@"; return; }
	done </proc/filesystems
	return 0
}

mount_api_filesystems() {
	mount_fs proc /proc nosuid,nodev,noexec
	mount_fs sysfs /sys nosuid,nodev,noexec
	mount_fs devtmpfs /dev mode=0755
	mount_fs devpts /dev/pts gid=5,mode=0620,ptmxmode=0666
	mount_fs tmpfs /dev/shm nosuid,nodev,mode=1777
	mount_fs tmpfs /run nosuid,nodev,mode=0755
	mount_fs tmpfs /tmp nosuid,nodev,mode=1777
	mount_fs debugfs /sys/kernel/debug nosuid,nodev,noexec
	mount_fs tracefs /sys/kernel/tracing nosuid,nodev,noexec
	mount_fs cgroup2 /sys/fs/cgroup nosuid,nodev,noexec
	mount_fs_if_known bpf /sys/fs/bpf nosuid,nodev,noexec,mode=0700
	# devtmpfs lacks these; bash process substitution needs /dev/fd.
	[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
	[[ -e /dev/stdin ]] || ln -s /proc/self/fd/0 /dev/stdin
	[[ -e /dev/stdout ]] || ln -s /proc/self/fd/1 /dev/stdout
	[[ -e /dev/stderr ]] || ln -s /proc/self/fd/2 /dev/stderr
}

# The host may lack some tools the tests use (e.g. iputils ping); busybox
# applets stand in for them, last in PATH so real tools always win.
install_fallback_tools() {
	local dir=/run/hsk-vm/bin tool

	mkdir -p "$dir"
	for tool in ping ping6; do
		PATH=$BASE_PATH command -v "$tool" >/dev/null ||
			ln -s "$HSK_VM_BUSYBOX" "$dir/$tool"
	done
	PATH=$PATH:$dir
}

nic_by_mac() {
	local mac=$1 dev

	for dev in /sys/class/net/*; do
		[[ $(<"$dev/address") == "$mac" ]] && { echo "${dev##*/}"; return 0; }
	done
	return 1
}

# No udev: the NICs are probed synchronously by virtio_net in stage 1, but
# allow for a slow host anyway.
wait_for_nic() {
	local mac=$1 i

	for ((i = 0; i < 300; i++)); do
		nic_by_mac "$mac" && return 0
		sleep 0.1
	done
	fail "no NIC with MAC $mac"
}

# $1: namespace ('' for the initial one), $2: interface
wait_for_carrier() {
	local ns=$1 dev=$2 i

	for ((i = 0; i < 300; i++)); do
		ip ${ns:+-n "$ns"} link show dev "$dev" | grep -q 'LOWER_UP' && return 0
		sleep 0.1
	done
	fail "no carrier on $dev${ns:+ (netns $ns)}"
}

# $1: ping option (-4/-6), $2: address; from the peer namespace to the host.
check_ping() {
	local family=$1 addr=$2 i

	for ((i = 0; i < 10; i++)); do
		ip netns exec "$HSK_PEER_NS" ping "$family" -c1 -W2 "$addr" >/dev/null 2>&1 &&
			return 0
	done
	fail "peer cannot ping host at $addr"
}

setup_network() {
	HSK_HOST_IF=$(wait_for_nic "$HSK_HOST_MAC")
	HSK_PEER_IF=$(wait_for_nic "$HSK_PEER_MAC")
	log "host NIC $HSK_HOST_IF, peer NIC $HSK_PEER_IF (netns $HSK_PEER_NS)"

	ip link set lo up
	ip netns add "$HSK_PEER_NS"
	ip link set "$HSK_PEER_IF" netns "$HSK_PEER_NS"
	ip -n "$HSK_PEER_NS" link set lo up

	ip addr add "$HSK_HOST4/24" dev "$HSK_HOST_IF"
	ip -6 addr add "$HSK_HOST6/64" dev "$HSK_HOST_IF" nodad
	ip link set "$HSK_HOST_IF" up

	ip -n "$HSK_PEER_NS" addr add "$HSK_PEER4/24" dev "$HSK_PEER_IF"
	ip -n "$HSK_PEER_NS" -6 addr add "$HSK_PEER6/64" dev "$HSK_PEER_IF" nodad
	ip -n "$HSK_PEER_NS" link set "$HSK_PEER_IF" up

	wait_for_carrier '' "$HSK_HOST_IF"
	wait_for_carrier "$HSK_PEER_NS" "$HSK_PEER_IF"
	check_ping -4 "$HSK_HOST4"
	check_ping -6 "$HSK_HOST6"
	log "network ready"
}

readonly ENV_VARS=(HSK_VM HSK_HOST_IF HSK_PEER_IF HSK_PEER_NS HSK_HOST4 HSK_PEER4
		   HSK_HOST6 HSK_PEER6 HSK_HOST_MAC HSK_PEER_MAC HSK_KO HSK_ROOT)

export_topology() {
	local var

	export HSK_VM=1
	: >/run/hsk-vm.env
	for var in "${ENV_VARS[@]}"; do
		export "${var?}"
		printf '%s=%q\n' "$var" "${!var}" >>/run/hsk-vm.env
	done
}

# A kernel from outside /boot (the debug kernel) has its modules elsewhere:
# show them at /lib/modules/KVER, so that modprobe and modinfo work.
mount_modules() {
	local dir

	[[ -n $HSK_VM_MODULES_DIR ]] || return 0
	dir=/lib/modules/$(uname -r)
	mkdir -p "$dir"
	mount --bind "$HSK_VM_MODULES_DIR" "$dir"
}

load_module() {
	local out

	[[ -n $HSK_KO ]] || return 0
	if ! out=$(insmod "$HSK_KO" 2>&1); then
		fail "insmod $HSK_KO failed: ${out//$'\n'/ }"
	fi
	log "loaded $HSK_KO"
}

# Re-applying the current settings waits until all output has left the UART
# (GNU stty uses TCSETSW), so nothing is lost when we power off.
drain_io() {
	stty -F "$IO_TTY" "$(stty -F "$IO_TTY" -g)"
}

# Sets cmd_rc to the exit status of the command.
run_command() {
	local shell=/bin/bash

	[[ -x $shell ]] || shell=/bin/sh
	# Raw output: no CR is added, the host sees exactly what was written.
	stty -F "$IO_TTY" raw -echo
	cmd_rc=0
	TERM=dumb "$shell" -c "$HSK_VM_CMD" </dev/null >"$IO_TTY" 2>&1 || cmd_rc=$?
}

# Sets cmd_rc to the exit status of the shell.
run_shell() {
	local rcfile=/run/hsk-vm/bashrc

	stty -F "$IO_TTY" sane
	# The window size is lost whenever the last fd on the port is closed,
	# so the shell sets it itself.  No user rc files: they could change
	# PATH (pyenv and the like) behind the tests' back.
	cat >"$rcfile" <<-EOF
		stty rows $HSK_VM_ROWS cols $HSK_VM_COLS
		PS1='hsk-vm:\w\\$ '
	EOF
	printf 'hsk-vm: %s, topology in /run/hsk-vm.env; exit to power off\n' \
		"$(uname -r)" >"$IO_TTY"
	cmd_rc=0
	# setsid -c makes the port our controlling terminal: job control works.
	TERM=$HSK_VM_TERM setsid -c -w /bin/bash --rcfile "$rcfile" -i \
		<>"$IO_TTY" >&0 2>&0 || cmd_rc=$?
}

# Sets kmemleak_state: 'off' unless the job asks for a leak scan, else 'ok',
# 'leaks' (the report goes to the console log), 'unload' (the module under
# test would not unload) or 'unavailable' (a kernel without kmemleak).
check_kmemleak() {
	local ctl=/sys/kernel/debug/kmemleak name out report line sec

	kmemleak_state=off
	[[ $HSK_VM_KMEMLEAK == 1 ]] || return 0
	# Whatever the module still holds is not a leak yet.
	if [[ -n $HSK_KO ]]; then
		name=${HSK_KO##*/}
		name=${name%.ko}
		name=${name//-/_}
		if [[ -d /sys/module/$name ]]; then
			# The report can no longer name the module's functions:
			# keep where they were.
			for sec in .text .init.text .exit.text; do
				[[ -r /sys/module/$name/sections/$sec ]] &&
					log "kmemleak: ($name $sec was at $(<"/sys/module/$name/sections/$sec"))"
			done
			if ! out=$(rmmod "$name" 2>&1); then
				log "kmemleak: rmmod $name failed: ${out//$'\n'/ }"
				kmemleak_state=unload
				return 0
			fi
		fi
	fi
	if [[ ! -w $ctl ]]; then
		kmemleak_state=unavailable
		return 0
	fi
	# Objects younger than 5 s are never reported: scan, wait, scan again
	# (Documentation/dev-tools/kmemleak.rst).
	echo scan >"$ctl"
	sleep 5
	echo scan >"$ctl"
	report=$(<"$ctl")
	if [[ -z $report ]]; then
		kmemleak_state=ok
		return 0
	fi
	while IFS= read -r line; do
		log "kmemleak: $line"
	done <<<"$report"
	kmemleak_state=leaks
}

# Prints 'ok' or 'bad'; offending lines also go to the console log.
check_dmesg() {
	local bad line

	bad=$(dmesg | grep -E "$HSK_VM_BAD_RE" | grep -v 'hsk-vm: ' || true)
	if [[ -z $bad ]]; then
		echo ok
		return
	fi
	while IFS= read -r line; do
		log "dmesg: $line"
	done <<<"$bad"
	echo bad
}

main() {
	local job=${1:?job file} dmesg_state

	mount_api_filesystems
	# shellcheck source=/dev/null
	source "$job"
	: "${HSK_VM_NONCE:?}" "${HSK_PEER_NS:?}" "${HSK_ROOT:?}" "${HSK_VM_MODE:?}"
	echo hsk-vm >/proc/sys/kernel/hostname
	export HOME=/root LANG=C.UTF-8 PATH=$BASE_PATH
	install_fallback_tools
	setup_network
	export_topology
	mount_modules
	load_module
	[[ -z $HSK_VM_PATH ]] || PATH=$HSK_VM_PATH:$PATH
	cd "$HSK_ROOT"
	log "running ${HSK_VM_MODE}"
	if [[ $HSK_VM_MODE == shell ]]; then
		run_shell
	else
		run_command
	fi
	check_kmemleak
	dmesg_state=$(check_dmesg)
	drain_io
	log "HSK-VM-RESULT $HSK_VM_NONCE exit=$cmd_rc dmesg=$dmesg_state kmemleak=$kmemleak_state"
	power_off
}

main "$@"
