#!/usr/bin/env python3
"""Test 5: vjit's reference interpreter against Linux's own. The guest ran
random eBPF socket filters with BPF_PROG_TEST_RUN and the JIT off, and
printed each program and its return value; here every program is run with
`vjit-run --interp --format ebpf` and the low 32 bits of R0 (what the kernel
returns for a socket filter) compared.
usage: compare-ebpf.py GUEST_LOG VJIT_RUN WORKDIR"""
import os, re, subprocess, sys

log, vjit_run, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
progs, rets = {}, {}
for line in open(log, errors="replace"):
    m = re.match(r"ebpf-prog (\d+) ([0-9a-f]+)$", line.strip())
    if m:
        progs[int(m.group(1))] = bytes.fromhex(m.group(2))
    m = re.match(r"ebpf-ret (\d+) 0x([0-9a-f]+)$", line.strip())
    if m:
        rets[int(m.group(1))] = int(m.group(2), 16)
name = "vjit's interpreter agrees with Linux's on random eBPF programs"
if len(progs) < 100 or set(progs) != set(rets):
    print("FAIL: %s: only %d programs from the guest" % (name, len(progs)))
    sys.exit(1)
bad = 0
for i in sorted(progs):
    path = os.path.join(work, "%d.bin" % i)
    with open(path, "wb") as f:
        f.write(progs[i])
    r = subprocess.run([vjit_run, "--interp", "--format", "ebpf", path],
                       capture_output=True, text=True)
    last = (r.stdout.strip().splitlines() or [""])[-1]
    try:
        got = int(last, 16) & 0xffffffff
    except ValueError:
        got = None
    if r.returncode != 0 or got != rets[i]:
        bad += 1
        if bad <= 5:
            print("FAIL: %s: program %d (%s): Linux 0x%08x, vjit-run %s (exit %d) %s"
                  % (name, i, path, rets[i], last, r.returncode, r.stderr.strip()[:200]))
if bad:
    print("ebpf: %d of %d programs differ" % (bad, len(progs)))
    sys.exit(1)
print("ebpf: %d programs, same return value" % len(progs))
print("PASS: %s (%d programs)" % (name, len(progs)))
