// SPDX-License-Identifier: GPL-2.0
// The program tracetest.c attaches fentry and fexit programs to: XDP, so
// that BPF_PROG_TEST_RUN runs it, with a branch on the packet so that its
// image has a body after the entry the kernel patches.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int trace_target(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (data + 1 > end)
		return XDP_ABORTED;
	return data[0] == 0x5a ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
