// SPDX-License-Identifier: GPL-2.0
// The x86-64 JIT behind the C API of core/vjit_jit.h: the driver
// (core/driver.h) instantiated with the x86-64 table for the Concrete
// domain. Freestanding: compiled into vjit.ko and into libvjit_x86_64.a.
#include "core/driver.h"
#include "arch/x86_64/lower.h"

using vjit::x86_64::X86_64;

namespace {

int x86_64_size(struct vjit_jit *j)
{
	return vjit::driver_size<X86_64>(j);
}

int x86_64_emit(struct vjit_jit *j, unsigned char *rw, unsigned long long ro_addr)
{
	return vjit::driver_emit<X86_64>(j, rw, ro_addr);
}

} // namespace

extern "C" const struct vjit_backend vjit_backend_x86_64 = {X86_64::name, x86_64_size, x86_64_emit};
