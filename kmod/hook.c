// SPDX-License-Identifier: GPL-2.0
/*
 * Redirecting the kernel's bpf_int_jit_compile to vjit with ftrace.
 *
 * The ftrace callback moves the saved instruction pointer to vjit's compile
 * function, except when the call comes from this module: that is vjit
 * calling through to the kernel's own JIT (the recursion guard). The
 * call-through must therefore be a real call from module text, never a
 * tail call (see main.c).
 */
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/printk.h>
#include "vjit_kmod.h"

static unsigned long hook_target;
static unsigned long hook_replacement;

static void notrace vjit_ftrace_redirect(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (within_module(parent_ip, THIS_MODULE))
		return;
	instruction_pointer_set(regs, hook_replacement);
}

static struct ftrace_ops vjit_ops = {
	.func = vjit_ftrace_redirect,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION |
		 FTRACE_OPS_FL_IPMODIFY,
};

int vjit_hook_install(unsigned long target, void *replacement)
{
	int err;

	hook_target = target;
	hook_replacement = (unsigned long)replacement;
	err = ftrace_set_filter_ip(&vjit_ops, target, 0, 0);
	if (err) {
		pr_err("vjit: cannot trace bpf_int_jit_compile (%d)\n", err);
		return err;
	}
	err = register_ftrace_function(&vjit_ops);
	if (err) {
		pr_err("vjit: cannot hook bpf_int_jit_compile (%d); is another "
		       "module (livepatch?) modifying it?\n", err);
		ftrace_set_filter_ip(&vjit_ops, target, 1, 0);
		return err;
	}
	return 0;
}

void vjit_hook_remove(void)
{
	unregister_ftrace_function(&vjit_ops);
	ftrace_set_filter_ip(&vjit_ops, hook_target, 1, 0);
}
