// SPDX-License-Identifier: GPL-2.0
// fentry/fexit on a JITed BPF program, through libbpf as tracing tools do
// it: loads trace_target.bpf.o, attaches trace_count.bpf.o's fentry and
// fexit programs to it (the kernel patches the entry of its image), runs
// it with BPF_PROG_TEST_RUN and checks what the tracers saw.
//
//   tracetest LABEL [DIR]   objects from DIR (default /); PASS:/FAIL: lines
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define RUNS 100

static const char *label;
static int failures;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s: ", ok ? "PASS" : "FAIL", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static struct bpf_object *load_object(const char *dir, const char *name, int target_fd)
{
	char path[256];
	struct bpf_object *obj;
	struct bpf_program *p;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		result(0, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(p, obj) {
		if (target_fd >= 0 && bpf_program__set_attach_target(p, target_fd, "trace_target")) {
			result(0, "attach target for %s: %s", bpf_program__name(p), strerror(errno));
			goto fail;
		}
	}
	err = bpf_object__load(obj);
	if (err) {
		result(0, "load %s: %s", name, strerror(-err));
		goto fail;
	}
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

// The tracers' .bss: entries, exits, last_ret (trace_count.bpf.c).
struct counts {
	__u64 entries, exits, last_ret;
};

static int read_counts(struct bpf_object *obj, struct counts *c)
{
	struct bpf_map *m;
	__u32 key = 0;

	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t len = strlen(n);

		if (len >= 4 && !strcmp(n + len - 4, ".bss") && bpf_map__value_size(m) == sizeof(*c))
			return bpf_map__lookup_elem(m, &key, sizeof(key), c, sizeof(*c), 0);
	}
	return -ENOENT;
}

// Runs the target RUNS times, half with a packet it drops; returns the
// number of runs whose return value was wrong, *last the last one's.
static int run_target(int fd, __u32 *last)
{
	unsigned char pkt[64];
	int i, wrong = 0;

	for (i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);

		memset(pkt, 0, sizeof(pkt));
		pkt[0] = i % 2 ? 0x5a : 0;
		if (bpf_prog_test_run_opts(fd, &o)) {
			result(0, "BPF_PROG_TEST_RUN: %s", strerror(errno));
			return RUNS;
		}
		wrong += o.retval != (i % 2 ? XDP_DROP : XDP_PASS);
		*last = o.retval;
	}
	return wrong;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 2 ? argv[2] : "";
	struct bpf_object *target, *tracers;
	struct bpf_link *links[2] = {0};
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info), last = 0;
	struct bpf_program *p;
	struct counts c = {0};
	int fd, n = 0, wrong;

	if (argc < 2) {
		fprintf(stderr, "usage: tracetest LABEL [DIR]\n");
		return 2;
	}
	label = argv[1];
	libbpf_set_print(print_libbpf);
	target = load_object(dir, "trace_target.bpf.o", -1);
	if (!target)
		return 1;
	fd = bpf_program__fd(bpf_object__find_program_by_name(target, "trace_target"));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) || !info.jited_prog_len) {
		result(0, "the target is not JITed");
		return 1;
	}
	tracers = load_object(dir, "trace_count.bpf.o", fd);
	if (!tracers)
		return 1;
	bpf_object__for_each_program(p, tracers) {
		links[n] = bpf_program__attach(p);
		result(links[n] != NULL, "attach %s to a JITed program (%u bytes)%s%s", bpf_program__name(p),
		       info.jited_prog_len, links[n] ? "" : ": ", links[n] ? "" : strerror(errno));
		n++;
	}
	wrong = run_target(fd, &last);
	result(!wrong, "the traced program returns what it should (%d of %d runs wrong)", wrong, RUNS);
	if (read_counts(tracers, &c))
		result(0, "read the tracers' counts");
	else
		result(c.entries == RUNS && c.exits == RUNS && c.last_ret == last,
		       "fentry counted %llu, fexit %llu calls of %d; fexit saw return %llu, the run %u",
		       (unsigned long long)c.entries, (unsigned long long)c.exits, RUNS,
		       (unsigned long long)c.last_ret, last);
	while (n--)
		bpf_link__destroy(links[n]);
	bpf_object__close(tracers);
	bpf_object__close(target);
	return failures != 0;
}
