/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vjit.ko's INET-DIAG part (diag.c, generic) and its arch interface
 * (diag_<arch>.c).
 */
#ifndef VJIT_DIAG_KMOD_H
#define VJIT_DIAG_KMOD_H

#include "vjit_kmod.h"
#include "core/vjit_diag.h"

/* Why a dump's bytecode runs on the kernel's interpreter. */
enum vjit_diag_reason {
	VJIT_DIAG_R_NONE,
	VJIT_DIAG_R_AUDIT,     /* vjit's audit refused what the kernel's accepted */
	VJIT_DIAG_R_TOO_LARGE, /* the translation is beyond 16-bit jumps */
	VJIT_DIAG_R_ALLOC,     /* memory for the translation or the image */
	VJIT_DIAG_R_JIT,       /* the backend refused the translated program */
	VJIT_DIAG_R_NR,
};

typedef unsigned int (*vjit_diag_fn)(const struct vjit_diag_entry *entry,
				     const void *unused);

struct vjit_diag_image {
	vjit_diag_fn func;
	void *hdr;          /* the allocator's header, for freeing */
	unsigned int size;  /* native bytes */
};

int vjit_diag_arch_init(void);
/* 0, or an enum vjit_diag_reason. May sleep. */
int vjit_diag_arch_compile(const void *insns, unsigned int len,
			   struct vjit_diag_image *img);
void vjit_diag_arch_free(struct vjit_diag_image *img);

/* diag.c: called from module init and exit. */
int vjit_diag_init(void);
void vjit_diag_exit(void);

/* stats.c: the /sys/kernel/vjit kobject. */
struct kobject *vjit_stats_kobj(void);

#endif
