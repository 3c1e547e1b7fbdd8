/* SPDX-License-Identifier: GPL-2.0 */
/*
 * INET-DIAG bytecode as the kernel glue (C) and the userspace tools see it:
 * the per-socket entry a translated filter reads, and the translator's C
 * entry points (core/diag_translate.cc, freestanding; no allocation).
 *
 * A translated filter is an eBPF program with R1 = a struct
 * vjit_diag_entry; it returns 1 when the bytecode accepts the socket and 0
 * when it rejects it, as inet_diag_bc_run (net/ipv4/inet_diag.c, 6.1).
 */
#ifndef VJIT_CORE_VJIT_DIAG_H
#define VJIT_CORE_VJIT_DIAG_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What inet_diag_bc_sk fills from a socket. Addresses are the socket's
 * bytes (network order); an AF_INET socket's are in word 0, the rest
 * zero. Ports in host order (sport is inet_num).
 */
struct vjit_diag_entry {
	unsigned int saddr[4];
	unsigned int daddr[4];
	unsigned short sport;
	unsigned short dport;
	unsigned short family;
	unsigned short userlocks;
	unsigned int ifindex;
	unsigned int mark;
	unsigned long long cgroup_id;
};

enum vjit_diag_entry_offsets {
	VJIT_DIAG_SADDR = 0,
	VJIT_DIAG_DADDR = 16,
	VJIT_DIAG_SPORT = 32,
	VJIT_DIAG_DPORT = 34,
	VJIT_DIAG_FAMILY = 36,
	VJIT_DIAG_USERLOCKS = 38,
	VJIT_DIAG_IFINDEX = 40,
	VJIT_DIAG_MARK = 44,
	VJIT_DIAG_CGROUP = 48,
	VJIT_DIAG_ENTRY_SIZE = 56,
};

enum vjit_diag_error {
	VJIT_DIAG_OK = 0,
	VJIT_DIAG_EINVAL = 1,     /* the kernel's audit says -EINVAL */
	VJIT_DIAG_EPERM = 2,      /* ... -EPERM (MARK_COND without CAP_NET_ADMIN) */
	VJIT_DIAG_TOO_LARGE = 3,  /* more eBPF than 16-bit jump offsets reach */
	VJIT_DIAG_NO_SPACE = 4,   /* the output buffer is too small */
	VJIT_DIAG_E_NR = 5,
};

/* Most eBPF instructions one bytecode op becomes. */
#define VJIT_DIAG_MAX_FRAGMENT 32

/*
 * Checks @bc[0..@len) as inet_diag_bc_audit does. Returns an enum
 * vjit_diag_error (OK, EINVAL or EPERM).
 */
int vjit_diag_audit(const void *bc, unsigned int len, int net_admin);

/*
 * Audits (as with CAP_NET_ADMIN: the kernel audited the request before a
 * socket is filtered) and translates @bc into eBPF (struct bpf_insn).
 * @out may be NULL to learn the length in *@out_len. @work: @len / 4 + 2
 * entries. Returns an enum vjit_diag_error.
 */
int vjit_diag_translate(const void *bc, unsigned int len, void *out,
			unsigned int out_cap, unsigned int *out_len,
			unsigned int *work);

const char *vjit_diag_error_name(int error);

#ifdef __cplusplus
}
#endif

#endif
