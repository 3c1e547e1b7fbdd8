// SPDX-License-Identifier: GPL-2.0
// SCPL, the syscall policy language: parsing and name resolution.
//
//   # comments run to the end of the line
//   arch x86_64, i386              # default: x86_64
//   default errno(EPERM)           # when no rule applies (default: kill-process)
//   badarch kill-process           # arch not listed (default: kill-process)
//   x32 kill-process               # x32 syscalls on x86_64 (default: badarch's)
//   include "base.scpl"            # relative to this file
//   const MY_FLAG = 0x40
//   set @stdio = { read, write, close, @time }
//   allow @stdio, getpid, 39
//   errno(EACCES) openat if arg2 & O_ACCMODE != O_RDONLY
//   allow socket if arg0 in { AF_UNIX, AF_INET, AF_INET6 }
//   kill-thread clone if (arg0 & CLONE_NEWUSER) != 0 || !(arg1 == 0)
//
//   trap(3) ptrace                 # SECCOMP_RET_TRAP | 3: si_errno tells reasons apart
//   errno(ENOSYS) 0x40000200, -1   # any 32-bit number, x32 area included
//   allow mmap if arg2 & ~(PROT_READ | PROT_WRITE) == 0
//
// Actions: allow, log, kill-process (kill), kill-thread, trap, trap(N),
// errno(N|NAME) (N <= 4095), trace(N), user-notif. Constants are unsigned
// 64-bit expressions of numbers and names (the kernel's UAPI MADV_*,
// FUTEX_*, MAP_*, PROT_*, O_*, SOCK_*, AF_*, IP_*, IPV6_*, ... and `const`
// names) with |, <<, >>, ~ and unary -. On x86_64 a number at or above
// 0x40000000 (the x32 area) gets its own rules, and the x32 action when none
// holds. Conditions compare the unsigned 64-bit arguments
// arg0..arg5 (optionally masked) with ==, !=, <, <=, >, >=, `in {…}`,
// `not in {…}`, and combine with &&, ||, !. For each syscall the rules apply
// in source order, the first whose condition holds decides; a rule after an
// unconditional one for the same syscall is an error (a warning with
// ParseOptions::allow_shadowed).
#ifndef VJIT_SCPL_PARSER_H
#define VJIT_SCPL_PARSER_H

#include <string>

#include "scpl/policy.h"

namespace scpl {

struct ParseOptions {
	// A rule that can never apply (an earlier unconditional rule for the
	// same syscall decides first) is a warning, not an error: for
	// translations of existing filters, which may carry dead rules.
	bool allow_shadowed = false;
};

Policy parse_file(const std::string &path, const ParseOptions &opt = {});
Policy parse_string(const std::string &text, const std::string &name = "<string>",
		    const ParseOptions &opt = {});

} // namespace scpl

#endif
