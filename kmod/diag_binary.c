// SPDX-License-Identifier: GPL-2.0
/*
 * INET-DIAG filter images where programs' images are bpf_jit_binary_alloc()
 * memory (arm64, riscv64: jit_binary.c). A translated filter is no
 * bpf_prog: its image comes from the kernel's JIT allocator, as a
 * program's does, and goes back to it when the dump that used it ends.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include "vjit_diag_kmod.h"
#include "vjit_binary_kmod.h"

int vjit_diag_arch_init(void)
{
	return 0; /* arch_<arch>.c resolved the allocator */
}

#ifdef VJIT_HAVE_BACKEND

int vjit_diag_arch_compile(const void *insns, unsigned int len,
			   struct vjit_diag_image *img)
{
	struct bpf_binary_header *hdr;
	struct vjit_jit j = {};
	u8 *image;
	int reason;

	j.addrs = kvmalloc_array(len + 1, sizeof(*j.addrs), GFP_KERNEL);
	if (!j.addrs)
		return VJIT_DIAG_R_ALLOC;
	j.insns = insns;
	j.len = len;
	j.call_base = (unsigned long)__bpf_call_base;
	j.isa = VJIT_ISA_V3;
	/* The module calls the image indirectly: arm64's landing pad, PAC. */
	j.flags = vjit_bin_arch_flags();
	reason = vjit_bin_arch_jit(&j, &hdr, &image);
	kvfree(j.addrs);
	if (reason)
		return reason == VJIT_R_ALLOC ? VJIT_DIAG_R_ALLOC : VJIT_DIAG_R_JIT;
	img->func = (vjit_diag_fn)image;
	img->hdr = hdr;
	img->size = j.image_len;
	return 0;
}

#else

int vjit_diag_arch_compile(const void *insns, unsigned int len,
			   struct vjit_diag_image *img)
{
	return VJIT_DIAG_R_JIT;
}

#endif

void vjit_diag_arch_free(struct vjit_diag_image *img)
{
	if (img->hdr)
		vjit_bin_free(img->hdr);
	img->hdr = NULL;
}
