/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JIT as the kernel glue (C) and the userspace tools see it. Implemented
 * in C++ (core/driver.h + arch/<arch>/), freestanding. No allocation
 * inside: the caller hands in every buffer.
 *
 * Each arch's backend is a struct vjit_backend, vjit_backend_<arch>
 * (arch/<arch>/jit.cc). Use, as the kernel's JITs do:
 *   1. fill struct vjit_jit, with addrs[] of len + 1 entries;
 *   2. size(): passes without output until the offsets settle; sets
 *      image_len;
 *   3. allocate image_len bytes of executable memory (RW view + final RO
 *      address), then emit() writes the final image.
 * A non-zero return is an enum vjit_jit_error; j->error_insn names the BPF
 * instruction at fault where there is one.
 */
#ifndef VJIT_CORE_VJIT_JIT_H
#define VJIT_CORE_VJIT_JIT_H

#ifdef __cplusplus
extern "C" {
#endif

enum vjit_jit_error {
	VJIT_OK = 0,
	VJIT_E_UNSUPPORTED_OPCODE = 1,
	VJIT_E_BAD_PROGRAM = 2,
	VJIT_E_TOO_LARGE = 3,
	VJIT_E_NO_CONVERGENCE = 4,
	VJIT_E_NO_MEMORY = 5,
	VJIT_E_MITIGATION = 6,  /* a mitigation the options ask for cannot be
	                           emitted (e.g. its target is out of reach) */
	VJIT_E_NR = 7,
};

/* The ISA level a program may use (core/isa.h): what the kernel accepts. */
enum vjit_isa {
	VJIT_ISA_V3 = 3, /* Linux 6.1: v3 and gotol */
	VJIT_ISA_V4 = 4, /* Linux 6.6+: cpu-v4 */
};

/* Code generation options; each is a parameter of the proofs too. */
enum vjit_jit_flags {
	/* Return through the return thunk at j->return_thunk (x86 RETHUNK). */
	VJIT_F_RETHUNK = 1u << 0,
	/* The program comes from the kernel's verifier and rewrites: it may
	   use AX (constant blinding) and NOSPEC. Without it, R0-R10 only. */
	VJIT_F_KERNEL = 1u << 1,
	/* Spectre-BHI barrier before the return: call the kernel's
	   clear_bhb_loop (at j->bhb_loop), saving rax and rcx around it... */
	VJIT_F_BHB_LOOP = 1u << 2,
	/* ...and/or the IBHF instruction. */
	VJIT_F_BHB_IBHF = 1u << 3,
	/* Landing pads for indirect branches at the image entry and the
	   tail-call entry: x86 IBT ENDBR64, arm64 BTI JC / BTI J. */
	VJIT_F_IBT = 1u << 4,
	/* arm64: the CPU has the LSE atomics (FEAT_LSE); else LDXR/STXR loops. */
	VJIT_F_LSE = 1u << 5,
	/* Return-address signing: signed at entry, authenticated before the
	   return (arm64 pointer authentication: PACIASP / AUTIASP). */
	VJIT_F_SIGN_RET = 1u << 6,
};

struct vjit_jit {
	/* In. */
	const void *insns;            /* struct bpf_insn[len] */
	unsigned int len;
	unsigned int stack_depth;     /* bytes below R10 the program uses */
	unsigned long long call_base; /* helper call imm is relative to it
	                                 (the kernel's __bpf_call_base) */
	unsigned long long return_thunk;
	unsigned long long bhb_loop;  /* clear_bhb_loop, for VJIT_F_BHB_LOOP */
	unsigned int flags;           /* enum vjit_jit_flags */
	unsigned int isa;             /* enum vjit_isa; 0 means VJIT_ISA_V3 */
	unsigned int tail_call_entry; /* offset the kernel's tail calls enter at
	                                 (x86 X86_TAIL_CALL_OFFSET, arm64
	                                 PROLOGUE_OFFSET * 4); 0: none */
	unsigned int max_image_len;   /* 0: no limit beyond the buffer */
	unsigned int *addrs;          /* scratch: len + 1 entries */
	/* Out. */
	unsigned int image_len;
	unsigned int passes;
	unsigned int v4_insns;        /* instructions only cpu-v4 has */
	int error;                    /* enum vjit_jit_error */
	unsigned int error_insn;
	unsigned char error_opcode;
	unsigned char error_fault;    /* for VJIT_E_BAD_PROGRAM: why (core/isa.h) */
	unsigned int body_regs;       /* native registers the code may write
	                                 (the frame saves the callee-saved ones) */
};

struct vjit_backend {
	const char *name;  /* the arch, as the Makefile's ARCHES names it */
	int (*size)(struct vjit_jit *j);
	int (*emit)(struct vjit_jit *j, unsigned char *rw, unsigned long long ro_addr);
};

/* The backend of arch a (e.g. VJIT_BACKEND(x86_64) in arch-specific code). */
#define VJIT_BACKEND(a) vjit_backend_##a
#define VJIT_DECLARE_BACKEND(a) extern const struct vjit_backend vjit_backend_##a;

/* The name of an enum vjit_jit_error (core/jit_error.cc). */
const char *vjit_jit_error_name(int error);

#ifdef __cplusplus
}
#endif

#endif
