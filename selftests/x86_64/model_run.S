// SPDX-License-Identifier: GPL-2.0
// Runs a code buffer on the real CPU with every general-purpose register
// (except rsp) and the arithmetic flags loaded from a state block, and
// stores them back afterwards. The code ends with ret.
//
//   void vjit_x86_run_native(uint64_t st[17], const void *code);
//   st[0..15]: rax rcx rdx rbx rsp(unused) rbp rsi rdi r8..r15; st[16]: rflags
	.intel_syntax noprefix
	.text
	.globl vjit_x86_run_native
	.type vjit_x86_run_native, @function
vjit_x86_run_native:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi                    // [rsp] = st, swapped with rdi's value after
	lea rax, [rip + 1f]
	push rax                    // the code's ret comes back to 1:
	push rsi                    // the code itself, entered by ret
	push qword ptr [rdi + 128]
	popfq
	mov rax, [rdi + 0]
	mov rcx, [rdi + 8]
	mov rdx, [rdi + 16]
	mov rbx, [rdi + 24]
	mov rbp, [rdi + 40]
	mov rsi, [rdi + 48]
	mov r8, [rdi + 64]
	mov r9, [rdi + 72]
	mov r10, [rdi + 80]
	mov r11, [rdi + 88]
	mov r12, [rdi + 96]
	mov r13, [rdi + 104]
	mov r14, [rdi + 112]
	mov r15, [rdi + 120]
	mov rdi, [rdi + 56]
	ret
1:
	xchg rdi, [rsp]
	mov [rdi + 0], rax
	mov [rdi + 8], rcx
	mov [rdi + 16], rdx
	mov [rdi + 24], rbx
	mov [rdi + 40], rbp
	mov [rdi + 48], rsi
	mov [rdi + 64], r8
	mov [rdi + 72], r9
	mov [rdi + 80], r10
	mov [rdi + 88], r11
	mov [rdi + 96], r12
	mov [rdi + 104], r13
	mov [rdi + 112], r14
	mov [rdi + 120], r15
	pushfq
	pop qword ptr [rdi + 128]
	pop rax
	mov [rdi + 56], rax
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
	.size vjit_x86_run_native, . - vjit_x86_run_native
	.section .note.GNU-stack, "", @progbits
