// SPDX-License-Identifier: GPL-2.0
/*
 * Images in the kernel's bpf_jit_binary_alloc() memory, as the stock JITs
 * of arm64 and riscv64 allocate them on 6.1: the kernel frees every JITted
 * program with the generic bpf_jit_free() (bpf_jit_binary_free of bpf_func
 * rounded down to its page). So: emit in place (the memory is writable
 * until locked), flush the instruction cache, lock the pages read-only and
 * executable, leave jit_data NULL.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <asm/cacheflush.h>
#include "vjit_binary_kmod.h"

static typeof(&bpf_jit_binary_alloc) k_binary_alloc;
static typeof(&bpf_jit_binary_free) k_binary_free;
static int (*k_set_memory_ro)(unsigned long addr, int numpages);
static int (*k_set_memory_x)(unsigned long addr, int numpages);
static typeof(&find_vm_area) k_find_vm_area;

static const struct vjit_ksym bin_syms[] = {
	{ "bpf_jit_binary_alloc", (void **)&k_binary_alloc },
	{ "bpf_jit_binary_free", (void **)&k_binary_free },
	{ "set_memory_ro", (void **)&k_set_memory_ro },
	{ "set_memory_x", (void **)&k_set_memory_x },
	{ "find_vm_area", (void **)&k_find_vm_area },
};

int vjit_bin_init(void)
{
	return vjit_lookup_all(bin_syms, ARRAY_SIZE(bin_syms));
}

void vjit_bin_free(struct bpf_binary_header *hdr)
{
	k_binary_free(hdr);
}

/*
 * bpf_jit_binary_lock_ro() of 6.1 through the resolved symbols: vfree
 * restores the permissions (VM_FLUSH_RESET_PERMS), the pages become read
 * only, then executable (and guarded, with arm64's BTI).
 */
static void vjit_bin_lock_ro(struct bpf_binary_header *hdr)
{
	struct vm_struct *vm = k_find_vm_area(hdr);
	int pages = hdr->size >> PAGE_SHIFT;

	if (vm)
		vm->flags |= VM_FLUSH_RESET_PERMS;
	k_set_memory_ro((unsigned long)hdr, pages);
	k_set_memory_x((unsigned long)hdr, pages);
}

int vjit_bin_jit(struct vjit_jit *j, const struct vjit_backend *be, bpf_jit_fill_hole_t fill,
		 struct bpf_binary_header **hdrp, u8 **imagep)
{
	struct bpf_binary_header *hdr;
	unsigned int sized;
	u8 *image;
	int err;

	err = be->size(j);
	if (err)
		return vjit_jit_reason(err);
	sized = j->image_len;
	hdr = k_binary_alloc(sized, &image, sizeof(u64), fill);
	if (!hdr)
		return VJIT_R_ALLOC;
	j->max_image_len = sized;
	err = be->emit(j, image, (unsigned long)image);
	if (err || j->image_len != sized) {
		k_binary_free(hdr);
		return err ? vjit_jit_reason(err) : VJIT_R_LEN_MISMATCH;
	}
	flush_icache_range((unsigned long)hdr, (unsigned long)(image + sized));
	vjit_bin_lock_ro(hdr);
	*hdrp = hdr;
	*imagep = image;
	return 0;
}
