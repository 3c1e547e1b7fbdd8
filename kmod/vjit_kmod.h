/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vjit.ko internals shared by the glue files.
 *
 *   main.c        module init/exit, the mode parameter, which program vjit
 *                 takes, fallback to the kernel's JIT, counters
 *   hook.c        redirecting bpf_int_jit_compile with ftrace
 *   ksyms.c       resolving the kernel's non-exported symbols at load
 *   stats.c       /sys/kernel/vjit/ counters
 *   arch_<a>.c    everything specific to one architecture: its symbols,
 *                 image memory, calling the backend (the interface below)
 */
#ifndef VJIT_KMOD_H
#define VJIT_KMOD_H

#include <linux/types.h>
#include <linux/atomic.h>
#include "core/vjit_jit.h"

struct bpf_prog;

/* Why a program went to the kernel's JIT instead of vjit. */
enum vjit_reason {
	VJIT_R_NONE,            /* 0: vjit takes the program (not a reason) */
	VJIT_R_MODE,            /* not a kind of program the mode takes */
	VJIT_R_NOT_REQUESTED,   /* prog->jit_requested is off */
	VJIT_R_BLINDING,        /* constant blinding failed */
	VJIT_R_SUBPROG,         /* bpf-to-bpf calls (jit_subprogs) */
	VJIT_R_TAIL_CALL,       /* tail calls: the kernel's JIT owns the ABI */
	VJIT_R_EXTABLE,         /* PROBE_MEM loads need an exception table */
	VJIT_R_NO_BACKEND,      /* module built without the code generator */
	VJIT_R_ALLOC,           /* the kernel's JIT allocator said no */
	VJIT_R_FINALIZE,        /* copying the image to its RO home failed */
	VJIT_R_LEN_MISMATCH,    /* emit produced another size than sized */
	VJIT_R_TAIL_CALL_ENTRY, /* no entry where the kernel's tail calls jump */
	VJIT_R_TRAMPOLINE,      /* a possible trampoline target the image cannot host */
	VJIT_R_JIT_BASE,        /* + error - 1 (enum vjit_jit_error, from 1) */
	VJIT_R_NR = VJIT_R_JIT_BASE + VJIT_E_NR - 1,
};

const char *vjit_reason_name(int reason);

struct vjit_stats {
	atomic64_t compiled;        /* programs compiled by vjit */
	atomic64_t native_bytes;    /* bytes of native code vjit emitted */
	atomic64_t compile_ns;      /* time in vjit's compile path */
	atomic64_t blinded;         /* ... of which constant-blinded */
	atomic64_t return_thunk;    /* images that return via the thunk */
	atomic64_t bhb_loop;        /* images calling clear_bhb_loop (BHI) */
	atomic64_t bhb_ibhf;        /* images with the IBHF fence (BHI) */
	atomic64_t nospec;          /* NOSPEC barriers vjit lowered */
	atomic64_t ibt;             /* images with ENDBR64 at every entry (IBT) */
	atomic64_t isa_v4;          /* images of programs using cpu-v4 insns */
	atomic64_t stock_ibt;       /* the kernel's JIT's images opening with ENDBR64 */
	atomic64_t stock_bhb_loop;  /* the same, in the kernel's JIT's images */
	atomic64_t stock_bhb_ibhf;
	atomic64_t stock;           /* programs handed to the kernel's JIT */
	atomic64_t stock_jited;     /* ... that came back JITted */
	atomic64_t stock_ns;        /* time in the kernel's JIT */
	atomic64_t stock_bytes;     /* jited_len of the kernel's JIT's images */
	atomic64_t fallback[VJIT_R_NR];
};
extern struct vjit_stats vjit_stats;

/* The kernel's JIT, as it was before the hook (call-through target). */
typedef struct bpf_prog *(*vjit_jit_fn)(struct bpf_prog *prog);
extern vjit_jit_fn vjit_stock_jit;

/* ksyms.c: kallsyms_lookup_name through a kprobe; 0 if absent. */
int vjit_ksyms_init(void);
unsigned long vjit_lookup(const char *name);
/* A symbol an arch needs, and where its address goes. */
struct vjit_ksym {
	const char *name;
	void **slot;
};
/* Resolve every one; -ENOENT (each missing one named) if any is absent. */
int vjit_lookup_all(const struct vjit_ksym *syms, int n);

/* hook.c */
int vjit_hook_install(unsigned long target, void *replacement);
void vjit_hook_remove(void);

/* stats.c */
int vjit_stats_init(void);
void vjit_stats_exit(void);

/*
 * The architecture interface: one implementation per target
 * (arch_x86_64.c, arch_arm64.c).
 *
 * vjit_arch_init(): resolve what this arch needs, check the kernel is one
 *   it supports; a negative errno (after a pr_err) refuses the load.
 * vjit_arch_compile(): JIT @prog (already blinded if needed) into memory
 *   from the kernel's own JIT allocator and set bpf_func/jited/jited_len.
 *   Returns 0, or a positive enum vjit_reason and leaves @prog untouched.
 * vjit_arch_backend_linked(): false when the module was built without the
 *   code generator (every program falls back; hook plumbing only).
 */
int vjit_arch_init(void);
int vjit_arch_compile(struct bpf_prog *prog);
/* main.c, for vjit_arch_compile: a vjit_jit of @prog as every arch fills
 * it (addrs allocated: kvfree them), or a reason; a backend error as a
 * reason. */
int vjit_jit_init(struct vjit_jit *j, const struct bpf_prog *prog);
int vjit_jit_reason(int error);
bool vjit_arch_backend_linked(void);
const char *vjit_arch_jit_error_name(int error);
/* After a call-through: count what the kernel's JIT image carries. */
void vjit_arch_inspect_stock(const struct bpf_prog *prog);
/* bpf_jit_binary_pack_finalize with the running kernel's arguments (prog
 * may be NULL for an image that is no bpf_prog). */
struct bpf_binary_header;
int vjit_pack_finalize(struct bpf_prog *prog, struct bpf_binary_header *ro,
		       struct bpf_binary_header *rw);

/* The ISA level programs may use: what the kernel's verifier accepts. */
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define VJIT_ISA_LEVEL VJIT_ISA_V4
#else
#define VJIT_ISA_LEVEL VJIT_ISA_V3
#endif

#endif
