// SPDX-License-Identifier: GPL-2.0
// The riscv64 runner: a small static riscv64 program the host tests run
// under qemu-riscv64-static (named explicitly: no binfmt_misc here). It
// maps the image, data and stack at the fixed addresses of runner_abi.h,
// runs every job of a batch file and writes what each left.
//   runner --info              print the helpers' addresses
//   runner IN OUT              run the batch IN, results to OUT
// A job that faults (SIGSEGV, SIGILL, SIGBUS) or runs for more than a
// second is reported with the signal, and the batch goes on.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "selftests/riscv64/runner_abi.h"

using namespace rv_runner;

namespace {

extern "C" uint64_t runner_helper_mix(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	return helper_mix(a, b, c, d, e);
}
extern "C" uint64_t runner_helper_ret7(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
	return helper_ret7(a, b, c, d, e);
}

sigjmp_buf fault_jmp;
volatile sig_atomic_t fault_sig;

void on_fault(int sig) {
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

// Calls fn(ctx) with sp = ENTRY_SP; s11 keeps our sp (the image follows
// the psABI and preserves it).
uint64_t call_on_stack(uint64_t fn, uint64_t ctx) {
	register uint64_t a0 asm("a0") = ctx;
	register uint64_t t6 asm("t6") = fn;
	register uint64_t t5 asm("t5") = ENTRY_SP;
	asm volatile("mv s11, sp\n\tmv sp, t5\n\tjalr ra, 0(t6)\n\tmv sp, s11"
		     : "+r"(a0), "+r"(t6), "+r"(t5)
		     :
		     : "ra", "t0", "t1", "t2", "t3", "t4", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s11", "memory");
	return a0;
}

bool map_fixed(uint64_t addr, size_t len, int prot) {
	void *p = mmap((void *)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	return p == (void *)addr;
}

} // namespace

int main(int argc, char **argv) {
	if (argc == 2 && !strcmp(argv[1], "--info")) {
		printf("%lx %lx\n", (unsigned long)&runner_helper_mix, (unsigned long)&runner_helper_ret7);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: runner --info | runner IN OUT\n");
		return 2;
	}
	if (!map_fixed(IMAGE_ADDR, IMAGE_CAP, PROT_READ | PROT_WRITE | PROT_EXEC) ||
	    !map_fixed(DATA_ADDR, DATA_BYTES, PROT_READ | PROT_WRITE) ||
	    !map_fixed(STACK_ADDR, STACK_BYTES, PROT_READ | PROT_WRITE)) {
		perror("runner: mmap");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
	if (!in || !out) {
		perror("runner");
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, nullptr);
	sigaction(SIGILL, &sa, nullptr);
	sigaction(SIGBUS, &sa, nullptr);
	sigaction(SIGALRM, &sa, nullptr);
	uint8_t *stack_dump = (uint8_t *)(ENTRY_SP - STACK_DUMP);
	uint32_t len;
	while (fread(&len, 4, 1, in) == 1) {
		if (len > IMAGE_CAP || fread((void *)IMAGE_ADDR, 1, len, in) != len ||
		    fread((void *)DATA_ADDR, 1, DATA_BYTES, in) != DATA_BYTES ||
		    fread(stack_dump, 1, STACK_DUMP, in) != STACK_DUMP) {
			fprintf(stderr, "runner: truncated job\n");
			return 2;
		}
		__builtin___clear_cache((char *)IMAGE_ADDR, (char *)IMAGE_ADDR + len);
		uint64_t r = 0;
		uint32_t status = 0;
		fault_sig = 0;
		if (sigsetjmp(fault_jmp, 1) == 0) {
			alarm(1);
			r = call_on_stack(IMAGE_ADDR, DATA_ADDR);
			alarm(0);
		} else {
			alarm(0);
			status = (uint32_t)fault_sig;
		}
		fwrite(&r, 8, 1, out);
		fwrite(&status, 4, 1, out);
		fwrite((void *)DATA_ADDR, 1, DATA_BYTES, out);
		fwrite(stack_dump, 1, STACK_DUMP, out);
	}
	fclose(out);
	return 0;
}
