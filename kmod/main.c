// SPDX-License-Identifier: GPL-2.0
/*
 * vjit.ko: compiles BPF programs with vjit's verified code generator in
 * place of the kernel's own JIT, on a stock kernel.
 *
 * Flow, for every program the kernel JITs (bpf_int_jit_compile, hooked):
 *   1. does the mode take it, does vjit support what it needs? else call
 *      through to the kernel's JIT and count the reason;
 *   2. constant blinding, as the kernel's JITs do (bpf_jit_harden);
 *   3. the arch backend compiles it into the kernel's own JIT memory; on any
 *      failure the blinded copy is dropped and the kernel's JIT gets the
 *      original, the reason counted.
 * Never the interpreter silently: a program vjit refuses is always offered
 * to the kernel's JIT, which decides as it would without vjit.
 */
#include <linux/bpf.h>
#include <linux/delay.h>
#include <linux/filter.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "vjit_diag_kmod.h"

/* ---- which programs vjit takes: the "mode" parameter ---- */

enum vjit_mode {
	VJIT_MODE_NONE,    /* nothing: everything calls through (hook only) */
	VJIT_MODE_SECCOMP, /* seccomp filters */
	VJIT_MODE_CLASSIC, /* every program converted from classic BPF */
	VJIT_MODE_ALL,     /* every eBPF program vjit supports */
	VJIT_MODE_NR,
};

static const char *const vjit_mode_names[VJIT_MODE_NR] = {
	[VJIT_MODE_NONE] = "none",
	[VJIT_MODE_SECCOMP] = "seccomp",
	[VJIT_MODE_CLASSIC] = "classic",
	[VJIT_MODE_ALL] = "all",
};

static int vjit_mode = VJIT_MODE_SECCOMP;

static int vjit_mode_set(const char *val, const struct kernel_param *kp)
{
	int i;

	for (i = 0; i < VJIT_MODE_NR; i++) {
		if (sysfs_streq(val, vjit_mode_names[i])) {
			WRITE_ONCE(vjit_mode, i);
			return 0;
		}
	}
	pr_err("vjit: mode must be one of none, seccomp, classic, all\n");
	return -EINVAL;
}

static int vjit_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", vjit_mode_names[READ_ONCE(vjit_mode)]);
}

static const struct kernel_param_ops vjit_mode_ops = {
	.set = vjit_mode_set,
	.get = vjit_mode_get,
};
module_param_cb(mode, &vjit_mode_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "programs vjit compiles: none, seccomp (default), "
		 "classic (seccomp and socket filters), all (every eBPF program)");

static bool vjit_verbose;
module_param_named(verbose, vjit_verbose, bool, 0644);
MODULE_PARM_DESC(verbose, "log every program vjit cannot compile (reason, size)");

static bool vjit_log_sizes;
module_param_named(log_sizes, vjit_log_sizes, bool, 0644);
MODULE_PARM_DESC(log_sizes, "log the native size of every program JITed, "
		 "by vjit or the kernel's JIT (make bench's per-program sizes)");

/* "vjit: size: <who> <insns> <bytes>", one line per JITed program. */
static void vjit_log_size(const char *who, const struct bpf_prog *prog)
{
	if (READ_ONCE(vjit_log_sizes))
		pr_info("vjit: size: %s %u %u\n", who, prog->len, prog->jited_len);
}

/* ---- kernel symbols every architecture needs ---- */

vjit_jit_fn vjit_stock_jit;
static typeof(&bpf_jit_blind_constants) k_blind_constants;
static typeof(&bpf_jit_prog_release_other) k_prog_release_other;

struct vjit_stats vjit_stats;

/* Tasks inside vjit_compile(); rmmod waits for them (see vjit_exit). */
static atomic_t vjit_inflight = ATOMIC_INIT(0);

/*
 * A program seccomp built from a classic filter. Seccomp's classic checker
 * only lets a filter read struct seccomp_data with aligned 32-bit loads, so
 * after conversion every context access is "A = *(u32 *)(ctx + k)" with
 * k < 64, and there are no packet loads or helper calls. A socket filter
 * reads the skb (packet loads, ancillary fields outside those 64 bytes);
 * one that reads nothing only returns constants and is classed as seccomp,
 * which is harmless: it is compiled the same way.
 */
static bool vjit_seccomp_shaped(const struct bpf_prog *prog)
{
	u32 i;

	if (!bpf_prog_was_classic(prog))
		return false;
	for (i = 0; i < prog->len; i++) {
		const struct bpf_insn *in = &prog->insnsi[i];
		u8 cls = BPF_CLASS(in->code);

		if (cls == BPF_LD && in->code != (BPF_LD | BPF_IMM | BPF_DW))
			return false; /* LD_ABS / LD_IND: packet data */
		if (cls == BPF_JMP && BPF_OP(in->code) == BPF_CALL)
			return false;
		if (cls == BPF_LDX && in->src_reg == BPF_REG_CTX &&
		    (in->code != (BPF_LDX | BPF_MEM | BPF_W) || in->off < 0 ||
		     in->off > 60 || (in->off & 3)))
			return false;
	}
	return true;
}

static bool vjit_has_tail_call(const struct bpf_prog *prog)
{
	u32 i;

	if (prog->aux->size_poke_tab)
		return true;
	for (i = 0; i < prog->len; i++)
		if (prog->insnsi[i].code == (BPF_JMP | BPF_TAIL_CALL))
			return true;
	return false;
}

/* 0 when vjit takes @prog, else the reason it goes to the kernel's JIT. */
static int vjit_refusal(const struct bpf_prog *prog)
{
	switch (READ_ONCE(vjit_mode)) {
	case VJIT_MODE_SECCOMP:
		if (!vjit_seccomp_shaped(prog))
			return VJIT_R_MODE;
		break;
	case VJIT_MODE_CLASSIC:
		if (!bpf_prog_was_classic(prog))
			return VJIT_R_MODE;
		break;
	case VJIT_MODE_ALL:
		break;
	default:
		return VJIT_R_MODE;
	}
	if (!prog->jit_requested)
		return VJIT_R_NOT_REQUESTED;
	if (prog->is_func || prog->aux->func_cnt)
		return VJIT_R_SUBPROG;
	if (vjit_has_tail_call(prog))
		return VJIT_R_TAIL_CALL;
	if (prog->aux->num_exentries)
		return VJIT_R_EXTABLE;
	if (!vjit_arch_backend_linked())
		return VJIT_R_NO_BACKEND;
	return 0;
}

/*
 * The call-through. noinline, and the result is used after the call, so it
 * is a real call from module text: the ftrace guard sees a module caller
 * and lets the kernel's JIT run.
 */
static noinline struct bpf_prog *vjit_call_stock(struct bpf_prog *prog,
						 int reason)
{
	struct bpf_prog *res;
	u64 t0;

	atomic64_inc(&vjit_stats.fallback[reason]);
	atomic64_inc(&vjit_stats.stock);
	if (READ_ONCE(vjit_verbose) && reason != VJIT_R_MODE)
		pr_info("vjit: to the kernel's JIT (%s): %s program, %u insns\n",
			vjit_reason_name(reason),
			bpf_prog_was_classic(prog) ? "classic" : "eBPF",
			prog->len);
	t0 = ktime_get_ns();
	res = vjit_stock_jit(prog);
	atomic64_add(ktime_get_ns() - t0, &vjit_stats.stock_ns);
	if (res->jited) {
		atomic64_inc(&vjit_stats.stock_jited);
		atomic64_add(res->jited_len, &vjit_stats.stock_bytes);
		vjit_log_size("stock", res);
		vjit_arch_inspect_stock(res);
	}
	return res;
}

static struct bpf_prog *vjit_take(struct bpf_prog *prog)
{
	struct bpf_prog *tmp;
	int reason;
	u64 t0;

	reason = vjit_refusal(prog);
	if (reason)
		return vjit_call_stock(prog, reason);

	t0 = ktime_get_ns();
	tmp = k_blind_constants(prog);
	if (IS_ERR(tmp))
		return vjit_call_stock(prog, VJIT_R_BLINDING);

	reason = vjit_arch_compile(tmp);
	if (reason) {
		if (tmp != prog)
			k_prog_release_other(prog, tmp);
		return vjit_call_stock(prog, reason);
	}
	if (tmp != prog) {
		k_prog_release_other(tmp, prog);
		atomic64_inc(&vjit_stats.blinded);
	}
	atomic64_add(ktime_get_ns() - t0, &vjit_stats.compile_ns);
	atomic64_add(tmp->jited_len, &vjit_stats.native_bytes);
	atomic64_inc(&vjit_stats.compiled);
	vjit_log_size("vjit", tmp);
	return tmp;
}

/* What bpf_int_jit_compile runs while vjit is loaded. */
static struct bpf_prog *vjit_compile(struct bpf_prog *prog)
{
	struct bpf_prog *res;

	atomic_inc(&vjit_inflight);
	res = vjit_take(prog);
	atomic_dec(&vjit_inflight);
	return res;
}

static const char *const vjit_reason_names[VJIT_R_JIT_BASE] = {
	[VJIT_R_NONE] = "none",
	[VJIT_R_MODE] = "mode",
	[VJIT_R_NOT_REQUESTED] = "not_requested",
	[VJIT_R_BLINDING] = "blinding",
	[VJIT_R_SUBPROG] = "subprog",
	[VJIT_R_TAIL_CALL] = "tail_call",
	[VJIT_R_EXTABLE] = "extable",
	[VJIT_R_NO_BACKEND] = "no_backend",
	[VJIT_R_ALLOC] = "alloc",
	[VJIT_R_FINALIZE] = "finalize",
	[VJIT_R_LEN_MISMATCH] = "len_mismatch",
	[VJIT_R_TAIL_CALL_ENTRY] = "tail_call_entry",
	[VJIT_R_TRAMPOLINE] = "trampoline_target",
};

int vjit_jit_reason(int error)
{
	if (error <= 0 || error >= VJIT_E_NR)
		error = VJIT_E_BAD_PROGRAM;
	return VJIT_R_JIT_BASE + error - 1;
}

int vjit_jit_init(struct vjit_jit *j, const struct bpf_prog *prog)
{
	j->addrs = kvmalloc_array(prog->len + 1, sizeof(*j->addrs), GFP_KERNEL);
	if (!j->addrs)
		return vjit_jit_reason(VJIT_E_NO_MEMORY);
	j->insns = prog->insnsi;
	j->len = prog->len;
	j->stack_depth = prog->aux->stack_depth;
	j->call_base = (unsigned long)__bpf_call_base;
	j->flags = VJIT_F_KERNEL;
	j->isa = VJIT_ISA_LEVEL;
	return 0;
}

/* Backend errors are named by the backend (vjit_jit_error_name). */
const char *vjit_reason_name(int reason)
{
	if (reason >= 0 && reason < VJIT_R_JIT_BASE)
		return vjit_reason_names[reason];
	if (reason >= VJIT_R_JIT_BASE && reason < VJIT_R_NR)
		return vjit_arch_jit_error_name(reason - VJIT_R_JIT_BASE + 1);
	return "unknown";
}

static int __init vjit_init(void)
{
	unsigned long jit;
	int err;

	err = vjit_ksyms_init();
	if (err)
		return err;
	jit = vjit_lookup("bpf_int_jit_compile");
	k_blind_constants = (void *)vjit_lookup("bpf_jit_blind_constants");
	k_prog_release_other = (void *)vjit_lookup("bpf_jit_prog_release_other");
	if (!jit || !k_blind_constants || !k_prog_release_other) {
		pr_err("vjit: kernel symbol missing:%s%s%s; refusing to load\n",
		       jit ? "" : " bpf_int_jit_compile",
		       k_blind_constants ? "" : " bpf_jit_blind_constants",
		       k_prog_release_other ? "" : " bpf_jit_prog_release_other");
		return -ENOENT;
	}
	vjit_stock_jit = (vjit_jit_fn)jit;

	err = vjit_arch_init();
	if (err)
		return err;
	err = vjit_stats_init();
	if (err)
		return err;
	err = vjit_hook_install(jit, vjit_compile);
	if (err) {
		vjit_stats_exit();
		return err;
	}
	vjit_diag_init();
	pr_info("vjit: loaded, mode %s, code generator %s\n",
		vjit_mode_names[READ_ONCE(vjit_mode)],
		vjit_arch_backend_linked() ? "linked" : "absent (call-through only)");
	return 0;
}

/*
 * Unloading while other CPUs install filters. Images vjit made belong to
 * the kernel's JIT allocator and stay valid; what must not survive is a
 * task still running module text:
 *   1. remove the hook: no new task enters (ftrace waits for tasks on its
 *      trampoline);
 *   2. a task redirected just before may not have counted itself yet:
 *      RCU-tasks waits until every task has switched voluntarily, which it
 *      can only do after the increment;
 *   3. wait for the in-flight count to drain;
 *   4. again RCU-tasks, for tasks between the decrement and their return.
 */
static void __exit vjit_exit(void)
{
	vjit_diag_exit();
	vjit_hook_remove();
	synchronize_rcu_tasks();
	while (atomic_read(&vjit_inflight))
		msleep(1);
	synchronize_rcu_tasks();
	vjit_stats_exit();
	pr_info("vjit: unloaded (%lld programs compiled)\n",
		(long long)atomic64_read(&vjit_stats.compiled));
}

module_init(vjit_init);
module_exit(vjit_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vjit: a verified BPF JIT for seccomp filters and eBPF");
