// SPDX-License-Identifier: GPL-2.0
// The riscv64 JIT behind the C API of core/vjit_jit.h: the driver
// (core/driver.h) instantiated with the riscv64 table for the Concrete
// domain. Freestanding: compiled into vjit.ko and into libvjit_riscv64.a.
#include "core/driver.h"
#include "arch/riscv64/lower.h"

using vjit::riscv64::Riscv64;

namespace {

int riscv64_size(struct vjit_jit *j)
{
	return vjit::driver_size<Riscv64>(j);
}

int riscv64_emit(struct vjit_jit *j, unsigned char *rw, unsigned long long ro_addr)
{
	return vjit::driver_emit<Riscv64>(j, rw, ro_addr);
}

} // namespace

extern "C" const struct vjit_backend vjit_backend_riscv64 = {Riscv64::name, riscv64_size, riscv64_emit};
