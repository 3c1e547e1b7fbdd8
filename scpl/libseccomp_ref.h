// SPDX-License-Identifier: GPL-2.0
// The same policy built with libseccomp's API and exported, for the
// equivalence tests (scplc check on libseccomp's filter) and the benchmark.
#ifndef VJIT_SCPL_LIBSECCOMP_REF_H
#define VJIT_SCPL_LIBSECCOMP_REF_H

#include "scpl/compile.h"

namespace scpl {

// optimize: SCMP_FLTATR_CTL_OPTIMIZE (1: libseccomp's default, 2: binary
// tree). Throws Error when the policy has something libseccomp cannot say
// (x32 action other than badarch's, a masked "!=", ...).
Filter libseccomp_filter(const Policy &p, int optimize = 1);

} // namespace scpl

#endif
