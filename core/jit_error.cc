// SPDX-License-Identifier: GPL-2.0
// The C API's error names (core/vjit_jit.h), one definition for every
// backend. Freestanding.
#include "core/driver.h"

extern "C" const char *vjit_jit_error_name(int error)
{
	return vjit::driver_error_name(error);
}
