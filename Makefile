# SPDX-License-Identifier: GPL-2.0
#
# hsk: a TCP endpoint in a kernel module, and hskctl to configure it.
#
#   make             build hsk.ko for KVER (default: the running kernel, or
#                    the newest installed headers if it has none), hskctl
#                    and the host unit tests
#   make check       install what is missing, run the host unit tests, a
#                    short fuzzing round and the VM kselftests on both test
#                    kernels (6.1 and 6.12) and on a KASAN/UBSAN/lockdep/
#                    kmemleak kernel built from linux-source-6.1 (cached
#                    outside the clone; the first run builds it)
#   make check-debug the VM kselftests on the debug kernel only
#   make demo        install what is missing, boot the test VM and show a
#                    listener configured with hskctl
#   make vm [CMD=…]  a shell (or one command) in the test VM with hsk.ko
#                    loaded and hskctl on PATH; VM_KVER picks the kernel
#   make lint        checkpatch --strict, sparse and clang-format
#   make fuzz        fuzz the pure TCP core with libFuzzer for a long while
#                    (FUZZ_SECONDS per harness, default 600)
#
# Modules are built out of the source tree, in build/KVER/, so one checkout
# builds for several kernels side by side.

KVER ?= $(shell uname -r)
ifeq ($(origin KDIR)$(wildcard /lib/modules/$(KVER)/build/Makefile),undefined)
# No headers for the running kernel (a VM host, a container): fall back to
# the newest installed ones rather than fail.
override KVER := $(shell ls /lib/modules 2>/dev/null | sort -V | \
	while read k; do [ -e /lib/modules/$$k/build/Makefile ] && echo $$k; done | tail -n1)
endif
KDIR ?= /lib/modules/$(KVER)/build

# One output tree per kernel: per release, or per KDIR when one is given.
MODDIR = build/$(if $(filter command line,$(origin KDIR)),kdir$(subst /,_,$(abspath $(KDIR))),$(KVER))
HSK_KO = $(MODDIR)/kmod/hsk.ko

all: module hskctl unit

module:
	@test -n "$(KVER)" || { echo "no kernel headers found: run scripts/install-deps, or pass KDIR=" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' kmod include $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODDIR)/kmod modules

hskctl:
	$(MAKE) -C tools/hskctl

unit:
	$(MAKE) -C tests/unit

deps:
	scripts/install-deps
	scripts/extract-ksrc

check: deps
	scripts/check

check-debug: deps
	scripts/check --debug-kernel

demo: deps
	scripts/demo

VM_KVER ?= $(firstword $(shell scripts/test-kernels 2>/dev/null))
vm: deps
	$(MAKE) module hskctl KVER=$(VM_KVER)
	selftests/vm/run-vm.sh -k $(VM_KVER) -m build/$(VM_KVER)/kmod/hsk.ko \
		-p $(CURDIR)/tools/hskctl $(if $(CMD),-c '$(CMD)')

lint: deps
	scripts/lint

FUZZ_SECONDS ?= 600
fuzz: deps
	$(MAKE) -C tests/fuzz fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

clean:
	rm -rf build
	$(MAKE) -C tools/hskctl clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C selftests clean

.PHONY: all module hskctl unit deps check check-debug demo vm lint fuzz clean
