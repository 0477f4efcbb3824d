#!/usr/bin/env python3
"""Where a benchmark's kernel instructions go, per function and per CPU.

    python3 tests/bench-profile.py LOG KERNEL_ELF PER [TOP]

LOG is QEMU's log of a run with `-d nochain,in_asm,exec` and a -dfilter
of the kernel's addresses (tests/bench-profile.sh makes it): in_asm gives
each translation block's instruction count, exec each block run, with
its CPU.  PER names a kernel function entered once per operation (a
system call's handler, say sys_futex): the count is taken between its
first and last entry, over the middle half of them (the steady state;
PROFILE_WINDOW=a,b picks the fractions a to b of them instead),
and divided by the entries there.  Prints the TOP (40) busiest functions
with their instructions per entry of PER, then the total per CPU.
User-mode instructions are not in the log (the filter leaves them out).
"""
import bisect
import collections
import os
import subprocess
import sys
from array import array


def symbols(elf):
    syms = []
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "tTwW":
            syms.append((int(p[0], 16), p[2]))
    return syms


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    log, elf, per = sys.argv[1], sys.argv[2], sys.argv[3]
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    syms = symbols(elf)
    addrs = [a for a, _ in syms]
    starts = {a for a, n in syms if n == per}
    if not starts:
        sys.exit("bench-profile: no function %s in %s" % (per, elf))

    sizes = {}  # block start -> instructions (from in_asm)
    cpus, pcs = array("B"), array("Q")
    block, n, in_block = None, 0, False
    with open(log, "rb") as f:
        for line in f:
            if line.startswith(b"Trace "):
                i = line.index(b"[")
                cpus.append(int(line[6:line.index(b":")]))
                pcs.append(int(line[i + 1:].split(b"/")[1], 16))
                in_block = False
            elif line.startswith(b"IN:"):
                block, n, in_block = None, 0, True
            elif in_block and line.startswith(b"0x"):
                # An instruction longer than 8 bytes continues on a line
                # of its own address that holds only the rest of its bytes.
                if all(len(t) == 2 for t in line.split(b":", 1)[1].split()):
                    continue
                pc = int(line.split(b":")[0], 16)
                if block is None:
                    block = pc
                n += 1
                sizes[block] = n

    entries = [i for i, pc in enumerate(pcs) if pc in starts]
    if len(entries) < 8:
        sys.exit("bench-profile: %s entered %d times in %s" %
                 (per, len(entries), log))
    # PROFILE_WINDOW=a,b (fractions of the entries) picks another window,
    # e.g. 0.8,0.98 for the timed loop of a benchmark with a long set-up.
    a, b = (float(x) for x in os.environ.get("PROFILE_WINDOW",
                                              "0.25,0.75").split(","))
    lo, hi = entries[int(a * len(entries))], entries[int(b * len(entries))]
    nper = sum(1 for e in entries if lo <= e < hi)

    names = {}
    count = collections.Counter()
    percpu = collections.Counter()
    for i in range(lo, hi):
        pc = pcs[i]
        name = names.get(pc)
        if name is None:
            k = bisect.bisect_right(addrs, pc) - 1
            name = names[pc] = syms[k][1] if k >= 0 else "?"
        n = sizes.get(pc, 1)
        count[(cpus[i], name)] += n
        percpu[cpus[i]] += n

    print("kernel instructions per entry of %s (%d entries, steady state)"
          % (per, nper))
    for (cpu, name), v in count.most_common(top):
        print("  cpu %d  %-40s %9.1f" % (cpu, name, v / nper))
    for cpu in sorted(percpu):
        print("  cpu %d  total %42.1f" % (cpu, percpu[cpu] / nper))


main()
