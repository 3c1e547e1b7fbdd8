/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libscpl: compile a syscall policy (SCPL or a Docker/OCI profile) to a
 * seccomp filter proven equal to it, and install it.
 *
 *	char err[512];
 *	struct scpl_filter *f = scpl_compile_file("app.scpl", 0, err, sizeof err);
 *	if (!f || scpl_install(f, SCPL_TSYNC) < 0) ...
 *	scpl_filter_free(f);
 */
#ifndef VJIT_SCPL_LIBSCPL_H
#define VJIT_SCPL_LIBSCPL_H

#include <linux/filter.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	SCPL_OCI = 1 << 0,       /* the file is a Docker/OCI profile (JSON) */
	SCPL_NO_VERIFY = 1 << 1, /* skip the proof */
	SCPL_TSYNC = 1 << 2,     /* install: SECCOMP_FILTER_FLAG_TSYNC, all threads */
};

struct scpl_filter;

/* NULL on failure, with the message (file:line:col: ...) in err. */
struct scpl_filter *scpl_compile_file(const char *path, unsigned flags, char *err, size_t errlen);
struct scpl_filter *scpl_compile_string(const char *text, unsigned flags, char *err, size_t errlen);

size_t scpl_filter_len(const struct scpl_filter *f);
const struct sock_filter *scpl_filter_insns(const struct scpl_filter *f);

/* Sets no_new_privs and installs the filter on this thread (all threads
 * with SCPL_TSYNC). 0, or -errno; with SCPL_TSYNC, -ESRCH when another
 * thread could not be synchronised. */
int scpl_install(const struct scpl_filter *f, unsigned flags);

void scpl_filter_free(struct scpl_filter *f);

#ifdef __cplusplus
}
#endif

#endif
