// SPDX-License-Identifier: GPL-2.0
// vjit-runner-arm64: runs JITted arm64 images for a host of another arch,
// under qemu-aarch64-static (static, so that the emulator needs no arm64
// libraries). The protocol is user/foreign_run.h's:
//
//   vjit-runner-arm64 --helpers          prints the test helpers' addresses
//   vjit-runner-arm64 REQUEST RESPONSE   runs every job of REQUEST
//
// Each job maps its regions and its image at the addresses it names (the
// host's interpreter uses the same numbers), calls the image with x0 = ctx
// on a stack whose top is the given sp, and reports r0 (or the signal, or a
// timeout) and the regions' bytes afterwards.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAGIC 0x31524a56u /* "VJR1" */
#define MAX_REGIONS 8

// The helpers of the tests (selftests/*/harness), the same functions as
// the host's.
uint64_t helper_base(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)b, (void)c, (void)d, (void)e;
	return a;
}
uint64_t helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a * 3 + (b ^ 0x5555) - (c << 2) + (d >> 1) + e * 7;
}
uint64_t helper_ret7(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	return 7;
}

// fn(ctx) with sp = stack_top; x28 keeps the caller's sp (callee saved,
// so a correct image leaves it alone).
uint64_t call_on_stack(uint64_t fn, uint64_t ctx, uint64_t stack_top);
__asm__(".text\n"
	".globl call_on_stack\n"
	"call_on_stack:\n"
	"	stp x29, x30, [sp, #-16]!\n"
	"	stp x27, x28, [sp, #-16]!\n"
	"	mov x28, sp\n"
	"	mov x3, x0\n"
	"	mov x0, x1\n"
	"	mov sp, x2\n"
	"	blr x3\n"
	"	mov sp, x28\n"
	"	ldp x27, x28, [sp], #16\n"
	"	ldp x29, x30, [sp], #16\n"
	"	ret\n");

static sigjmp_buf on_fault;
static volatile sig_atomic_t fault_sig;

static void fault(int sig)
{
	fault_sig = sig;
	siglongjmp(on_fault, 1);
}

struct region {
	uint64_t addr;
	uint32_t len;
	uint8_t *map;
	size_t map_len;
};

static int rd(FILE *f, void *p, size_t n) { return fread(p, 1, n, f) == n ? 0 : -1; }

// Maps [addr, addr + len) (page-rounded) at exactly that address.
static uint8_t *map_at(uint64_t addr, size_t len, int prot, size_t *map_len)
{
	const uint64_t page = 4096, lo = addr & ~(page - 1);
	*map_len = (size_t)((addr + len + page - 1) / page * page - lo);
	void *p = mmap((void *)(uintptr_t)lo, *map_len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)lo)
		return NULL;
	return (uint8_t *)p + (addr - lo);
}

enum { OK = 0, SIGNAL = 1, TIMEOUT = 2, BAD_REQUEST = 3 };

// One job: read it, run it, write its result. -1: the request is unreadable.
static int run_job(FILE *in, FILE *out)
{
	uint64_t image_addr, ctx, sp;
	uint32_t image_len, n_regions;
	if (rd(in, &image_addr, 8) || rd(in, &image_len, 4) || rd(in, &n_regions, 4) || rd(in, &ctx, 8) ||
	    rd(in, &sp, 8) || n_regions > MAX_REGIONS || image_len > (64u << 20))
		return -1;
	struct region r[MAX_REGIONS];
	uint32_t status = OK, sig = 0;
	uint64_t r0 = 0;
	unsigned mapped = 0;
	size_t image_map_len = 0;
	uint8_t *image = map_at(image_addr, image_len, PROT_READ | PROT_WRITE | PROT_EXEC, &image_map_len);
	if (!image || rd(in, image, image_len))
		status = BAD_REQUEST;
	for (unsigned i = 0; i < n_regions; i++) {
		if (rd(in, &r[i].addr, 8) || rd(in, &r[i].len, 4) || r[i].len > (16u << 20))
			return -1;
		r[i].map = map_at(r[i].addr, r[i].len, PROT_READ | PROT_WRITE, &r[i].map_len);
		if (!r[i].map) {
			status = BAD_REQUEST;
			fseek(in, r[i].len, SEEK_CUR);
			continue;
		}
		mapped = i + 1;
		if (rd(in, r[i].map, r[i].len))
			return -1;
	}
	if (status == OK) {
		__builtin___clear_cache((char *)image, (char *)image + image_len);
		if (sigsetjmp(on_fault, 1) == 0) {
			alarm(5);
			r0 = call_on_stack(image_addr, ctx, sp);
			alarm(0);
		} else {
			alarm(0);
			status = fault_sig == SIGALRM ? TIMEOUT : SIGNAL;
			sig = (uint32_t)fault_sig;
		}
	}
	fwrite(&status, 4, 1, out);
	fwrite(&sig, 4, 1, out);
	fwrite(&r0, 8, 1, out);
	for (unsigned i = 0; i < n_regions; i++) {
		if (i < mapped && r[i].map)
			fwrite(r[i].map, 1, r[i].len, out);
		else
			for (uint32_t k = 0; k < r[i].len; k++)
				fputc(0, out);
	}
	for (unsigned i = 0; i < mapped; i++)
		if (r[i].map)
			munmap((void *)((uintptr_t)r[i].map & ~(uintptr_t)4095), r[i].map_len);
	if (image)
		munmap((void *)((uintptr_t)image & ~(uintptr_t)4095), image_map_len);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--helpers")) {
		printf("%llx %llx %llx\n", (unsigned long long)(uintptr_t)helper_base,
		       (unsigned long long)(uintptr_t)helper_mix, (unsigned long long)(uintptr_t)helper_ret7);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s --helpers | REQUEST RESPONSE\n", argv[0]);
		return 2;
	}
	static uint8_t altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fault;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGALRM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
	uint32_t magic, n;
	if (!in || !out || rd(in, &magic, 4) || rd(in, &n, 4) || magic != MAGIC) {
		fprintf(stderr, "%s: bad request\n", argv[0]);
		return 2;
	}
	for (uint32_t i = 0; i < n; i++)
		if (run_job(in, out)) {
			fprintf(stderr, "%s: bad request at job %u\n", argv[0], i);
			return 2;
		}
	return fclose(out) == 0 ? 0 : 2;
}
