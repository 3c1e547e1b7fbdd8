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
// Actions: allow, log, kill-process (kill), kill-thread, trap, errno(N|NAME),
// trace(N), user-notif. Conditions compare the unsigned 64-bit arguments
// arg0..arg5 (optionally masked) with ==, !=, <, <=, >, >=, `in {…}`,
// `not in {…}`, and combine with &&, ||, !. For each syscall the rules apply
// in source order, the first whose condition holds decides; a rule after an
// unconditional one for the same syscall is an error.
#ifndef VJIT_SCPL_PARSER_H
#define VJIT_SCPL_PARSER_H

#include <string>

#include "scpl/policy.h"

namespace scpl {

Policy parse_file(const std::string &path);
Policy parse_string(const std::string &text, const std::string &name = "<string>");

} // namespace scpl

#endif
