// SPDX-License-Identifier: GPL-2.0
// fentry and fexit programs on trace_target (trace_target.bpf.c): they
// count its calls and keep its last return value, which tracetest.c reads
// from the object's .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 entries, exits;
__u64 last_ret;

SEC("fentry/trace_target")
int BPF_PROG(count_entry, struct xdp_md *xdp)
{
	__sync_fetch_and_add(&entries, 1);
	return 0;
}

SEC("fexit/trace_target")
int BPF_PROG(count_exit, struct xdp_md *xdp, int ret)
{
	__sync_fetch_and_add(&exits, 1);
	last_ret = ret;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
