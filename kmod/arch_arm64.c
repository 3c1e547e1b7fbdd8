// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: the kernel's JIT memory, the instruction cache, branch target
 * identification and pointer authentication, and calling vjit's arm64 code
 * generator (core/ + arch/arm64/, freestanding C++).
 *
 * Images come from bpf_jit_binary_alloc() like the kernel's own arm64 JIT's
 * on 6.1 (the pack allocator came to arm64 later): jit_binary.c.
 *
 * What the kernel's configuration asks of every image, as the stock JIT
 * decides it (by configuration, not by CPU: on a CPU without the feature
 * the instructions are hints that do nothing):
 *   CONFIG_ARM64_BTI_KERNEL      a landing pad at the entry (BTI JC, as
 *                                the stock JIT: the kernel's BLR and the
 *                                trampolines' BR) and BTI J at the
 *                                tail-call entry (the tail calls' BR)
 *   CONFIG_ARM64_PTR_AUTH_KERNEL the return address signed at entry
 *                                (PACIASP) and authenticated before RET
 * The interface is checked for Linux 6.1 only: refuse to build otherwise.
 */
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/filter.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/version.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/insn.h>
#include "vjit_binary_kmod.h"

VJIT_DECLARE_BACKEND(arm64)

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "vjit: the arm64 JIT interface is checked for Linux 6.1 only"
#endif

#define A64_HINT(op) (0xd503201fu | (op))
#define A64_BTI_C A64_HINT(AARCH64_INSN_HINT_BTIC)
#define A64_BTI_J A64_HINT(AARCH64_INSN_HINT_BTIJ)
#define A64_BTI_JC A64_HINT(AARCH64_INSN_HINT_BTIJC)

/*
 * Where the kernel's tail calls enter a program (PROLOGUE_OFFSET of the
 * stock JIT, in instructions): BTI JC, mov x9, lr, the patchable nop,
 * PACIASP, the frame and four callee-saved pairs, fp, the tail-call count.
 */
#define A64_BTI_INSNS (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ? 1 : 0)
#define A64_PAC_INSNS (IS_ENABLED(CONFIG_ARM64_PTR_AUTH_KERNEL) ? 1 : 0)
#define A64_TAIL_CALL_OFFSET ((A64_BTI_INSNS + 2 + A64_PAC_INSNS + 8) * AARCH64_INSN_SIZE)

int vjit_arch_init(void)
{
	return vjit_bin_init();
}

/* Holes around images: BRK, as the kernel's arm64 JIT fills them. */
static void vjit_fill_brk(void *area, unsigned int size)
{
	__le32 *p = area;
	unsigned int i;

	for (i = 0; i < size / AARCH64_INSN_SIZE; i++)
		p[i] = cpu_to_le32(AARCH64_BREAK_FAULT);
}

static u32 vjit_insn_at(const void *p)
{
	return le32_to_cpu(*(const __le32 *)p);
}

/* A landing pad for the kernel's BLR to bpf_func: BTI C or BTI JC. */
static bool vjit_landing_pad_at(const void *p)
{
	u32 w = vjit_insn_at(p);

	return w == A64_BTI_C || w == A64_BTI_JC;
}

/* After a call-through: the stock JIT's image opens with its landing pad. */
void vjit_arch_inspect_stock(const struct bpf_prog *prog)
{
	if (prog->jited && prog->bpf_func && prog->jited_len >= AARCH64_INSN_SIZE &&
	    vjit_landing_pad_at(prog->bpf_func))
		atomic64_inc(&vjit_stats.stock_ibt);
}

/*
 * Classic programs are never in a program array: no tail-call entry. vjit's
 * prologue signs x30 always (lower.h): its tail-call entry is the stock
 * one only where the stock JIT signs it too.
 */
static unsigned int vjit_tail_call_entry(const struct bpf_prog *prog)
{
	return bpf_prog_was_classic(prog) ? 0 : A64_TAIL_CALL_OFFSET;
}

static bool vjit_tail_call_layout_possible(const struct bpf_prog *prog)
{
	return bpf_prog_was_classic(prog) || IS_ENABLED(CONFIG_ARM64_PTR_AUTH_KERNEL);
}

/*
 * fentry/fexit and freplace attach only to programs with BTF (func_info).
 * The kernel reaches a far trampoline through a PLT it expects at the end
 * of the stock JIT's image (bpf_arch_text_poke); vjit's arm64 images have
 * none, so such programs stay with the stock JIT.
 */
static bool vjit_trampoline_target(const struct bpf_prog *prog)
{
	return prog->aux->func_info_cnt != 0;
}

/*
 * The stock epilogue of a classic program loaded without CAP_SYS_ADMIN
 * carries the Spectre-BHB mitigation (build_bhb_mitigation) unless
 * mitigations are off; vjit's does not, so those programs stay with the
 * stock JIT. Where the CPU is unaffected this keeps them there too: the
 * safe side of the kernel's finer test.
 */
static bool vjit_bhb_mitigation_wanted(const struct bpf_prog *prog)
{
	return IS_ENABLED(CONFIG_MITIGATE_SPECTRE_BRANCH_HISTORY) && bpf_prog_was_classic(prog) &&
	       !cpu_mitigations_off() && !ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/* The code-generation options this kernel and CPU ask for. */
unsigned int vjit_bin_arch_flags(void)
{
	unsigned int f = 0;

	if (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL))
		f |= VJIT_F_IBT;
	if (IS_ENABLED(CONFIG_ARM64_PTR_AUTH_KERNEL))
		f |= VJIT_F_SIGN_RET;
	/* the stock JIT's test, at JIT time (lower.h: LSE vs LDXR/STXR) */
	if (IS_ENABLED(CONFIG_ARM64_LSE_ATOMICS) && cpus_have_cap(ARM64_HAS_LSE_ATOMICS))
		f |= VJIT_F_LSE;
	return f;
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

/* Counters of what an image carries, read off the image. */
static void vjit_count_image(const struct vjit_jit *j, const u8 *image)
{
	if ((j->flags & VJIT_F_IBT) && vjit_landing_pad_at(image))
		atomic64_inc(&vjit_stats.ibt);
}

int vjit_bin_arch_jit(struct vjit_jit *j, struct bpf_binary_header **hdrp, u8 **imagep)
{
	return vjit_bin_jit(j, &VJIT_BACKEND(arm64), vjit_fill_brk, hdrp, imagep);
}

/*
 * The stock prologue up to where the kernel's tail calls enter (its
 * PROLOGUE_OFFSET): the words a tail-call caller has run in its own frame
 * before it branches to bpf_func + A64_TAIL_CALL_OFFSET. Returns the count.
 */
static unsigned int vjit_stock_prologue(u32 *w)
{
	unsigned int n = 0;

	if (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL))
		w[n++] = A64_BTI_JC;
	w[n++] = 0x910003c9; /* add x9, x30, #0 (mov x9, lr) */
	w[n++] = A64_HINT(AARCH64_INSN_HINT_NOP); /* patched by trampolines */
	if (IS_ENABLED(CONFIG_ARM64_PTR_AUTH_KERNEL))
		w[n++] = A64_HINT(AARCH64_INSN_HINT_PACIASP);
	w[n++] = 0xa9bf7bfd; /* stp x29, x30, [sp, #-16]! */
	w[n++] = 0x910003fd; /* mov x29, sp */
	w[n++] = 0xa9bf53f3; /* stp x19, x20, [sp, #-16]! */
	w[n++] = 0xa9bf5bf5; /* stp x21, x22, [sp, #-16]! */
	w[n++] = 0xa9bf6bf9; /* stp x25, x26, [sp, #-16]! */
	w[n++] = 0xa9bf73fb; /* stp x27, x28, [sp, #-16]! */
	w[n++] = 0x910003f9; /* mov x25, sp */
	w[n++] = 0xd280001a; /* mov x26, #0: the tail-call count */
	return n;
}

/*
 * An eBPF image may sit in a program array: the kernel's tail calls (from
 * a stock-JIT caller) BR to bpf_func + A64_TAIL_CALL_OFFSET, in the frame
 * the caller built. vjit's prologue builds that frame up to there (word for
 * word the stock prologue) and has BTI J there under BTI (lower.h; the
 * frame proof's tail-call variants prove the frame from there on). Checked
 * once more on the image, against the words this kernel's JIT emits: an
 * image that does not match goes to the kernel's JIT.
 */
static bool vjit_tail_call_entry_ok(const struct vjit_jit *j, const u8 *image)
{
	u32 want[A64_TAIL_CALL_OFFSET / AARCH64_INSN_SIZE];
	unsigned int i, n;

	if (!j->tail_call_entry)
		return true;
	n = vjit_stock_prologue(want);
	if (j->image_len < (n + 1) * AARCH64_INSN_SIZE)
		return false;
	for (i = 0; i < n; i++)
		if (vjit_insn_at(image + i * AARCH64_INSN_SIZE) != want[i])
			return false;
	return !IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ||
	       vjit_insn_at(image + j->tail_call_entry) == A64_BTI_J;
}

int vjit_arch_compile(struct bpf_prog *prog)
{
	struct vjit_jit j = {};
	int reason;

	reason = vjit_jit_init(&j, prog);
	if (reason)
		return reason;
	if (!vjit_tail_call_layout_possible(prog))
		reason = VJIT_R_TAIL_CALL_ENTRY;
	else if (vjit_trampoline_target(prog))
		reason = VJIT_R_TRAMPOLINE;
	else if (vjit_bhb_mitigation_wanted(prog))
		reason = vjit_jit_reason(VJIT_E_MITIGATION);
	if (reason) {
		kvfree(j.addrs);
		return reason;
	}
	j.flags |= vjit_bin_arch_flags();
	j.tail_call_entry = vjit_tail_call_entry(prog);
	reason = vjit_bin_compile(prog, &j, vjit_tail_call_entry_ok, vjit_count_image);
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
	(void)vjit_fill_brk;
	(void)vjit_tail_call_entry;
	(void)vjit_tail_call_layout_possible;
	(void)vjit_trampoline_target;
	(void)vjit_bhb_mitigation_wanted;
	return VJIT_R_NO_BACKEND;
}

#endif
