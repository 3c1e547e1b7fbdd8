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

#ifdef VJIT_HAVE_BACKEND

/* The counters every arch reads off the program. */
static void vjit_bin_count(const struct vjit_jit *j)
{
	const struct bpf_insn *insn = j->insns;
	unsigned int i;

	if (j->v4_insns)
		atomic64_inc(&vjit_stats.isa_v4);
	for (i = 0; i < j->len; i++)
		if (insn[i].code == (BPF_ST | BPF_NOSPEC))
			atomic64_inc(&vjit_stats.nospec);
}

/*
 * The image of prog from j (vjit_jit_init'ed, the arch's options set):
 * entry_ok checks the tail-call entry on the image (else it goes to the
 * kernel's JIT), count (if any) reads the arch's counters off it.
 */
int vjit_bin_compile(struct bpf_prog *prog, struct vjit_jit *j,
		     bool (*entry_ok)(const struct vjit_jit *j, const u8 *image),
		     void (*count)(const struct vjit_jit *j, const u8 *image))
{
	struct bpf_binary_header *hdr;
	u8 *image;
	int reason;

	reason = vjit_bin_arch_jit(j, &hdr, &image);
	if (reason)
		return reason;
	if (!entry_ok(j, image)) {
		vjit_bin_free(hdr);
		return VJIT_R_TAIL_CALL_ENTRY;
	}
	vjit_bin_count(j);
	if (count)
		count(j, image);
	prog->bpf_func = (void *)image;
	prog->jited = 1;
	prog->jited_len = j->image_len;
	return 0;
}

#endif
