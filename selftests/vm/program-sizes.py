#!/usr/bin/env python3
# make bench-vm, per program: the native size of every test_bpf program
# under the kernel's JIT and under vjit, from the guest log of the bench
# plan (vjit's log_sizes lines, "vjit: size: <who> <insns> <bytes>", between
# "bench-sizes: begin" and "end"; test_bpf runs twice there, the kernel's
# JIT first). A program is the k-th JITed program of test #N in each run.
# Prints "bench:" lines; exits 1 when the log has no pairs.
import re
import statistics
import sys

TEST = re.compile(r'test_bpf: #(\d+) (.*?)(?: jited:| \d+ PASS|$)')
SIZE = re.compile(r'vjit: size: (stock|vjit) (\d+) (\d+)')


def runs(lines):
    """The size records of each test_bpf run: [{test: [(who, insns, bytes)]}]."""
    out, test, on, first = [], None, False, None
    for line in lines:
        if 'bench-sizes: begin' in line:
            on = True
            continue
        if 'bench-sizes: end' in line:
            break
        if not on:
            continue
        m = TEST.search(line)
        if m:
            test = (int(m.group(1)), m.group(2).strip())
            if first is None:
                first = test
            if test == first:  # a run starts (its later suites count from #0 again)
                out.append({})
            continue
        m = SIZE.search(line)
        if m and out and test:
            out[-1].setdefault(test, []).append((m.group(1), int(m.group(2)), int(m.group(3))))
    return out


def pairs(stock_run, vjit_run):
    for test, recs in vjit_run.items():
        for (who, insns, vbytes), (_, sinsns, sbytes) in zip(recs, stock_run.get(test, [])):
            if who == 'vjit' and insns == sinsns and sbytes > 0:
                yield test, insns, sbytes, vbytes


def main(path):
    with open(path, errors='replace') as f:
        rs = runs(f.read().splitlines())
    if len(rs) < 2:
        print('bench: per-program sizes: no two test_bpf runs in the log')
        return 1
    ps = list(pairs(rs[0], rs[1]))
    if not ps:
        print('bench: per-program sizes: no program JITed by both')
        return 1
    ratios = [v / s for _, _, s, v in ps]
    st, vj = sum(p[2] for p in ps), sum(p[3] for p in ps)
    print('bench: native bytes per program, test_bpf (%d programs vjit compiled): median vjit %.3fx of the stock JIT, '
          'total %.3fx; smaller %d, equal %d, larger %d' %
          (len(ps), statistics.median(ratios), vj / st, sum(r < 1 for r in ratios),
           sum(r == 1 for r in ratios), sum(r > 1 for r in ratios)))
    for (num, name), insns, s, v in sorted(ps, key=lambda p: p[2] - p[3])[:5]:
        if v > s:
            print('bench:   most bytes over the stock JIT: #%d %s (%d insns): vjit %d, stock %d (+%d)' %
                  (num, name, insns, v, s, v - s))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
