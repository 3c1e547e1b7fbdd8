/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Images in bpf_jit_binary_alloc() memory (jit_binary.c), for the arches
 * whose stock JIT allocates there on 6.1 and whose programs the generic
 * bpf_jit_free() frees (arm64, riscv64): the header is bpf_func rounded
 * down to its page. Each such arch_<arch>.c provides the two vjit_bin_arch_
 * functions; diag_binary.c is their INET-DIAG part.
 */
#ifndef VJIT_BINARY_KMOD_H
#define VJIT_BINARY_KMOD_H

#include <linux/filter.h>
#include "vjit_kmod.h"

int vjit_bin_init(void);
/* Size, allocate (holes filled by fill), emit, flush the instruction cache,
 * lock: an image of j. 0, or an enum vjit_reason (nothing allocated then). */
int vjit_bin_jit(struct vjit_jit *j, const struct vjit_backend *be, bpf_jit_fill_hole_t fill,
		 struct bpf_binary_header **hdrp, u8 **imagep);
void vjit_bin_free(struct bpf_binary_header *hdr);
/* vjit_bin_arch_jit, the tail-call entry checked (entry_ok), the counters
 * read (count), prog's bpf_func set: 0 or an enum vjit_reason. */
int vjit_bin_compile(struct bpf_prog *prog, struct vjit_jit *j,
		     bool (*entry_ok)(const struct vjit_jit *j, const u8 *image),
		     void (*count)(const struct vjit_jit *j, const u8 *image));

/* arch_<arch>.c: the options every image needs on this kernel and CPU, and
 * vjit_bin_jit with the arch's backend and hole filler. */
unsigned int vjit_bin_arch_flags(void);
int vjit_bin_arch_jit(struct vjit_jit *j, struct bpf_binary_header **hdrp, u8 **imagep);

#endif
