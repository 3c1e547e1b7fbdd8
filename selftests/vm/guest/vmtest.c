// SPDX-License-Identifier: GPL-2.0
/*
 * vmtest: vjit's own seccomp checks, run in the VM (static binary).
 *
 *   vmtest checks [--vjit]     allowlist, errno, kill, trap, log, argument
 *                              checks, TSYNC, filters per thread, and the
 *                              JIT-vs-interpreter differential; --vjit also
 *                              checks each filter went through vjit
 *   vmtest hold DIR            install a filter, create DIR/ready, wait for
 *                              DIR/go (vjit is unloaded meanwhile), check it
 *   vmtest stress SECS PROCS   install filters in PROCS processes for SECS
 *   vmtest bench LABEL         ns per syscall through a ~300-rule filter
 *   vmtest bench-all ROUNDS    the same for no filter, the interpreter, the
 *                              kernel's JIT and vjit, interleaved round by
 *                              round (vjit.ko loaded; it sets the mode)
 *   vmtest compile LABEL N     install the ~300-rule filter N times
 *   vmtest install FILE...     install each raw classic filter (struct
 *                              sock_filter array) in a child of its own
 *   vmtest demo                a small policy, and what it decides
 *   vmtest ebpf N [--jit]      N random eBPF socket filters run by the
 *                              kernel's interpreter (BPF_PROG_TEST_RUN, JIT
 *                              off); prints each program and its result for
 *                              the host to compare with vjit's interpreter
 *
 * Every check prints "PASS: name" or "FAIL: name: why".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The arch a filter's arch check accepts: the one this is built for. */
#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_RISCV64
#else
#error "vmtest: no AUDIT_ARCH for this target"
#endif

#include "allowlist.h" /* generated: allow_nrs[], the docker default list */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TARGET_NR __NR_getppid
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

static int failures;

static void pass(const char *name)
{
	printf("PASS: %s\n", name);
	fflush(stdout);
}

static void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

static long long counter(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/vjit/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoll(buf);
}

static int set_jit(int on)
{
	int fd = open("/proc/sys/net/core/bpf_jit_enable", O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

static int install(struct sock_filter *f, unsigned int len, unsigned int flags)
{
	struct sock_fprog prog = { .len = (unsigned short)len, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* Runs @fn in a child; returns its wait status. */
static int in_child(int (*fn)(void *), void *arg)
{
	int st;
	pid_t p = fork();

	if (p == 0)
		_exit(fn(arg));
	waitpid(p, &st, 0);
	return st;
}

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LOAD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch))
#define RET(k) BPF_STMT(BPF_RET | BPF_K, (k))
#define CHECK_ARCH LOAD_ARCH, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0), \
	RET(SECCOMP_RET_KILL_PROCESS)

/* A filter that gives @action to getppid and allows the rest. */
static int one_action(unsigned int action)
{
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 0, 1),
		RET(action), RET(SECCOMP_RET_ALLOW),
	};

	return install(f, ARRAY_SIZE(f), 0);
}

/* ---- the checks; each child returns 0 when good, else a code ---- */

static int c_allowlist(void *arg)
{
	static const int allow[] = {
		__NR_read, __NR_write, __NR_exit, __NR_exit_group,
		__NR_rt_sigreturn, __NR_getpid, __NR_brk, __NR_mmap,
		__NR_munmap, __NR_futex,
	};
	struct sock_filter f[64];
	unsigned int n = 0, i;
	pid_t pid = getpid();

	f[n++] = (struct sock_filter)LOAD_ARCH;
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)LOAD_NR;
	for (i = 0; i < ARRAY_SIZE(allow); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allow[i], 0, 1);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | EPERM);
	if (install(f, n, 0))
		return 10;
	if (getpid() != pid)
		return 11;
	if (syscall(__NR_getppid) != -1 || errno != EPERM)
		return 12;
	if (syscall(__NR_getuid) != -1 || errno != EPERM)
		return 13;
	if (write(1, "", 0) != 0)
		return 14;
	return 0;
}

static int c_errno(void *arg)
{
	if (one_action(SECCOMP_RET_ERRNO | 42))
		return 10;
	if (syscall(TARGET_NR) != -1 || errno != 42)
		return 11;
	if (syscall(__NR_getpid) != getpid())
		return 12;
	return 0;
}

static int c_kill(void *arg)
{
	if (one_action(SECCOMP_RET_KILL_PROCESS))
		return 10;
	syscall(TARGET_NR);
	return 11; /* must not get here */
}

static volatile sig_atomic_t trapped_nr = -1, trapped_data = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	trapped_nr = si->si_syscall;
	trapped_data = si->si_errno;
}

static int c_trap(void *arg)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	sigaction(SIGSYS, &sa, NULL);
	if (one_action(SECCOMP_RET_TRAP | 0x55))
		return 10;
	syscall(TARGET_NR);
	if (trapped_nr != TARGET_NR)
		return 11;
	if (trapped_data != 0x55)
		return 12;
	return 0;
}

static int c_log(void *arg)
{
	pid_t ppid = getppid();

	if (one_action(SECCOMP_RET_LOG))
		return 10;
	if (syscall(TARGET_NR) != ppid)
		return 11;
	return 0;
}

static int c_args(void *arg)
{
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		/* arg0 == 0x00009abc12345678 -> errno 7 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x12345678, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x9abc, 0, 1),
		RET(SECCOMP_RET_ERRNO | 7),
		/* arg1 (low word) > 1000 -> errno 8 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 1000, 0, 1),
		RET(SECCOMP_RET_ERRNO | 8),
		/* arg2 & 0x10 -> errno 9; arg3 == arg4 (X) -> errno 10 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 1),
		RET(SECCOMP_RET_ERRNO | 9),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(4)),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(3)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
		RET(SECCOMP_RET_ERRNO | 10),
		RET(SECCOMP_RET_ERRNO | 11),
	};
	static const struct { uint64_t a[5]; int want; } cases[] = {
		{ { 0x00009abc12345678ull, 0, 0, 1, 2 }, 7 },
		{ { 0x00009abd12345678ull, 0, 0, 1, 2 }, 11 },
		{ { 0x12345678, 0, 0, 1, 2 }, 11 },
		{ { 0, 1001, 0, 1, 2 }, 8 },
		{ { 0, 1000, 0, 1, 2 }, 11 },
		{ { 0, 0xffffffff00000005ull, 0, 1, 2 }, 11 },
		{ { 0, 0, 0x30, 1, 2 }, 9 },
		{ { 0, 0, 0x20, 1, 2 }, 11 },
		{ { 0, 0, 0, 5, 5 }, 10 },
		{ { 0, 0, 0, 5, 0x100000005ull }, 10 },
	};
	unsigned int i;

	if (install(f, ARRAY_SIZE(f), 0))
		return 100;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const uint64_t *a = cases[i].a;

		if (syscall(TARGET_NR, a[0], a[1], a[2], a[3], a[4]) != -1 ||
		    errno != cases[i].want)
			return 1 + (int)i;
	}
	return 0;
}

/* TSYNC: a filter installed by one thread applies to all. */
static pthread_barrier_t tsync_go;
static int tsync_errno[4] = { -1, -1, -1, -1 };

static void *tsync_thread(void *arg)
{
	int *slot = arg;

	pthread_barrier_wait(&tsync_go);  /* filter not installed yet */
	pthread_barrier_wait(&tsync_go);  /* installed */
	*slot = syscall(TARGET_NR) == -1 ? errno : 0;
	return NULL;
}

static int c_tsync(void *arg)
{
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 0, 1),
		RET(SECCOMP_RET_ERRNO | 43), RET(SECCOMP_RET_ALLOW),
	};
	pthread_t t[4];
	int i, rc = 0;

	pthread_barrier_init(&tsync_go, NULL, 5);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, tsync_thread, &tsync_errno[i]);
	pthread_barrier_wait(&tsync_go);
	if (install(f, ARRAY_SIZE(f), SECCOMP_FILTER_FLAG_TSYNC))
		rc = 10;
	pthread_barrier_wait(&tsync_go);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		if (tsync_errno[i] != 43)
			rc = rc ? rc : 1 + i;
	}
	return rc;
}

/* A stack of filters per thread, 32 threads: the newest ERRNO wins. */
#define PT_THREADS 32
#define PT_FILTERS 8

static int pt_done[PT_THREADS];

static void *per_thread(void *arg)
{
	long id = (long)arg, j;
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 0, 1),
		RET(0), RET(SECCOMP_RET_ALLOW),
	};

	for (j = 0; j < PT_FILTERS; j++) {
		f[5].k = SECCOMP_RET_ERRNO | (unsigned)(100 + id * 10 + j);
		if (install(f, ARRAY_SIZE(f), 0))
			return (void *)1;
		if (syscall(TARGET_NR) != -1 || errno != 100 + id * 10 + j)
			return (void *)2;
	}
	pt_done[id] = 1;
	return NULL;
}

static int c_per_thread(void *arg)
{
	pthread_t t[PT_THREADS];
	long i;
	int rc = 0;

	for (i = 0; i < PT_THREADS; i++)
		pthread_create(&t[i], NULL, per_thread, (void *)i);
	for (i = 0; i < PT_THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		if (r && !rc)
			rc = (int)(long)r;
		if (!pt_done[i] && !rc)
			rc = 4; /* the thread died */
	}
	/* the main thread has no filter */
	if (!rc && syscall(TARGET_NR) != getppid())
		rc = 3;
	return rc;
}

struct check {
	const char *name;
	int (*fn)(void *);
	int want_signal;     /* 0: exit 0 expected */
	int programs;        /* filters the check installs */
};

static const struct check checks[] = {
	{ "seccomp allowlist", c_allowlist, 0, 1 },
	{ "seccomp errno action", c_errno, 0, 1 },
	{ "seccomp kill action", c_kill, SIGSYS, 1 },
	{ "seccomp trap action", c_trap, 0, 1 },
	{ "seccomp log action", c_log, 0, 1 },
	{ "seccomp argument checks", c_args, 0, 1 },
	{ "seccomp TSYNC across threads", c_tsync, 0, 1 },
	{ "seccomp filters per thread in a loop", c_per_thread, 0,
	  PT_THREADS * PT_FILTERS },
};

/* ---- JIT vs interpreter, random filters, through a real syscall ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Offsets in seccomp_data a filter may load (aligned 32-bit words). */
static unsigned int rnd_field(void)
{
	return (unsigned int)(rnd() % 16) * 4;
}

/*
 * A random classic filter for TARGET_NR whose every exit is an ERRNO, so
 * the syscall never runs and the errno tells the filter's result. Other
 * syscalls are allowed. Scratch memory M[0..3] is written first (the
 * classic checker wants stores before loads).
 */
static unsigned int random_filter(struct sock_filter *f, unsigned int body)
{
	unsigned int n = 0, i, end;

	f[n++] = (struct sock_filter)LOAD_NR;
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	for (i = 0; i < 4; i++) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, rnd_field());
		f[n++] = (struct sock_filter)BPF_STMT(BPF_ST, i);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, (uint32_t)rnd());
	end = n + body;
	while (n < end) {
		uint32_t k = (uint32_t)rnd();
		unsigned int left = end - n, op = rnd() % 20;
		static const uint16_t alu_k[] = {
			BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR,
			BPF_DIV, BPF_LSH, BPF_RSH, /* seccomp has no MOD */
		};
		static const uint16_t alu_x[] = {
			BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR,
		};
		static const uint16_t jmp[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };

		if (op < 4) {
			f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, rnd_field());
		} else if (op < 9) {
			uint16_t o = alu_k[rnd() % ARRAY_SIZE(alu_k)];

			if (o == BPF_DIV && k == 0)
				k = 3;
			if (o == BPF_LSH || o == BPF_RSH)
				k %= 32;
			f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | o | BPF_K, k);
		} else if (op < 11) {
			f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | alu_x[rnd() % ARRAY_SIZE(alu_x)] | BPF_X, 0);
		} else if (op < 12) {
			f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_NEG, 0);
		} else if (op < 13) {
			f[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | (rnd() & 1 ? BPF_TAX : BPF_TXA), 0);
		} else if (op < 14) {
			f[n++] = (struct sock_filter)BPF_STMT(rnd() & 1 ? BPF_ST : BPF_STX, k % 4);
		} else if (op < 15) {
			f[n++] = (struct sock_filter)BPF_STMT((rnd() & 1 ? BPF_LD : BPF_LDX) | BPF_MEM, k % 4);
		} else if (op < 16) {
			f[n++] = (struct sock_filter)BPF_STMT(rnd() & 1 ? BPF_LD | BPF_IMM : BPF_LDX | BPF_W | BPF_LEN, k);
		} else if (op < 17 && left > 2) {
			f[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, (uint32_t)(rnd() % (left - 1)));
		} else if (op < 19 && left > 2) {
			uint16_t o = jmp[rnd() % ARRAY_SIZE(jmp)];
			unsigned int span = left - 1 < 255 ? left - 1 : 255;
			uint8_t jt = (uint8_t)(rnd() % (span + 1));
			uint8_t jf = (uint8_t)(rnd() % (span + 1));

			if (rnd() % 4 == 0)
				k = (uint32_t)rnd() % 64; /* small: often equal */
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | o | (rnd() & 1 ? BPF_X : BPF_K), k, jt, jf);
		} else {
			f[n++] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | (k & 0xfff));
		}
	}
	/* return errno (A & 0xfff) */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return n;
}

#define DIFF_FILTERS 40
#define DIFF_VECTORS 100
#define DIFF_BODY 48

struct diff_job {
	struct sock_filter f[128];
	unsigned int len;
	uint64_t args[DIFF_VECTORS][6];
	int out_fd;
};

static int diff_child(void *arg)
{
	struct diff_job *j = arg;
	int res[DIFF_VECTORS], i;

	if (install(j->f, j->len, 0))
		return 10;
	for (i = 0; i < DIFF_VECTORS; i++) {
		const uint64_t *a = j->args[i];
		long r = syscall(TARGET_NR, a[0], a[1], a[2], a[3], a[4], a[5]);

		res[i] = r == -1 ? errno : -1000 - (int)r;
	}
	return write(j->out_fd, res, sizeof(res)) == sizeof(res) ? 0 : 11;
}

static int run_diff_side(struct diff_job *j, int jit, int *res)
{
	int p[2], st;

	if (pipe(p))
		return -1;
	j->out_fd = p[1];
	if (set_jit(jit))
		return -1;
	st = in_child(diff_child, j);
	set_jit(1);
	close(p[1]);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("diff: %s child status %#x\n", jit ? "JIT" : "interpreter", st);
		close(p[0]);
		return -2;
	}
	if (
	    read(p[0], res, sizeof(int) * DIFF_VECTORS) != (ssize_t)(sizeof(int) * DIFF_VECTORS)) {
		close(p[0]);
		return -2;
	}
	close(p[0]);
	return 0;
}

static void check_diff(int vjit)
{
	static struct diff_job j;
	int jit[DIFF_VECTORS], interp[DIFF_VECTORS];
	long long c0 = counter("compiled"), c1;
	int fi, v, compared = 0;
	const char *name = "JIT vs interpreter on random filters (real syscalls)";

	for (fi = 0; fi < DIFF_FILTERS; fi++) {
		j.len = random_filter(j.f, DIFF_BODY);
		for (v = 0; v < DIFF_VECTORS; v++)
			for (int a = 0; a < 6; a++) {
				uint64_t x = rnd();

				/* small values too, so equality tests hit */
				j.args[v][a] = rnd() % 3 == 0 ? x % 64 : x;
			}
		if (run_diff_side(&j, 1, jit) || run_diff_side(&j, 0, interp)) {
			fail(name, "filter %d: a child failed", fi);
			return;
		}
		for (v = 0; v < DIFF_VECTORS; v++, compared++) {
			if (jit[v] != interp[v]) {
				fail(name, "filter %d vector %d: JIT %d, interpreter %d",
				     fi, v, jit[v], interp[v]);
				for (unsigned int i = 0; i < j.len; i++)
					printf("  insn %u: code %#x jt %u jf %u k %#x\n", i,
					       j.f[i].code, j.f[i].jt, j.f[i].jf, j.f[i].k);
				return;
			}
		}
	}
	c1 = counter("compiled");
	if (vjit && c1 - c0 < DIFF_FILTERS) {
		fail(name, "vjit compiled %lld of %d filters", c1 - c0, DIFF_FILTERS);
		return;
	}
	printf("diff: %d filters, %d syscalls each side, all equal\n",
	       DIFF_FILTERS, compared);
	pass(name);
}

static int cmd_checks(int vjit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		const struct check *c = &checks[i];
		long long c0 = counter("compiled");
		int st = in_child(c->fn, NULL);
		long long got = counter("compiled") - c0;

		if (c->want_signal) {
			if (!WIFSIGNALED(st) || WTERMSIG(st) != c->want_signal) {
				fail(c->name, "wanted signal %d, status %#x", c->want_signal, st);
				continue;
			}
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fail(c->name, "child status %#x (exit code %d)", st,
			     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			continue;
		}
		if (vjit && got < c->programs) {
			fail(c->name, "vjit compiled %lld of its %d filters", got, c->programs);
			continue;
		}
		pass(c->name);
	}
	check_diff(vjit);
	return failures ? 1 : 0;
}

/* ---- survives rmmod ---- */

static int cmd_hold(const char *dir)
{
	char path[256];
	struct stat sb;
	pid_t ppid = getppid();
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 77, 0, 1),
		RET(SECCOMP_RET_ERRNO | 77),
		RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_ALLOW),
	};
	const char *name = "filter compiled by vjit works after rmmod";
	long long c0 = counter("compiled");
	int i;

	if (install(f, ARRAY_SIZE(f), 0)) {
		fail(name, "install: %s", strerror(errno));
		return 1;
	}
	if (counter("compiled") <= c0) {
		fail(name, "vjit did not compile the filter");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/ready", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/go", dir);
	while (stat(path, &sb))
		usleep(20000);
	if (counter("compiled") != -1) {
		fail(name, "vjit is still loaded");
		return 1;
	}
	for (i = 0; i < 1000; i++) {
		if (syscall(TARGET_NR, 77) != -1 || errno != 77 ||
		    syscall(TARGET_NR, 78) != ppid) {
			fail(name, "wrong result at call %d", i);
			return 1;
		}
	}
	pass(name);
	return 0;
}

/* ---- concurrent filter installs (for load/unload under load) ---- */

static int stress_child(void *arg)
{
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TARGET_NR, 0, 1),
		RET(0), RET(SECCOMP_RET_ALLOW),
	};
	int j;

	for (j = 0; j < 3; j++) {
		f[5].k = SECCOMP_RET_ERRNO | (unsigned)(200 + j);
		if (install(f, ARRAY_SIZE(f), 0))
			return 1;
		if (syscall(TARGET_NR) != -1 || errno != 200 + j)
			return 2;
	}
	return 0;
}

static int cmd_stress(int secs, int procs)
{
	time_t end = time(NULL) + secs;
	long done = 0, bad = 0;
	int i;

	for (i = 0; i < procs; i++) {
		if (fork() == 0) {
			long n = 0, b = 0;

			while (time(NULL) < end) {
				int st = in_child(stress_child, NULL);

				n++;
				b += !WIFEXITED(st) || WEXITSTATUS(st);
			}
			printf("stress worker %d: %ld processes, %ld wrong\n", i, n, b);
			fflush(stdout);
			_exit(b ? 1 : 0);
		}
	}
	for (i = 0; i < procs; i++) {
		int st;

		wait(&st);
		bad += !WIFEXITED(st) || WEXITSTATUS(st);
		done++;
	}
	if (bad)
		fail("filters installed during load/unload give the right results",
		     "%ld of %ld workers saw wrong results", bad, done);
	else
		pass("filters installed during load/unload give the right results");
	return bad ? 1 : 0;
}

/* ---- benchmarks ---- */

#define BENCH_NR 1000 /* no such syscall: the filter runs in full */

static unsigned int allowlist_filter(struct sock_filter *f)
{
	unsigned int n = 0, i;

	f[n++] = (struct sock_filter)LOAD_ARCH;
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)LOAD_NR;
	for (i = 0; i < ARRAY_SIZE(allow_nrs); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allow_nrs[i], 0, 1);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | EPERM);
	return n;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int bench_child(void *arg)
{
	static struct sock_filter f[2 * ARRAY_SIZE(allow_nrs) + 8];
	const char *label = arg;
	double best = 1e30;
	int r, i, iters = 20000;

	if (strcmp(label, "nofilter") && install(f, allowlist_filter(f), 0))
		return 1;
	for (r = 0; r < 5; r++) {
		double t0 = now_ns(), t;

		for (i = 0; i < iters; i++)
			syscall(BENCH_NR, 1, 2, 3);
		t = (now_ns() - t0) / iters;
		if (t < best)
			best = t;
	}
	printf("bench: %s %.1f ns/syscall (%zu rules, best of 5 x %d)\n",
	       label, best, ARRAY_SIZE(allow_nrs), iters);
	fflush(stdout);
	return 0;
}

/*
 * One process per configuration, each with the filter installed the way
 * that configuration compiles it; then the processes take turns, round by
 * round, so that a noisy host (TCG, shared CPUs) weighs on all alike. The
 * best round of each is reported.
 */
struct bench_proc {
	const char *label;
	pid_t pid;
	int cmd[2], res[2];
	double best;
};

static int write_file(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, v, strlen(v)) == (ssize_t)strlen(v);
	close(fd);
	return ok ? 0 : -1;
}

static int bench_start(struct bench_proc *b, int filter)
{
	static struct sock_filter f[2 * ARRAY_SIZE(allow_nrs) + 8];
	char go;

	if (pipe(b->cmd) || pipe(b->res))
		return -1;
	b->best = 1e30;
	b->pid = fork();
	if (b->pid == 0) {
		if (filter && install(f, allowlist_filter(f), 0))
			_exit(1);
		/* ready */
		if (write(b->res[1], &b->best, sizeof(b->best)) != sizeof(b->best))
			_exit(1);
		while (read(b->cmd[0], &go, 1) == 1) {
			double t0 = now_ns(), t;

			for (int i = 0; i < 10000; i++)
				syscall(BENCH_NR, 1, 2, 3);
			t = (now_ns() - t0) / 10000;
			if (write(b->res[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
		}
		_exit(0);
	}
	/* wait until the filter is in */
	return read(b->res[0], &b->best, sizeof(b->best)) != sizeof(b->best) ? -1 : 0;
}

static int cmd_bench_all(int rounds)
{
	struct bench_proc b[4] = {
		{ .label = "nofilter" }, { .label = "interpreter" },
		{ .label = "stock" }, { .label = "vjit" },
	};
	const char *mode = "/sys/module/vjit/parameters/mode";
	long long c0, s0;
	int i, r;

	if (counter("compiled") < 0) {
		fail("bench", "vjit.ko is not loaded");
		return 1;
	}
	if (bench_start(&b[0], 0))
		return 1;
	set_jit(0);
	i = bench_start(&b[1], 1);
	set_jit(1);
	if (i)
		return 1;
	s0 = counter("stock");
	if (write_file(mode, "none") || bench_start(&b[2], 1) || counter("stock") != s0 + 1) {
		fail("bench", "the stock-JIT filter did not go to the kernel's JIT");
		return 1;
	}
	c0 = counter("compiled");
	if (write_file(mode, "seccomp") || bench_start(&b[3], 1) || counter("compiled") != c0 + 1) {
		fail("bench", "vjit did not compile the vjit filter");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 4; i++) {
			double t;

			if (write(b[i].cmd[1], "g", 1) != 1 ||
			    read(b[i].res[0], &t, sizeof(t)) != sizeof(t))
				return 1;
			if (t < b[i].best)
				b[i].best = t;
		}
	}
	for (i = 0; i < 4; i++) {
		kill(b[i].pid, SIGKILL); /* later children hold its pipe too */
		waitpid(b[i].pid, NULL, 0);
		printf("bench: %s %.1f ns/syscall (%zu rules, best of %d interleaved rounds x 10000)\n",
		       b[i].label, b[i].best, ARRAY_SIZE(allow_nrs), rounds);
	}
	return 0;
}

static int compile_child(void *arg)
{
	static struct sock_filter f[2 * ARRAY_SIZE(allow_nrs) + 8];
	unsigned int n = allowlist_filter(f);

	/* 16 x ~700 instructions stays under seccomp's 32768 per process */
	for (int i = 0; i < 16; i++)
		if (install(f, n, 0))
			return 1;
	return 0;
}

static int install_file_child(void *arg)
{
	static struct sock_filter f[BPF_MAXINSNS];
	int fd = open((const char *)arg, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 1;
	n = read(fd, f, sizeof(f));
	close(fd);
	if (n <= 0 || n % (ssize_t)sizeof(f[0]))
		return 1;
	return install(f, (unsigned int)(n / (ssize_t)sizeof(f[0])), 0) ? 1 : 0;
}

/* The child's exit may be a syscall its filter kills: the status only
 * tells a failed install (exit code 1) from the rest. */
static int cmd_install(int n, char **files)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		int st = in_child(install_file_child, files[i]);

		if (WIFEXITED(st) && WEXITSTATUS(st) == 1) {
			fail("install", "%s: not installed", files[i]);
			bad = 1;
		}
	}
	return bad;
}

static int cmd_compile(const char *label, int batches)
{
	const char *ns = strcmp(label, "vjit") ? "stock_ns" : "compile_ns";
	const char *cnt = strcmp(label, "vjit") ? "stock" : "compiled";
	long long t0 = counter(ns), n0 = counter(cnt);

	for (int b = 0; b < batches; b++)
		if (in_child(compile_child, NULL))
			return 1;
	printf("compile: %s %.1f us/program (%lld programs of %zu rules)\n", label,
	       (counter(ns) - t0) / 1000.0 / (double)(counter(cnt) - n0),
	       counter(cnt) - n0, ARRAY_SIZE(allow_nrs));
	return 0;
}


/* ---- random eBPF programs through the kernel's interpreter ---- */

#define EI(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/*
 * Registers only and the stack: r0-r9 start from random 64-bit constants,
 * the 8 stack slots below r10 are written first; ALU64/ALU32 with K and X
 * (shift amounts masked first, division by registers left to the
 * semantics), byte swaps, stack loads and stores of every size, forward
 * JMP/JMP32 of every condition. The context is never read.
 */
static unsigned int random_ebpf(struct bpf_insn *p, unsigned int body)
{
	static const uint8_t alu[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR, BPF_AND,
		BPF_XOR, BPF_MOV, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_NEG, BPF_END,
	};
	static const uint8_t jmp[] = {
		BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT,
		BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET,
	}; /* no JA: the verifier rejects the code it would skip */
	static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	unsigned int n = 0, r, end;

	for (r = 0; r <= 9; r++) {
		uint64_t v = rnd();

		if (rnd() % 3 == 0)
			v %= 70;
		p[n++] = EI(BPF_LD | BPF_IMM | BPF_DW, r, 0, 0, (int32_t)v);
		p[n++] = EI(0, 0, 0, 0, (int32_t)(v >> 32));
	}
	for (r = 1; r <= 8; r++)
		p[n++] = EI(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, rnd() % 10, -8 * (int)r, 0);
	end = n + body;
	while (n < end) {
		unsigned int left = end - n, kind = rnd() % 10;
		uint8_t dst = rnd() % 10, src = rnd() % 10;
		int32_t k = (int32_t)rnd();

		if (rnd() % 2)
			k %= 70;
		if (kind < 5) {
			uint8_t op = alu[rnd() % sizeof(alu)];
			uint8_t cls = rnd() & 1 ? BPF_ALU64 : BPF_ALU;
			int use_x = rnd() & 1;
			unsigned int bits = cls == BPF_ALU64 ? 64 : 32;

			if (op == BPF_END) {
				static const int w[] = { 16, 32, 64 };

				p[n++] = EI(BPF_ALU | BPF_END | (rnd() & 1 ? BPF_TO_BE : BPF_TO_LE), dst, 0, 0, w[rnd() % 3]);
				continue;
			}
			if (op == BPF_NEG) {
				p[n++] = EI(cls | BPF_NEG, dst, 0, 0, 0);
				continue;
			}
			if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)) {
				if (use_x) {
					if (left < 2)
						continue;
					p[n++] = EI(BPF_ALU64 | BPF_AND | BPF_K, src, 0, 0, (int32_t)bits - 1);
				} else {
					k = (int32_t)((uint32_t)k % bits);
				}
			}
			if ((op == BPF_DIV || op == BPF_MOD) && !use_x && k == 0)
				k = 7;
			p[n++] = EI(cls | op | (use_x ? BPF_X : BPF_K), dst, use_x ? src : 0, 0, use_x ? 0 : k);
		} else if (kind < 7) {
			uint8_t sz = sizes[rnd() % 4];
			int bytes = sz == BPF_B ? 1 : sz == BPF_H ? 2 : sz == BPF_W ? 4 : 8;
			int16_t off = (int16_t)(-8 * (int)(1 + rnd() % 8) + bytes * (int)(rnd() % (8 / bytes)));

			if (rnd() & 1)
				p[n++] = EI(BPF_LDX | BPF_MEM | sz, dst, BPF_REG_10, off, 0);
			else if (rnd() & 1)
				p[n++] = EI(BPF_STX | BPF_MEM | sz, BPF_REG_10, src, off, 0);
			else
				p[n++] = EI(BPF_ST | BPF_MEM | sz, BPF_REG_10, 0, off, k);
		} else if (left > 1) {
			uint8_t op = jmp[rnd() % sizeof(jmp)];
			uint8_t cls = rnd() & 1 ? BPF_JMP32 : BPF_JMP;
			int use_x = rnd() & 1;
			int16_t off = (int16_t)(rnd() % left); /* forward, stays inside */

			p[n++] = EI(cls | op | (use_x ? BPF_X : BPF_K), dst, use_x ? src : 0, off, use_x ? 0 : k);
		}
	}
	p[n++] = EI(BPF_EXIT | BPF_JMP, 0, 0, 0, 0);
	return n;
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int cmd_ebpf(int count, int jit)
{
	static struct bpf_insn prog[256];
	static char log[1 << 18];
	unsigned char pkt[64] = { 0 };
	int i, loaded = 0;

	rng_state = 0x2545f4914f6cdd1dull;
	if (set_jit(jit)) {
		fail("eBPF random programs", "cannot turn the JIT off");
		return 1;
	}
	for (i = 0; i < count; i++) {
		union bpf_attr a;
		unsigned int n = random_ebpf(prog, 40), j;
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		a.insns = (uint64_t)(uintptr_t)prog;
		a.insn_cnt = n;
		a.license = (uint64_t)(uintptr_t)"GPL";
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
		if (fd < 0) {
			char *line = log, *why = log;

			/* the verifier's reason: the last line before its statistics */
			for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
				*nl = 0;
				if (strncmp(line, "processed ", 10) && *line)
					why = line;
			}
			printf("ebpf-rejected %d %s: %.200s\n", i, strerror(errno), why);
			continue;
		}
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)fd;
		a.test.data_in = (uint64_t)(uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		a.test.repeat = 1;
		if (sys_bpf(BPF_PROG_TEST_RUN, &a)) {
			printf("ebpf-norun %d %s\n", i, strerror(errno));
			close(fd);
			continue;
		}
		close(fd);
		printf("ebpf-prog %d ", i);
		for (j = 0; j < n * sizeof(struct bpf_insn); j++)
			printf("%02x", ((unsigned char *)prog)[j]);
		printf("\nebpf-ret %d 0x%08x\n", i, a.test.retval);
		loaded++;
	}
	set_jit(1);
	printf("ebpf: %d of %d programs accepted and run with the JIT %s\n", loaded, count, jit ? "on" : "off");
	return 0;
}

/* ---- Spectre-BHI barrier: vjit's decision against the stock JIT's ---- */

/* Installs an EPERM-for-getppid filter, as root or as nobody (no caps). */
static int bhi_child(void *arg)
{
	int unprivileged = *(int *)arg;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 10;
	if (unprivileged && (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)))
		return 11;
	if (one_action(SECCOMP_RET_ERRNO | EPERM))
		return 12;
	/* The image runs (and with it clear_bhb_loop, when it has the call). */
	if (syscall(TARGET_NR) != -1 || errno != EPERM)
		return 13;
	return 0;
}

struct bhi_count {
	long long compiled, loop, ibhf;
};

static int write_mode(const char *mode)
{
	return write_file("/sys/module/vjit/parameters/mode", mode);
}

/* Barriers in the image of one filter, compiled by @jit ("stock"/"vjit"). */
static int bhi_one(const char *jit, int unprivileged, struct bhi_count *out)
{
	const int stock = !strcmp(jit, "stock");
	const char *loop = stock ? "stock_bhb_loop" : "bhb_loop";
	const char *ibhf = stock ? "stock_bhb_ibhf" : "bhb_ibhf";
	struct bhi_count a, b;
	int st;

	if (write_mode(stock ? "none" : "seccomp"))
		return -1;
	a.compiled = counter("compiled"), a.loop = counter(loop), a.ibhf = counter(ibhf);
	st = in_child(bhi_child, &unprivileged);
	b.compiled = counter("compiled"), b.loop = counter(loop), b.ibhf = counter(ibhf);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
	out->compiled = b.compiled - a.compiled;
	out->loop = b.loop - a.loop;
	out->ibhf = b.ibhf - a.ibhf;
	return 0;
}

static int cmd_bhi(void)
{
	static const char *const who[] = { "root", "unprivileged" };
	int u;

	for (u = 0; u <= 1; u++) {
		struct bhi_count s, v;
		char name[96];
		int e;

		snprintf(name, sizeof(name), "bhi: %s filter", who[u]);
		if ((e = bhi_one("stock", u, &s)) || (e = bhi_one("vjit", u, &v))) {
			fail(name, "the filter did not install or run (code %d)", e);
			continue;
		}
		printf("bhi: %s: stock JIT loop=%lld ibhf=%lld; vjit loop=%lld ibhf=%lld (compiled %lld)\n",
		       who[u], s.loop, s.ibhf, v.loop, v.ibhf, v.compiled);
		if (v.compiled != 1)
			fail(name, "vjit did not compile it (compiled +%lld)", v.compiled);
		else if (s.loop != v.loop || s.ibhf != v.ibhf)
			fail(name, "barrier differs from the stock JIT's");
		else if (u == 1 && s.loop + s.ibhf == 0)
			fail(name, "the stock JIT emits no barrier here: the test shows nothing");
		else if (u == 0 && s.loop + s.ibhf != 0)
			fail(name, "the stock JIT emits a barrier for root (CAP_SYS_ADMIN)");
		else
			pass(name);
	}
	return failures ? 1 : 0;
}

/* ---- demo ---- */

static int demo_child(void *arg)
{
	struct sock_filter f[] = {
		CHECK_ARCH, LOAD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getuid, 0, 1),
		RET(SECCOMP_RET_ERRNO | EACCES),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM),
		RET(SECCOMP_RET_ALLOW),
	};
	long r;

	printf("demo: policy: getuid -> EACCES; getppid(1) -> EPERM; the rest allowed\n");
	fflush(stdout);
	if (install(f, ARRAY_SIZE(f), 0))
		return 1;
	r = syscall(__NR_getuid);
	printf("demo: getuid()     = %ld (%s)\n", r, r < 0 ? strerror(errno) : "allowed");
	r = syscall(__NR_getppid, 1);
	printf("demo: getppid(1)   = %ld (%s)\n", r, r < 0 ? strerror(errno) : "allowed");
	r = syscall(__NR_getppid, 0);
	printf("demo: getppid(0)   = %ld (%s)\n", r, r < 0 ? strerror(errno) : "allowed");
	r = syscall(__NR_getpid);
	printf("demo: getpid()     = %ld (%s)\n", r, r < 0 ? strerror(errno) : "allowed");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "checks"))
		return cmd_checks(argc >= 3 && !strcmp(argv[2], "--vjit"));
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "stress"))
		return cmd_stress(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "bench"))
		return WEXITSTATUS(in_child(bench_child, argv[2]));
	if (argc == 3 && !strcmp(argv[1], "bench-all"))
		return cmd_bench_all(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "compile"))
		return cmd_compile(argv[2], atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "install"))
		return cmd_install(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "ebpf"))
		return cmd_ebpf(atoi(argv[2]), argc == 4 && !strcmp(argv[3], "--jit"));
	if (argc == 2 && !strcmp(argv[1], "bhi"))
		return cmd_bhi();
	if (argc == 2 && !strcmp(argv[1], "demo"))
		return WEXITSTATUS(in_child(demo_child, NULL));
	fprintf(stderr, "usage: vmtest checks [--vjit] | hold DIR | stress SECS PROCS |"
		" bench LABEL | compile LABEL N | bhi | demo\n");
	return 2;
}
