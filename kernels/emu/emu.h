// emu.h: the C interface of the kernel emulator, for cgo.
#ifndef GRADCHECK_EMU_H
#define GRADCHECK_EMU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// emu_kernels returns the number of kernels; emu_kernel_name and
// emu_kernel_params the name and parameter count of kernel i.
int emu_kernels(void);
const char *emu_kernel_name(int i);
int emu_kernel_params(int i);

// emu_alloc returns zeroed memory for n doubles, or 0; emu_free releases it.
uintptr_t emu_alloc(size_t n);
void emu_free(uintptr_t p);

// emu_copy copies n doubles from src to dst.
void emu_copy(uintptr_t dst, uintptr_t src, size_t n);

// emu_launch runs kernel i on a grid of blocks, blocks one after another,
// with shared bytes of dynamic shared memory and args as its parameters
// (one 8-byte word each), the threads of a block between two barriers in
// the order of their index, or in reverse order when reverse is nonzero.
// It returns 0, or -1 with a message in err.
int emu_launch(int i, const unsigned grid[3], const unsigned block[3], size_t shared,
               const uint64_t *args, int reverse, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif // GRADCHECK_EMU_H
