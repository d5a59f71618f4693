# SPDX-License-Identifier: GPL-2.0
#
# Objects of the hsk TCP core. In kmod/Kbuild:
#
#   include $(src)/core/core.mk
#   hsk-y += $(hsk-core-y)
#   ccflags-y += -I$(src)/core
#
# The core includes <linux/hsk.h>, so include/uapi of this repository must
# be on the include path too (kmod/Kbuild already adds it).

hsk-core-y := core/hsk_wire.o core/hsk_tcb.o core/hsk_input.o core/hsk_output.o \
	      core/hsk_sack.o
