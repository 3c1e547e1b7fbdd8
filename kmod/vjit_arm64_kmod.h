/* SPDX-License-Identifier: GPL-2.0 */
/* arm64: what arch_arm64.c offers diag_arm64.c (the same image memory). */
#ifndef VJIT_ARM64_KMOD_H
#define VJIT_ARM64_KMOD_H

#include "vjit_kmod.h"

struct bpf_binary_header;

/* The options every image needs on this kernel and CPU (BTI, PAC, LSE). */
unsigned int vjit_arm64_flags(void);
/* An image of j, sized, emitted, flushed and locked: 0 or enum vjit_reason. */
int vjit_arm64_jit(struct vjit_jit *j, struct bpf_binary_header **hdr, u8 **image);
void vjit_arm64_image_free(struct bpf_binary_header *hdr);

#endif
