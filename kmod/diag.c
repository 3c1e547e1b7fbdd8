// SPDX-License-Identifier: GPL-2.0
/*
 * INET-DIAG: the bytecode of a socket dump (what `ss` sends for a filter)
 * translated by core/ (vjit_diag_translate, proved per op by vjit-verify
 * --inet-diag), compiled by the backend, and run for every socket in
 * place of the kernel's interpreter. Switched on by the "diag" parameter.
 *
 * Three functions of inet_diag.ko are redirected with ftrace:
 *   __inet_diag_dump_start  after the kernel's own audit accepted the
 *                           request, bind its bytecode to compiled code
 *                           (compiled now, or shared with a running dump
 *                           of the same bytes);
 *   inet_diag_bc_sk         per socket: run the bound code on an entry
 *                           filled as the kernel fills its own; bytecode
 *                           without code runs on the kernel's interpreter
 *                           (counted);
 *   inet_diag_dump_done     unbind; code no dump uses any more is freed
 *                           after an RCU grace period.
 * A request the kernel's audit refuses never starts a dump, so it stays
 * refused. Every call-through is a real call from module text (see
 * hook.c for why).
 */
#include <linux/bpf.h>
#include <linux/cgroup.h>
#include <linux/ftrace.h>
#include <linux/hashtable.h>
#include <linux/inet_diag.h>
#include <linux/jhash.h>
#include <linux/kmod.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include "vjit_diag_kmod.h"

static bool vjit_diag_on;
module_param_named(diag, vjit_diag_on, bool, 0644);
MODULE_PARM_DESC(diag, "compile INET-DIAG bytecode (socket dump filters, ss) with vjit");

/* Compiled code for one bytecode, shared by the dumps bound to it. */
struct vjit_diag_prog {
	struct hlist_node node;    /* in diag_progs, by the bytes' hash */
	struct rcu_work free_work;
	unsigned int users;        /* dumps bound to it; under diag_mutex */
	struct vjit_diag_image img;
	u32 hash;
	u32 len;
	u8 bytes[];
};

/* A running dump's bytecode (its nlattr) and its code. */
struct vjit_diag_binding {
	struct hlist_node node;  /* in diag_bindings, by the nlattr's address */
	const struct nlattr *bc;
	struct vjit_diag_prog *prog;
	struct rcu_head rcu;
};

static DEFINE_MUTEX(diag_mutex);
static DEFINE_HASHTABLE(diag_progs, 6);
static DEFINE_HASHTABLE(diag_bindings, 8);
static struct workqueue_struct *diag_wq;

/* Counters: /sys/kernel/vjit/diag/ */
static atomic64_t diag_compiled, diag_shared, diag_freed, diag_native_bytes, diag_compile_ns;
static atomic64_t diag_fallback[VJIT_DIAG_R_NR];
static DEFINE_PER_CPU(u64, diag_runs);    /* sockets filtered by vjit's code */
static DEFINE_PER_CPU(u64, diag_interp);  /* ... by the kernel's interpreter */
static DEFINE_PER_CPU(u64, diag_accepted);         /* ... of diag_runs, accepted */
static DEFINE_PER_CPU(u64, diag_interp_accepted);  /* ... of diag_interp, accepted */

typedef int (*bc_sk_fn)(const struct nlattr *bc, struct sock *sk);
typedef int (*dump_start_fn)(struct netlink_callback *cb, int hdrlen);
typedef int (*dump_done_fn)(struct netlink_callback *cb);
static bc_sk_fn k_bc_sk;
static dump_start_fn k_dump_start;
static dump_done_fn k_dump_done;

/* ---- the entry, as inet_diag_bc_sk fills its own ---- */

static void vjit_diag_fill(struct vjit_diag_entry *e, struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(e, 0, sizeof(*e));
	e->family = sk->sk_family;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		memcpy(e->saddr, sk->sk_v6_rcv_saddr.s6_addr32, sizeof(e->saddr));
		memcpy(e->daddr, sk->sk_v6_daddr.s6_addr32, sizeof(e->daddr));
	} else
#endif
	{
		e->saddr[0] = sk->sk_rcv_saddr;
		e->daddr[0] = sk->sk_daddr;
	}
	e->sport = inet->inet_num;
	e->dport = ntohs(inet->inet_dport);
	e->ifindex = sk->sk_bound_dev_if;
	e->userlocks = sk_fullsock(sk) ? sk->sk_userlocks : 0;
	if (sk_fullsock(sk))
		e->mark = READ_ONCE(sk->sk_mark);
	else if (sk->sk_state == TCP_NEW_SYN_RECV)
		e->mark = inet_rsk(inet_reqsk(sk))->ir_mark;
	else if (sk->sk_state == TCP_TIME_WAIT)
		e->mark = inet_twsk(sk)->tw_mark;
#ifdef CONFIG_SOCK_CGROUP_DATA
	e->cgroup_id = sk_fullsock(sk) ?
		cgroup_id(sock_cgroup_ptr(&sk->sk_cgrp_data)) : 0;
#endif
}

/* ---- compiling, caching, freeing ---- */

static void vjit_diag_prog_free(struct work_struct *w)
{
	struct vjit_diag_prog *p =
		container_of(to_rcu_work(w), struct vjit_diag_prog, free_work);

	vjit_diag_arch_free(&p->img);
	kfree(p);
	atomic64_inc(&diag_freed);
}

/* 0, or an enum vjit_diag_reason. */
static int vjit_diag_compile(struct vjit_diag_prog *p)
{
	unsigned int *work, n = 0;
	struct bpf_insn *insns = NULL;
	int err, reason = VJIT_DIAG_R_ALLOC;

	work = kvmalloc_array(p->len / 4 + 2, sizeof(*work), GFP_KERNEL);
	if (!work)
		return VJIT_DIAG_R_ALLOC;
	err = vjit_diag_translate(p->bytes, p->len, NULL, 0, &n, work);
	if (!err) {
		insns = kvmalloc_array(n, sizeof(*insns), GFP_KERNEL);
		if (!insns)
			goto out;
		err = vjit_diag_translate(p->bytes, p->len, insns, n, &n, work);
	}
	if (err) {
		reason = err == VJIT_DIAG_TOO_LARGE ? VJIT_DIAG_R_TOO_LARGE : VJIT_DIAG_R_AUDIT;
		goto out;
	}
	reason = vjit_diag_arch_compile(insns, n, &p->img);
out:
	kvfree(insns);
	kvfree(work);
	return reason;
}

static struct vjit_diag_prog *vjit_diag_find(const void *bytes, u32 len, u32 hash)
{
	struct vjit_diag_prog *p;

	hash_for_each_possible(diag_progs, p, node, hash)
		if (p->hash == hash && p->len == len && !memcmp(p->bytes, bytes, len))
			return p;
	return NULL;
}

/* The code for a dump's bytecode: shared, or compiled now. Under diag_mutex. */
static struct vjit_diag_prog *vjit_diag_get(const struct nlattr *bc)
{
	const void *bytes = nla_data(bc);
	u32 len = nla_len(bc), hash = jhash(bytes, len, 0);
	struct vjit_diag_prog *p = vjit_diag_find(bytes, len, hash);
	int reason;
	u64 t0;

	if (p) {
		atomic64_inc(&diag_shared);
		p->users++;
		return p;
	}
	p = kzalloc(sizeof(*p) + len, GFP_KERNEL);
	if (!p) {
		atomic64_inc(&diag_fallback[VJIT_DIAG_R_ALLOC]);
		return NULL;
	}
	p->hash = hash;
	p->len = len;
	memcpy(p->bytes, bytes, len);
	t0 = ktime_get_ns();
	reason = vjit_diag_compile(p);
	if (reason) {
		atomic64_inc(&diag_fallback[reason]);
		kfree(p);
		return NULL;
	}
	atomic64_add(ktime_get_ns() - t0, &diag_compile_ns);
	atomic64_add(p->img.size, &diag_native_bytes);
	atomic64_inc(&diag_compiled);
	INIT_RCU_WORK(&p->free_work, vjit_diag_prog_free);
	p->users = 1;
	hash_add(diag_progs, &p->node, hash);
	return p;
}

static void vjit_diag_put(struct vjit_diag_prog *p)
{
	if (--p->users)
		return;
	hash_del(&p->node);
	queue_rcu_work(diag_wq, &p->free_work);
}

static struct vjit_diag_binding *vjit_diag_binding_of(const struct nlattr *bc)
{
	struct vjit_diag_binding *b;

	hash_for_each_possible_rcu(diag_bindings, b, node, (unsigned long)bc)
		if (b->bc == bc)
			return b;
	return NULL;
}

static const struct nlattr *vjit_diag_bytecode(struct netlink_callback *cb)
{
	struct inet_diag_dump_data *data = cb->data;

	return data ? data->inet_diag_nla_bc : NULL;
}

static void vjit_diag_bind(struct netlink_callback *cb)
{
	const struct nlattr *bc = vjit_diag_bytecode(cb);
	struct vjit_diag_binding *b;

	if (!bc)
		return;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return;
	mutex_lock(&diag_mutex);
	if (!vjit_diag_binding_of(bc))
		b->prog = vjit_diag_get(bc);
	if (b->prog) {
		b->bc = bc;
		hash_add_rcu(diag_bindings, &b->node, (unsigned long)bc);
		b = NULL;
	}
	mutex_unlock(&diag_mutex);
	kfree(b);
}

static void vjit_diag_unbind(struct netlink_callback *cb)
{
	const struct nlattr *bc = vjit_diag_bytecode(cb);
	struct vjit_diag_binding *b;

	if (!bc)
		return;
	mutex_lock(&diag_mutex);
	b = vjit_diag_binding_of(bc);
	if (b) {
		hash_del_rcu(&b->node);
		vjit_diag_put(b->prog);
		kfree_rcu(b, rcu);
	}
	mutex_unlock(&diag_mutex);
}

/* ---- what the redirected functions run ---- */

static noinline int vjit_diag_dump_start(struct netlink_callback *cb, int hdrlen)
{
	int err = k_dump_start(cb, hdrlen);

	if (!err && READ_ONCE(vjit_diag_on))
		vjit_diag_bind(cb);
	return err;
}

static noinline int vjit_diag_dump_done(struct netlink_callback *cb)
{
	int ret;

	vjit_diag_unbind(cb);
	ret = k_dump_done(cb);
	barrier(); /* a real call, never a tail call (the guard) */
	return ret;
}

static noinline int vjit_diag_interpret(const struct nlattr *bc, struct sock *sk)
{
	int ret = k_bc_sk(bc, sk);

	this_cpu_inc(diag_interp);
	if (ret)
		this_cpu_inc(diag_interp_accepted);
	return ret;
}

static int vjit_diag_bc_sk(const struct nlattr *bc, struct sock *sk)
{
	struct vjit_diag_binding *b;
	struct vjit_diag_entry e;
	int ret = -1;

	if (!bc)
		return 1;
	rcu_read_lock();
	b = vjit_diag_binding_of(bc);
	if (b) {
		vjit_diag_fill(&e, sk);
		ret = b->prog->img.func(&e, NULL);
	}
	rcu_read_unlock();
	if (ret < 0)
		return vjit_diag_interpret(bc, sk);
	this_cpu_inc(diag_runs);
	if (ret)
		this_cpu_inc(diag_accepted);
	return ret;
}

/* ---- the hooks ---- */

struct vjit_diag_hook {
	const char *name;
	void *replacement;
	unsigned long target;
	struct ftrace_ops ops;
};

static void notrace vjit_diag_redirect(unsigned long ip, unsigned long parent_ip,
				       struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct vjit_diag_hook *h = container_of(ops, struct vjit_diag_hook, ops);

	if (within_module(parent_ip, THIS_MODULE))
		return;
	instruction_pointer_set(ftrace_get_regs(fregs), (unsigned long)h->replacement);
}

#define VJIT_DIAG_HOOK(fn, repl) { .name = fn, .replacement = repl, \
	.ops = { .func = vjit_diag_redirect, .flags = FTRACE_OPS_FL_SAVE_REGS | \
		 FTRACE_OPS_FL_RECURSION | FTRACE_OPS_FL_IPMODIFY } }

static struct vjit_diag_hook diag_hooks[] = {
	VJIT_DIAG_HOOK("inet_diag_bc_sk", vjit_diag_bc_sk),
	VJIT_DIAG_HOOK("__inet_diag_dump_start", vjit_diag_dump_start),
	VJIT_DIAG_HOOK("inet_diag_dump_done", vjit_diag_dump_done),
};
static int diag_hooks_on;

static void vjit_diag_unhook(void)
{
	while (diag_hooks_on > 0) {
		struct vjit_diag_hook *h = &diag_hooks[--diag_hooks_on];

		unregister_ftrace_function(&h->ops);
		ftrace_set_filter_ip(&h->ops, h->target, 1, 0);
	}
}

static int vjit_diag_hook_all(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(diag_hooks); i++) {
		struct vjit_diag_hook *h = &diag_hooks[i];

		err = ftrace_set_filter_ip(&h->ops, h->target, 0, 0);
		if (!err) {
			err = register_ftrace_function(&h->ops);
			if (err)
				ftrace_set_filter_ip(&h->ops, h->target, 1, 0);
		}
		if (err) {
			pr_warn("vjit: INET-DIAG: cannot hook %s (%d)\n", h->name, err);
			vjit_diag_unhook();
			return err;
		}
		diag_hooks_on = i + 1;
	}
	return 0;
}

/* ---- /sys/kernel/vjit/diag/ ---- */

static u64 vjit_diag_sum(u64 __percpu *c)
{
	u64 s = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		s += *per_cpu_ptr(c, cpu);
	return s;
}

/* The files, in the order diag_value() knows them. */
enum { D_COMPILED, D_SHARED, D_FREED, D_LIVE, D_NATIVE_BYTES, D_COMPILE_NS, D_RUNS,
       D_INTERPRETED, D_ACCEPTED, D_INTERP_ACCEPTED, D_FALLBACK,
       D_NR = D_FALLBACK + VJIT_DIAG_R_NR - 1 };
static const char *const diag_names[D_NR] = {
	"compiled", "shared", "freed", "live", "native_bytes", "compile_ns", "runs",
	"interpreted", "accepted", "interpreted_accepted", "fallback_audit", "fallback_too_large", "fallback_alloc", "fallback_jit",
};
static struct kobj_attribute diag_file[D_NR];
static struct attribute *diag_attrs[D_NR + 1];

static s64 diag_value(int i)
{
	switch (i) {
	case D_COMPILED: return atomic64_read(&diag_compiled);
	case D_SHARED: return atomic64_read(&diag_shared);
	case D_FREED: return atomic64_read(&diag_freed);
	case D_LIVE: return atomic64_read(&diag_compiled) - atomic64_read(&diag_freed);
	case D_NATIVE_BYTES: return atomic64_read(&diag_native_bytes);
	case D_COMPILE_NS: return atomic64_read(&diag_compile_ns);
	case D_RUNS: return vjit_diag_sum(&diag_runs);
	case D_INTERPRETED: return vjit_diag_sum(&diag_interp);
	case D_ACCEPTED: return vjit_diag_sum(&diag_accepted);
	case D_INTERP_ACCEPTED: return vjit_diag_sum(&diag_interp_accepted);
	}
	return atomic64_read(&diag_fallback[i - D_FALLBACK + 1]);
}

static ssize_t diag_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", (long long)diag_value(a - diag_file));
}

static void vjit_diag_files(void)
{
	int i;

	for (i = 0; i < D_NR; i++) {
		sysfs_attr_init(&diag_file[i].attr);
		diag_file[i].attr.name = diag_names[i];
		diag_file[i].attr.mode = 0444;
		diag_file[i].show = diag_show;
		diag_attrs[i] = &diag_file[i].attr;
	}
}

static const struct attribute_group diag_group = { .name = "diag", .attrs = diag_attrs };
static bool diag_group_on;

/* ---- init / exit ---- */

static int vjit_diag_resolve(void)
{
	/* inet_diag is a module: load it, and pin it while vjit hooks it. */
	request_module("inet_diag");
	k_bc_sk = (bc_sk_fn)__symbol_get("inet_diag_bc_sk");
	k_dump_start = (dump_start_fn)vjit_lookup("__inet_diag_dump_start");
	k_dump_done = (dump_done_fn)vjit_lookup("inet_diag_dump_done");
	if (!k_bc_sk || !k_dump_start || !k_dump_done || vjit_diag_arch_init())
		return -ENOENT;
	diag_hooks[0].target = (unsigned long)k_bc_sk;
	diag_hooks[1].target = (unsigned long)k_dump_start;
	diag_hooks[2].target = (unsigned long)k_dump_done;
	return 0;
}

/* INET-DIAG is optional: without it vjit loads, and the parameter does nothing. */
int vjit_diag_init(void)
{
	if (vjit_diag_resolve()) {
		pr_warn("vjit: INET-DIAG symbols not found; diag filters stay with the kernel\n");
		goto none;
	}
	diag_wq = alloc_workqueue("vjit_diag", 0, 0);
	if (!diag_wq)
		goto none;
	if (vjit_diag_hook_all()) {
		destroy_workqueue(diag_wq);
		diag_wq = NULL;
		goto none;
	}
	vjit_diag_files();
	diag_group_on = !sysfs_create_group(vjit_stats_kobj(), &diag_group);
	return 0;
none:
	if (k_bc_sk)
		symbol_put(inet_diag_bc_sk);
	k_bc_sk = NULL;
	return 0;
}

/*
 * After the hooks are gone, no task enters vjit's functions; RCU-tasks
 * waits for those inside them (they run without sleeping). Then every
 * binding left (dumps still open) and its code is freed.
 */
void vjit_diag_exit(void)
{
	struct vjit_diag_binding *b;
	struct hlist_node *tmp;
	int bkt;

	if (!k_bc_sk)
		return;
	vjit_diag_unhook();
	synchronize_rcu_tasks();
	synchronize_rcu();
	mutex_lock(&diag_mutex);
	hash_for_each_safe(diag_bindings, bkt, tmp, b, node) {
		hash_del_rcu(&b->node);
		vjit_diag_put(b->prog);
		kfree(b);
	}
	mutex_unlock(&diag_mutex);
	rcu_barrier();
	destroy_workqueue(diag_wq);
	if (diag_group_on)
		sysfs_remove_group(vjit_stats_kobj(), &diag_group);
	symbol_put(inet_diag_bc_sk);
}
