# NUMA memory placement for Linux 6.12: build, boot, test and publish.
#
#   make run [CMD='...'] [TOPO=4node] [KERNEL=patched]   boot a guest
#   make check [KERNEL=stock] [TOPOS='2node 4node']      run the selftests
#   make check-harness                                   check the checker
#   make series                                          the patch series
#
# Everything is built under build/; the scripts in scripts/ do the work.

KERNEL ?= patched
TOPO   ?= 4node
TOPOS  ?= $(sort $(notdir $(wildcard scripts/topologies/*)))
CMD    ?=
export CMD

ifeq ($(filter $(KERNEL),stock patched),)
$(error KERNEL must be stock or patched, not '$(KERNEL)')
endif

.PHONY: all deps kernel guest run check check-harness series clean distclean

all: guest

deps:
	@scripts/deps.sh

kernel: deps
	@scripts/kernel.sh $(KERNEL)

# The kernel and the initramfs with the selftests: what a guest boots.
guest: kernel
	@scripts/selftests.sh
	@scripts/initramfs.sh

run: guest
	@scripts/guest.sh $(KERNEL) $(TOPO)

check: guest
	@scripts/check.sh $(KERNEL) $(TOPOS)

# Proves that the verdicts of guest.sh and check.sh can fail.
check-harness: guest
	@scripts/harness-check/run.sh $(KERNEL)

series: deps
	@scripts/series.sh

clean:
	rm -rf build/obj build/runs build/selftests build/initramfs build/initramfs.cpio

distclean:
	rm -rf build
