// SPDX-License-Identifier: GPL-2.0
// The same policy built with libseccomp's API and exported, for the
// equivalence tests (scplc check on libseccomp's filter) and the benchmark.
#ifndef VJIT_SCPL_LIBSECCOMP_REF_H
#define VJIT_SCPL_LIBSECCOMP_REF_H

#include "scpl/compile.h"

namespace scpl {

// optimize: SCMP_FLTATR_CTL_OPTIMIZE (1: libseccomp's default, 2: binary
// tree). Throws Error when the policy has something libseccomp cannot say
// (x32 action other than badarch's, a masked "!=", ...), in particular
// first-match between rules of different actions for one syscall:
// libseccomp does not try rules in order. naive = true translates such
// rules anyway, rule by rule (what a hand port would do).
Filter libseccomp_filter(const Policy &p, int optimize = 1, bool naive = false);

} // namespace scpl

#endif
