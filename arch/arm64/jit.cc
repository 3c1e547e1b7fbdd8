// SPDX-License-Identifier: GPL-2.0
// The arm64 JIT behind the C API of core/vjit_jit.h: the driver
// (core/driver.h) instantiated with the arm64 table for the Concrete
// domain. Freestanding: compiled into vjit.ko and into libvjit_arm64.a.
#include "core/driver.h"
#include "arch/arm64/lower.h"

using vjit::arm64::Arm64;

namespace {

int arm64_size(struct vjit_jit *j)
{
	return vjit::driver_size<Arm64>(j);
}

int arm64_emit(struct vjit_jit *j, unsigned char *rw, unsigned long long ro_addr)
{
	return vjit::driver_emit<Arm64>(j, rw, ro_addr);
}

} // namespace

extern "C" const struct vjit_backend vjit_backend_arm64 = {Arm64::name, arm64_size, arm64_emit};
