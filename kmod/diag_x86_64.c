// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: INET-DIAG filter images. A translated filter is no bpf_prog:
 * its image comes from the kernel's BPF pack allocator (executable, read
 * only once finalized) and goes back to it when the dump that used it ends.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>
#include "vjit_diag_kmod.h"

VJIT_DECLARE_BACKEND(x86_64)

static typeof(&bpf_jit_binary_pack_alloc) k_pack_alloc;
static typeof(&bpf_jit_binary_pack_free) k_pack_free;
static typeof(&bpf_arch_text_copy) k_text_copy;
static typeof(&x86_return_thunk) k_return_thunk;

int vjit_diag_arch_init(void)
{
	k_pack_alloc = (void *)vjit_lookup("bpf_jit_binary_pack_alloc");
	k_pack_free = (void *)vjit_lookup("bpf_jit_binary_pack_free");
	k_text_copy = (void *)vjit_lookup("bpf_arch_text_copy");
	k_return_thunk = (void *)vjit_lookup("x86_return_thunk");
	if (!k_pack_alloc || !k_pack_free || !k_text_copy ||
	    !k_return_thunk)
		return -ENOENT;
	return 0;
}

static void vjit_diag_fill_int3(void *area, unsigned int size)
{
	memset(area, 0xcc, size);
}

#ifdef VJIT_HAVE_BACKEND

int vjit_diag_arch_compile(const void *insns, unsigned int len,
			   struct vjit_diag_image *img)
{
	struct bpf_binary_header *ro_hdr, *rw_hdr;
	struct vjit_jit j = {};
	u8 *ro_image, *rw_image;
	int err;

	j.addrs = kvmalloc_array(len + 1, sizeof(*j.addrs), GFP_KERNEL);
	if (!j.addrs)
		return VJIT_DIAG_R_ALLOC;
	j.insns = insns;
	j.len = len;
	j.call_base = (unsigned long)__bpf_call_base;
	j.isa = VJIT_ISA_V3;
	/* The module calls the image indirectly: a landing pad under IBT. */
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		j.flags |= VJIT_F_IBT;
	if (cpu_feature_enabled(X86_FEATURE_RETHUNK)) {
		j.flags |= VJIT_F_RETHUNK;
		j.return_thunk = (unsigned long)READ_ONCE(*k_return_thunk);
	}
	err = VJIT_BACKEND(x86_64).size(&j) ? VJIT_DIAG_R_JIT : 0;
	if (err)
		goto out;
	ro_hdr = k_pack_alloc(j.image_len, &ro_image, BPF_IMAGE_ALIGNMENT, &rw_hdr,
			      &rw_image, vjit_diag_fill_int3, false);
	if (!ro_hdr) {
		err = VJIT_DIAG_R_ALLOC;
		goto out;
	}
	j.max_image_len = j.image_len;
	if (VJIT_BACKEND(x86_64).emit(&j, rw_image, (unsigned long)ro_image)) {
		k_text_copy(&ro_hdr->size, &rw_hdr->size, sizeof(rw_hdr->size));
		k_pack_free(ro_hdr, rw_hdr);
		err = VJIT_DIAG_R_JIT;
		goto out;
	}
	if (vjit_pack_finalize(NULL, ro_hdr, rw_hdr)) {
		err = VJIT_DIAG_R_ALLOC; /* finalize freed both headers */
		goto out;
	}
	img->func = (vjit_diag_fn)ro_image;
	img->hdr = ro_hdr;
	img->size = j.image_len;
out:
	kvfree(j.addrs);
	return err;
}

#else

int vjit_diag_arch_compile(const void *insns, unsigned int len,
			   struct vjit_diag_image *img)
{
	(void)vjit_diag_fill_int3;
	return VJIT_DIAG_R_JIT;
}

#endif

void vjit_diag_arch_free(struct vjit_diag_image *img)
{
	if (img->hdr)
		k_pack_free(img->hdr, NULL);
	img->hdr = NULL;
}
