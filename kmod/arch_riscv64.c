// SPDX-License-Identifier: GPL-2.0
/*
 * riscv64: the kernel's JIT memory, the instruction cache, and calling
 * vjit's riscv64 code generator (core/ + arch/riscv64/, freestanding C++).
 *
 * Images come from bpf_jit_binary_alloc() like the kernel's own riscv64
 * JIT's on 6.1 (its bpf_jit_alloc_exec keeps them within reach of the
 * kernel's text): jit_binary.c. The 6.1 riscv64 JIT has no BPF trampoline
 * (no fentry/fexit on JITted programs to host) and no Spectre mitigation
 * in its images: nothing beyond the tail-call entry stays stock here.
 * The interface is checked for Linux 6.1 only: refuse to build otherwise.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>
#include "vjit_binary_kmod.h"

VJIT_DECLARE_BACKEND(riscv64)

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "vjit: the riscv64 JIT interface is checked for Linux 6.1 only"
#endif

#define RV_INSN_SIZE 4
#define RV_NOP 0x00000013u /* addi zero, zero, 0 */
/*
 * Where the kernel's tail calls enter a program (__build_epilogue's jalr
 * to bpf_func + 4): past the stock prologue's first instruction, the
 * 4-byte tail-call count init, with the caller's frame already popped.
 */
#define RV_TAIL_CALL_OFFSET RV_INSN_SIZE

int vjit_arch_init(void)
{
	return vjit_bin_init();
}

/* Holes around images: all-zero words are illegal instructions, as the
 * kernel's riscv64 JIT fills them (bpf_fill_ill_insns). */
static void vjit_fill_ill(void *area, unsigned int size)
{
	memset(area, 0, size);
}

/* Nothing to read off the stock JIT's images on riscv64. */
void vjit_arch_inspect_stock(const struct bpf_prog *prog)
{
}

/* No options: no landing pads, return signing or atomics choice. */
unsigned int vjit_bin_arch_flags(void)
{
	return 0;
}

/* Classic programs are never in a program array: no tail-call entry. */
static unsigned int vjit_tail_call_entry(const struct bpf_prog *prog)
{
	return bpf_prog_was_classic(prog) ? 0 : RV_TAIL_CALL_OFFSET;
}

/* core/jit_error.cc is linked with or without the code generator. */
const char *vjit_arch_jit_error_name(int error)
{
	return vjit_jit_error_name(error);
}

#ifdef VJIT_HAVE_BACKEND

bool vjit_arch_backend_linked(void)
{
	return true;
}

int vjit_bin_arch_jit(struct vjit_jit *j, struct bpf_binary_header **hdrp, u8 **imagep)
{
	return vjit_bin_jit(j, &VJIT_BACKEND(riscv64), vjit_fill_ill, hdrp, imagep);
}

/*
 * An eBPF image may sit in a program array: a stock-JIT caller's tail call
 * enters it at bpf_func + RV_TAIL_CALL_OFFSET. vjit's prologue opens with
 * that many bytes of NOPs (lower.h; the frame proof's tail-call variant
 * proves the frame from there on). Checked once more on the image: an
 * image that does not match goes to the kernel's JIT.
 */
static bool vjit_tail_call_entry_ok(const struct vjit_jit *j, const u8 *image)
{
	unsigned int off;

	if (j->image_len <= j->tail_call_entry)
		return false;
	for (off = 0; off < j->tail_call_entry; off += RV_INSN_SIZE)
		if (le32_to_cpu(*(const __le32 *)(image + off)) != RV_NOP)
			return false;
	return true;
}

int vjit_arch_compile(struct bpf_prog *prog)
{
	struct vjit_jit j = {};
	int reason;

	reason = vjit_jit_init(&j, prog);
	if (reason)
		return reason;
	j.flags |= vjit_bin_arch_flags();
	j.tail_call_entry = vjit_tail_call_entry(prog);
	reason = vjit_bin_compile(prog, &j, vjit_tail_call_entry_ok, NULL);
	kvfree(j.addrs);
	return reason;
}

#else /* built without the code generator: the hook calls through */

bool vjit_arch_backend_linked(void)
{
	return false;
}

int vjit_arch_compile(struct bpf_prog *prog)
{
	(void)vjit_fill_ill;
	(void)vjit_tail_call_entry;
	return VJIT_R_NO_BACKEND;
}

#endif
