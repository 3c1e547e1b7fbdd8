// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/vjit/: one counter per file.
 *   compiled native_bytes compile_ns   programs vjit compiled, their size
 *                                      and the time spent compiling them
 *   blinded                            ... of those, constant-blinded
 *   return_thunk                       images returning via x86_return_thunk
 *   bhb_loop bhb_ibhf                  images with the Spectre-BHI barrier
 *                                      (clear_bhb_loop call, IBHF fence)
 *   nospec                             NOSPEC barriers lowered
 *   ibt                                images with ENDBR64 at the entry and
 *                                      the tail-call entry (IBT kernels)
 *   isa_v4                             images of programs with cpu-v4 insns
 *   stock_ibt                          the kernel's JIT's images with ENDBR64
 *   stock_bhb_loop stock_bhb_ibhf      the same barrier in images the
 *                                      kernel's JIT made (call-through)
 *   stock stock_jited stock_ns         programs handed to the kernel's JIT,
 *                                      how many it JITted, time spent there
 *   stock_bytes                        ... and the size of their images
 *   fallback/<reason>                  why programs went to the kernel's JIT
 */
#include <linux/ctype.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/string.h>
#include "vjit_diag_kmod.h"

static struct kobject *vjit_kobj;

#define VJIT_COUNTER(field)						\
static ssize_t field##_show(struct kobject *k, struct kobj_attribute *a,	\
			    char *buf)					\
{									\
	return sysfs_emit(buf, "%lld\n",				\
			  (long long)atomic64_read(&vjit_stats.field));	\
}									\
static struct kobj_attribute field##_attr = __ATTR_RO(field)

VJIT_COUNTER(compiled);
VJIT_COUNTER(native_bytes);
VJIT_COUNTER(compile_ns);
VJIT_COUNTER(blinded);
VJIT_COUNTER(return_thunk);
VJIT_COUNTER(bhb_loop);
VJIT_COUNTER(bhb_ibhf);
VJIT_COUNTER(nospec);
VJIT_COUNTER(stock_bhb_loop);
VJIT_COUNTER(stock_bhb_ibhf);
VJIT_COUNTER(stock);
VJIT_COUNTER(stock_jited);
VJIT_COUNTER(stock_ns);
VJIT_COUNTER(stock_bytes);
VJIT_COUNTER(ibt);
VJIT_COUNTER(isa_v4);
VJIT_COUNTER(stock_ibt);

static struct attribute *vjit_attrs[] = {
	&compiled_attr.attr, &native_bytes_attr.attr, &compile_ns_attr.attr, &blinded_attr.attr,
	&return_thunk_attr.attr, &bhb_loop_attr.attr, &bhb_ibhf_attr.attr,
	&nospec_attr.attr, &stock_bhb_loop_attr.attr, &stock_bhb_ibhf_attr.attr,
	&stock_attr.attr, &stock_jited_attr.attr, &stock_ns_attr.attr, &stock_bytes_attr.attr,
	&ibt_attr.attr, &isa_v4_attr.attr, &stock_ibt_attr.attr, NULL,
};
static const struct attribute_group vjit_group = { .attrs = vjit_attrs };

/* fallback/<reason>: file names come from the reason names at load. */
static char fallback_names[VJIT_R_NR][32];
static struct kobj_attribute fallback_attrs[VJIT_R_NR];
static struct attribute *fallback_list[VJIT_R_NR]; /* no file for R_NONE */
static const struct attribute_group fallback_group = {
	.name = "fallback", .attrs = fallback_list,
};

static ssize_t fallback_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	long i = a - fallback_attrs;

	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&vjit_stats.fallback[i]));
}

static void sysfs_safe_name(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++) {
		char c = src[i];

		dst[i] = (isalnum(c) ? tolower(c) : '_');
	}
	dst[i] = 0;
}

int vjit_stats_init(void)
{
	int i, err;

	for (i = VJIT_R_NONE + 1; i < VJIT_R_NR; i++) {
		sysfs_safe_name(fallback_names[i], sizeof(fallback_names[i]),
				vjit_reason_name(i));
		sysfs_attr_init(&fallback_attrs[i].attr);
		fallback_attrs[i].attr.name = fallback_names[i];
		fallback_attrs[i].attr.mode = 0444;
		fallback_attrs[i].show = fallback_show;
		fallback_list[i - 1] = &fallback_attrs[i].attr;
	}
	vjit_kobj = kobject_create_and_add("vjit", kernel_kobj);
	if (!vjit_kobj)
		return -ENOMEM;
	err = sysfs_create_group(vjit_kobj, &vjit_group);
	if (!err)
		err = sysfs_create_group(vjit_kobj, &fallback_group);
	if (err) {
		pr_err("vjit: cannot create /sys/kernel/vjit (%d)\n", err);
		kobject_put(vjit_kobj);
	}
	return err;
}

struct kobject *vjit_stats_kobj(void)
{
	return vjit_kobj;
}

void vjit_stats_exit(void)
{
	kobject_put(vjit_kobj);
}
