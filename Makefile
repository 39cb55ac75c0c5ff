# NUMA memory placement for Linux 6.12: build, boot, test and publish.
#
#   make run [CMD='...'] [TOPO=4node] [KERNEL=patched]   boot a guest
#   make check [KERNEL=stock] [TOPOS='2node 4node']      run the selftests
#   make conformance [SEED=1] [CALLS=100000]             stock vs patched
#   make check-upstream [TOPOS=4node]                    NUMA tests not ours
#   make check-harness                                   check the checker
#   make series                                          the patch series
#   make bench [QUICK=1] [ROUNDS=5]                      stock vs patched speed
#   make fuzz [OPS=100000] [QUICK=1] [DEBUG=1]           trinity, both kernels
#   make stress [MINUTES=10] [SEED=N]                    the long stress run
#
# STAGED=1 builds the patched kernel with the series' blocks that are marked
# 'staged: yes' too: work that is on main but does not yet replace the base
# tree's code by default.  DEBUG=1 builds and runs kernels with KASAN,
# KFENCE, UBSAN and the other checkers of scripts/debug.config, in
# build/debug.
#
# Everything is built under build/; the scripts in scripts/ do the work.

KERNEL ?= patched
TOPO   ?= 4node
# The bench topology is the benchmark's, too big to be worth a test run.
TOPOS  ?= $(filter-out bench,$(sort $(notdir $(wildcard scripts/topologies/*))))
CMD    ?=
SEED   ?= 1
CALLS  ?= 100000
STAGED ?= 0
DEBUG  ?= 0
QUICK  ?= 0
ROUNDS ?= 5
OPS    ?= $(if $(filter 1,$(QUICK)),5000,100000)
MINUTES ?= 10
export CMD STAGED DEBUG QUICK ROUNDS

ifeq ($(filter $(KERNEL),stock patched),)
$(error KERNEL must be stock or patched, not '$(KERNEL)')
endif

.PHONY: all deps kernel guest run check check-upstream check-harness conformance series bench fuzz stress clean distclean

all: guest

deps:
	@scripts/deps.sh

kernel: deps
	@scripts/kernel.sh $(KERNEL)

# The kernel and the initramfs with the selftests: what a guest boots.
guest: kernel
	@scripts/selftests.sh $(KERNEL)
	@scripts/initramfs.sh

run: guest
	@scripts/guest.sh $(KERNEL) $(TOPO)

# On the patched kernel, check also compares conformance transcripts with
# the stock kernel's, so it builds that too.
check: guest
	@$(if $(filter patched,$(KERNEL)),scripts/kernel.sh stock)
	@scripts/check.sh $(KERNEL) $(TOPOS)

# The long differential conformance run: CALLS calls per topology.
conformance: guest
	@scripts/kernel.sh stock
	@scripts/conformance.sh $(SEED) $(CALLS) $(TOPOS)

# The base tree's own NUMA selftests, on both kernels: what passes on stock
# must pass on patched.
check-upstream: guest
	@scripts/kernel.sh stock
	@scripts/upstream.sh $(TOPOS)

# Proves that the verdicts of guest.sh and check.sh can fail.
check-harness: guest
	@scripts/harness-check/run.sh $(KERNEL)

series: deps
	@scripts/series.sh

# Stock against patched, ROUNDS rounds in turns; QUICK=1 for small sizes
# and one round.
bench: guest
	@scripts/kernel.sh stock
	@scripts/bench.sh

# trinity on the NUMA system calls in every topology, stock and patched,
# OPS calls as root and OPS as an unprivileged user per guest.
fuzz: guest
	@scripts/kernel.sh stock
	@scripts/fuzz.sh $(OPS) $(SEED) $(TOPOS)

# The stress selftest for MINUTES in each topology, beside stress-ng; make
# check runs it for 20 seconds.  A random seed unless SEED is given.
stress: guest
	@$(if $(filter command line,$(origin SEED)),SEED=$(SEED)) \
		scripts/stress.sh $(KERNEL) $(MINUTES) $(TOPOS)

clean:
	rm -rf build/obj build/runs build/selftests build/initramfs build/initramfs.cpio build/bench

distclean:
	rm -rf build
