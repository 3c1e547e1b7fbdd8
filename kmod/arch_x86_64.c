// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: the kernel's JIT memory, return thunks, and calling vjit's
 * x86-64 code generator (core/ + arch/x86_64/, freestanding C++).
 *
 * Images come from bpf_jit_binary_pack_alloc() like the kernel's own x86
 * JIT's, because the kernel frees every JITted program with the x86
 * bpf_jit_free(): pack_free of (bpf_func rounded down to the pack chunk),
 * and a non-NULL aux->jit_data would be taken for the x86 JIT's own state.
 * So: emit into the RW copy, address everything against the RO image,
 * finalize (copy into place), leave jit_data NULL. The kernel frees these
 * images, also after rmmod, and the code never calls into module text.
 *
 * The kernel's JIT interface differs between the lines vjit is built for,
 * chosen here by the headers' version (never at run time):
 *   6.1   bpf_jit_binary_pack_finalize(prog, ro, rw); tail calls enter at
 *         11 + ENDBR_INSN_SIZE (nop5, a 2-byte slot, push rbp, mov rbp,rsp)
 *   6.12  bpf_jit_binary_pack_finalize(ro, rw); tail calls enter at
 *         12 + ENDBR_INSN_SIZE (the slot is 3 bytes: xor rax,rax)
 * Both: Debian's bpf_jit_binary_pack_alloc takes was_classic (typeof below
 * follows the headers). Lines in between are not checked: refuse to build.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include "vjit_kmod.h"

VJIT_DECLARE_BACKEND(x86_64)

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define VJIT_PACK_FINALIZE_HAS_PROG 0
#define VJIT_X86_TAIL_CALL_OFFSET (12 + ENDBR_INSN_SIZE)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define VJIT_PACK_FINALIZE_HAS_PROG 1
#define VJIT_X86_TAIL_CALL_OFFSET (11 + ENDBR_INSN_SIZE)
#else
#error "vjit: the x86 JIT interface is checked for Linux 6.1 and 6.12 only"
#endif

static typeof(&bpf_jit_binary_pack_alloc) k_pack_alloc;
static typeof(&bpf_jit_binary_pack_finalize) k_pack_finalize;
static typeof(&bpf_jit_binary_pack_free) k_pack_free;
static typeof(&bpf_arch_text_copy) k_text_copy;
static typeof(&x86_return_thunk) k_return_thunk; /* the variable's address */
static unsigned long k_clear_bhb_loop; /* 0 on kernels without it */

static const struct vjit_ksym x86_syms[] = {
	{ "bpf_jit_binary_pack_alloc", (void **)&k_pack_alloc },
	{ "bpf_jit_binary_pack_finalize", (void **)&k_pack_finalize },
	{ "bpf_jit_binary_pack_free", (void **)&k_pack_free },
	{ "bpf_arch_text_copy", (void **)&k_text_copy },
	{ "x86_return_thunk", (void **)&k_return_thunk },
};

int vjit_arch_init(void)
{
	int err = vjit_lookup_all(x86_syms, ARRAY_SIZE(x86_syms));

	/* Only kernels with the Spectre-BHI loop have it: see vjit_bhb_flags. */
	k_clear_bhb_loop = vjit_lookup("clear_bhb_loop");
	return err;
}

/*
 * The Spectre-BHI barrier, decided as the kernel's x86 JIT decides it
 * (emit_spectre_bhb_barrier, at the exit of a classic program loaded
 * without CAP_SYS_ADMIN): the clear_bhb_loop call when the CPU uses the
 * software loop, and IBHF with the hardware control, or with the loop
 * under a hypervisor. Evaluated in the loading task, as the kernel's JIT.
 */
static bool vjit_bhb_loop_on(void)
{
#ifdef X86_FEATURE_CLEAR_BHB_LOOP
	return cpu_feature_enabled(X86_FEATURE_CLEAR_BHB_LOOP);
#else
	return false;
#endif
}

static bool vjit_bhb_ibhf_on(void)
{
#ifdef X86_FEATURE_CLEAR_BHB_HW
	if (cpu_feature_enabled(X86_FEATURE_CLEAR_BHB_HW))
		return true;
#endif
	return vjit_bhb_loop_on() && cpu_feature_enabled(X86_FEATURE_HYPERVISOR);
}

static unsigned int vjit_bhb_flags(const struct bpf_prog *prog)
{
	unsigned int f = 0;

	if (!bpf_prog_was_classic(prog) ||
	    ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		return 0;
	if (vjit_bhb_loop_on())
		f |= VJIT_F_BHB_LOOP;
	if (vjit_bhb_ibhf_on())
		f |= VJIT_F_BHB_IBHF;
	return f;
}

/*
 * Is there a "call rel32" (E8) or "jmp rel32" (E9) from the image (RW copy
 * @rw of the code at @ro) to @target? For the counters of the mitigations
 * an image carries: the return thunk (jmp), clear_bhb_loop (call).
 */
static bool vjit_rel32_to(const u8 *rw, unsigned long ro, unsigned int len,
			  u8 opcode, unsigned long target)
{
	unsigned int i;

	for (i = 0; i + 5 <= len; i++) {
		s32 rel;

		if (rw[i] != opcode)
			continue;
		memcpy(&rel, rw + i + 1, sizeof(rel));
		if (ro + i + 5 + (long)rel == target)
			return true;
	}
	return false;
}

#define X86_CALL_REL32 0xe8
#define X86_JMP_REL32 0xe9

static const u8 x86_ibhf[] = { 0xf3, 0x48, 0x0f, 0x1e, 0xf8 };

static bool vjit_has_ibhf(const u8 *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + sizeof(x86_ibhf) <= len; i++)
		if (!memcmp(p + i, x86_ibhf, sizeof(x86_ibhf)))
			return true;
	return false;
}

#define X86_ENDBR64 0xfa1e0ff3 /* F3 0F 1E FA, read little-endian */

static bool vjit_endbr_at(const u8 *p)
{
	u32 w;

	memcpy(&w, p, sizeof(w));
	return w == X86_ENDBR64;
}

/*
 * What the kernel's own JIT put into an image it made (after a
 * call-through): the BHI barrier's parts, counted so that tests compare
 * the stock JIT's decision with vjit's on the same CPU and program.
 */
void vjit_arch_inspect_stock(const struct bpf_prog *prog)
{
	const u8 *p = (const u8 *)prog->bpf_func;

	if (!prog->jited || !p)
		return;
	if (k_clear_bhb_loop &&
	    vjit_rel32_to(p, (unsigned long)p, prog->jited_len, X86_CALL_REL32, k_clear_bhb_loop))
		atomic64_inc(&vjit_stats.stock_bhb_loop);
	if (vjit_has_ibhf(p, prog->jited_len))
		atomic64_inc(&vjit_stats.stock_bhb_ibhf);
	if (prog->jited_len >= 4 && vjit_endbr_at(p))
		atomic64_inc(&vjit_stats.stock_ibt);
}

/* Holes in the pack and between images: int3, as the kernel's x86 JIT. */
static void vjit_fill_int3(void *area, unsigned int size)
{
	memset(area, 0xcc, size);
}

/*
 * Where the kernel's tail calls enter a program: eBPF programs only
 * (classic ones can never sit in a program array). vjit's prologue is laid
 * out like the stock JIT's up to there (arch/x86_64/lower.h).
 */
static unsigned int vjit_tail_call_entry(const struct bpf_prog *prog)
{
	return bpf_prog_was_classic(prog) ? 0 : VJIT_X86_TAIL_CALL_OFFSET;
}

/*
 * Call-depth tracking (retbleed=stuff): the stock JIT accounts before each
 * call it emits (x86_call_depth_emit_accounting); vjit does not emit that
 * sequence, so programs that call out (helpers, clear_bhb_loop) go to it.
 */
static bool vjit_call_depth_on(void)
{
#ifdef X86_FEATURE_CALL_DEPTH
	return cpu_feature_enabled(X86_FEATURE_CALL_DEPTH);
#else
	return false;
#endif
}

static bool vjit_has_call(const struct bpf_prog *prog, unsigned int flags)
{
	u32 i;

	if (flags & VJIT_F_BHB_LOOP)
		return true;
	for (i = 0; i < prog->len; i++)
		if (prog->insnsi[i].code == (BPF_JMP | BPF_CALL))
			return true;
	return false;
}

int vjit_pack_finalize(struct bpf_prog *prog, struct bpf_binary_header *ro,
		       struct bpf_binary_header *rw)
{
#if VJIT_PACK_FINALIZE_HAS_PROG
	return k_pack_finalize(prog, ro, rw);
#else
	return k_pack_finalize(ro, rw);
#endif
}

#ifdef VJIT_HAVE_BACKEND


/* Counters of the mitigations an image carries, read off the image. */
static void vjit_count_mitigations(const struct vjit_jit *j, const u8 *rw,
				   unsigned long ro, unsigned int len)
{
	const struct bpf_insn *insn = j->insns;
	unsigned int i;

	if ((j->flags & VJIT_F_RETHUNK) &&
	    vjit_rel32_to(rw, ro, len, X86_JMP_REL32, j->return_thunk))
		atomic64_inc(&vjit_stats.return_thunk);
	if ((j->flags & VJIT_F_BHB_LOOP) && vjit_rel32_to(rw, ro, len, X86_CALL_REL32, j->bhb_loop))
		atomic64_inc(&vjit_stats.bhb_loop);
	if ((j->flags & VJIT_F_BHB_IBHF) && vjit_has_ibhf(rw, len))
		atomic64_inc(&vjit_stats.bhb_ibhf);
	if ((j->flags & VJIT_F_IBT) && vjit_endbr_at(rw) &&
	    (!j->tail_call_entry || vjit_endbr_at(rw + j->tail_call_entry)))
		atomic64_inc(&vjit_stats.ibt);
	if (j->v4_insns)
		atomic64_inc(&vjit_stats.isa_v4);
	for (i = 0; i < j->len; i++)
		if (insn[i].code == (BPF_ST | BPF_NOSPEC))
			atomic64_inc(&vjit_stats.nospec);
}

bool vjit_arch_backend_linked(void)
{
	return true;
}

const char *vjit_arch_jit_error_name(int error)
{
	return vjit_jit_error_name(error);
}

int vjit_arch_compile(struct bpf_prog *prog)
{
	struct bpf_binary_header *ro_hdr, *rw_hdr;
	struct vjit_jit j = {};
	unsigned int sized;
	u8 *ro_image, *rw_image;
	int err, reason = 0;

	reason = vjit_jit_init(&j, prog);
	if (reason)
		return reason;
	j.tail_call_entry = vjit_tail_call_entry(prog);
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		j.flags |= VJIT_F_IBT;
	if (cpu_feature_enabled(X86_FEATURE_RETHUNK)) {
		j.flags |= VJIT_F_RETHUNK;
		j.return_thunk = (unsigned long)READ_ONCE(*k_return_thunk);
	}
	j.flags |= vjit_bhb_flags(prog);
	if (j.flags & VJIT_F_BHB_LOOP) {
		if (!k_clear_bhb_loop) {
			/* The stock JIT would call it: leave the program to it. */
			err = VJIT_E_MITIGATION;
			reason = vjit_jit_reason(err);
			goto out;
		}
		j.bhb_loop = k_clear_bhb_loop;
	}
	if (vjit_call_depth_on() && vjit_has_call(prog, j.flags)) {
		err = VJIT_E_MITIGATION;
		reason = vjit_jit_reason(err);
		goto out;
	}

	err = VJIT_BACKEND(x86_64).size(&j);
	if (err) {
		reason = vjit_jit_reason(err);
		goto out;
	}
	sized = j.image_len;
	ro_hdr = k_pack_alloc(sized, &ro_image, BPF_IMAGE_ALIGNMENT,
			      &rw_hdr, &rw_image, vjit_fill_int3,
			      bpf_prog_was_classic(prog));
	if (!ro_hdr) {
		reason = VJIT_R_ALLOC;
		goto out;
	}
	j.max_image_len = sized;
	err = VJIT_BACKEND(x86_64).emit(&j, rw_image, (unsigned long)ro_image);
	if (err || j.image_len != sized) {
		reason = err ? vjit_jit_reason(err) : VJIT_R_LEN_MISMATCH;
		/* pack_free reads the size from the RO header: put it there. */
		k_text_copy(&ro_hdr->size, &rw_hdr->size, sizeof(rw_hdr->size));
		k_pack_free(ro_hdr, rw_hdr);
		goto out;
	}
	vjit_count_mitigations(&j, rw_image, (unsigned long)ro_image, sized);
	if (vjit_pack_finalize(prog, ro_hdr, rw_hdr)) {
		/* finalize frees both headers when it fails */
		pr_warn_once("vjit: bpf_jit_binary_pack_finalize failed\n");
		reason = VJIT_R_FINALIZE;
		goto out;
	}
	prog->bpf_func = (void *)ro_image;
	prog->jited = 1;
	prog->jited_len = sized;
out:
	kvfree(j.addrs);
	return reason;
}

#else /* built without the code generator: the hook calls through */

bool vjit_arch_backend_linked(void)
{
	return false;
}

const char *vjit_arch_jit_error_name(int error)
{
	static const char *const names[VJIT_E_NR] = {
		"ok", "unsupported_opcode", "bad_program", "too_large",
		"no_convergence", "no_memory", "mitigation",
	};

	return error >= 0 && error < VJIT_E_NR ? names[error] : "unknown";
}

int vjit_arch_compile(struct bpf_prog *prog)
{
	(void)vjit_bhb_flags;
	(void)vjit_fill_int3;
	(void)vjit_tail_call_entry;
	(void)vjit_call_depth_on;
	(void)vjit_has_call;
	return VJIT_R_NO_BACKEND;
}

#endif
