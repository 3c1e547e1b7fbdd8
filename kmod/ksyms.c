// SPDX-License-Identifier: GPL-2.0
/*
 * Resolving symbols the kernel does not export. kallsyms_lookup_name itself
 * is not exported on 6.1; registering a kprobe by name makes the kprobe core
 * resolve it for us, and the probe is removed right away.
 */
#include <linux/kprobes.h>
#include <linux/printk.h>
#include "vjit_kmod.h"

static unsigned long (*lookup_name)(const char *name);

int vjit_ksyms_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err = register_kprobe(&kp);

	if (err) {
		pr_err("vjit: cannot find kallsyms_lookup_name (kprobe: %d); "
		       "this kernel is not supported\n", err);
		return err;
	}
	lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return 0;
}

unsigned long vjit_lookup(const char *name)
{
	return lookup_name ? lookup_name(name) : 0;
}

int vjit_lookup_all(const struct vjit_ksym *syms, int n)
{
	int i, missing = 0;

	for (i = 0; i < n; i++) {
		*syms[i].slot = (void *)vjit_lookup(syms[i].name);
		if (!*syms[i].slot) {
			pr_err("vjit: kernel symbol missing: %s; refusing to load\n",
			       syms[i].name);
			missing++;
		}
	}
	return missing ? -ENOENT : 0;
}
