// emu.cc: the kernel emulator. It compiles the kernel sources of the parent
// directory as host C++ against cuda_emu.h and runs their grids block by
// block, the threads of a block as fibers (see cuda_emu.h).

// Fibers switch by a few instructions of assembly on x86-64. Elsewhere (or
// when built with -DCUDA_EMU_PORTABLE, to test that path:
// CGO_CXXFLAGS=-DCUDA_EMU_PORTABLE go test ./kernels/emu ./gpu) a fiber
// starts on its stack through makecontext and switches by _setjmp and
// _longjmp, which glibc's _FORTIFY_SOURCE would reject between stacks.
#if defined(__x86_64__) && !defined(CUDA_EMU_PORTABLE)
#define CUDA_EMU_ASM_SWITCH 1
#else
#undef _FORTIFY_SOURCE
#endif

// No contraction of a product and a sum into a fused multiply-add, as in
// the random-number kernels' PTX (--fmad=false): the kernels' results must
// not depend on the host's instruction set, and are then the CPU backend's
// (cgo does not accept -ffp-contract=off as a flag).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "emu.h"

#include "cuda_emu.h"

#include "../activations.cu"
#include "../dmma.cu"
#include "../elementwise.cu"
#include "../lu.cu"
#include "../matmul.cu"
#include "../random.cu"
#include "../reduce.cu"
#include "../shape.cu"
#include "selftest.cu"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#if !defined(CUDA_EMU_ASM_SWITCH)
#include <setjmp.h>
#include <ucontext.h>
#endif

// cuda_emu_fiber_main is the body of every fiber: it runs the kernel for
// each block it is given, and never returns.
extern "C" __attribute__((visibility("hidden"), used)) void cuda_emu_fiber_main();

namespace cuda_emu {

thread_local dim3 thread_idx;
thread_local Block block;

namespace {

// Kernel is one entry of the kernel table: its name, parameter count, and
// a trampoline that calls it with its parameters unpacked from 8-byte words.
struct Kernel {
    const char *name;
    int params;
    void (*invoke)(void (*fn)(), const uint64_t *args);
    void (*fn)();
};

template <typename T> T word(uint64_t w) {
    static_assert(sizeof(T) == 8, "kernel parameters must be 8 bytes");
    T v;
    std::memcpy(&v, &w, sizeof v);
    return v;
}

template <typename... A, size_t... I>
void call(void (*f)(A...), const uint64_t *args, std::index_sequence<I...>) {
    f(word<A>(args[I])...);
}

template <typename... A> Kernel entry(const char *name, void (*f)(A...)) {
    return Kernel{name, (int)sizeof...(A),
                  [](void (*g)(), const uint64_t *args) {
                      call(reinterpret_cast<void (*)(A...)>(g), args,
                           std::index_sequence_for<A...>{});
                  },
                  reinterpret_cast<void (*)()>(f)};
}

#define KERNEL(f) entry(#f, f)

const Kernel kernels[] = {
    KERNEL(gc_gaussian), KERNEL(gc_add),       KERNEL(gc_sub),           KERNEL(gc_mul),
    KERNEL(gc_div),      KERNEL(gc_pow),       KERNEL(gc_neg),           KERNEL(gc_exp),
    KERNEL(gc_log),      KERNEL(gc_sqrt),      KERNEL(gc_abs),           KERNEL(gc_tanh),
    KERNEL(gc_scale),    KERNEL(gc_add_scaled), KERNEL(gc_eye),       KERNEL(gc_transpose),     KERNEL(gc_kron),
    KERNEL(gc_diag),     KERNEL(gc_diagof),    KERNEL(gc_trace),         KERNEL(gc_sum),
    KERNEL(gc_dot),      KERNEL(gc_gemm),      KERNEL(gc_lu),            KERNEL(emu_test_barrier),
    KERNEL(emu_test_atomics), KERNEL(gc_activation), KERNEL(gc_softmax), KERNEL(gc_logsumexp),
    KERNEL(gc_sign_changes), KERNEL(gc_lu_panel), KERNEL(gc_lu_panel_regs), KERNEL(gc_lu_trsm), KERNEL(gc_lu_perm), KERNEL(gc_lu_gather),
    KERNEL(gc_lu_det),   KERNEL(gc_copy),      KERNEL(gc_gather),      KERNEL(gc_gemm_small),    KERNEL(gc_gemm_dmma), KERNEL(gc_gemm_dmma_async),
    KERNEL(emu_test_mma), KERNEL(emu_test_vote), KERNEL(emu_test_shfl), KERNEL(emu_test_race),
};

const int nkernels = sizeof kernels / sizeof kernels[0];

// Each fiber's stack; a canary at its low end detects overflows.
const size_t stackBytes = 64 << 10;
const uint64_t canary = 0x5AFE57AC4CA7A4A7ULL;

#if defined(CUDA_EMU_ASM_SWITCH)

// Context is a suspended fiber: its stack pointer, with the callee-saved
// registers, MXCSR and the x87 control word pushed below it.
struct Context {
    void *sp;
};

extern "C" void cuda_emu_switch(void **save, void *to);
extern "C" void cuda_emu_fiber_start();

// cuda_emu_switch saves the callee-saved state on the current stack, stores
// the stack pointer in *save, and resumes the context whose stack pointer
// is to. cuda_emu_fiber_start is where a new fiber begins.
asm(R"(
    .pushsection .text
    .globl cuda_emu_switch
    .hidden cuda_emu_switch
    .type cuda_emu_switch, @function
cuda_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cuda_emu_switch, .-cuda_emu_switch

    .globl cuda_emu_fiber_start
    .hidden cuda_emu_fiber_start
    .type cuda_emu_fiber_start, @function
cuda_emu_fiber_start:
    call cuda_emu_fiber_main@PLT
    ud2
    .size cuda_emu_fiber_start, .-cuda_emu_fiber_start
    .popsection
)");

void context_switch(Context *from, Context *to) { cuda_emu_switch(&from->sp, to->sp); }

// context_init prepares a context that starts cuda_emu_fiber_start on the
// stack [lo, lo+size), with the caller's floating-point control state.
void context_init(Context *c, char *lo, size_t size) {
    uintptr_t top = (reinterpret_cast<uintptr_t>(lo) + size) & ~uintptr_t(15);
    uint64_t *sp = reinterpret_cast<uint64_t *>(top);
    *--sp = reinterpret_cast<uint64_t>(&cuda_emu_fiber_start); // return address
    for (int i = 0; i < 6; i++) {
        *--sp = 0; // rbp, rbx, r12-r15
    }
    uint32_t mxcsr;
    uint16_t fpcw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpcw));
    *--sp = uint64_t(mxcsr) | uint64_t(fpcw) << 32;
    c->sp = sp;
}

#else // portable: makecontext to start, _setjmp/_longjmp to switch

struct Context {
    jmp_buf jb;
};

void context_switch(Context *from, Context *to) {
    if (_setjmp(from->jb) == 0) {
        _longjmp(to->jb, 1);
    }
}

// The fiber being started by context_init, and where to return to.
thread_local Context *starting;
thread_local ucontext_t boot;

// fiber_boot runs on a new fiber's stack: it records its context for
// context_switch and returns to context_init at once; resumed, it becomes
// the fiber's body.
void fiber_boot() {
    if (_setjmp(starting->jb) == 0) {
        setcontext(&boot);
    }
    cuda_emu_fiber_main();
}

// context_init starts a fiber on the stack [lo, lo+size) as far as its first
// context, which context_switch resumes.
void context_init(Context *c, char *lo, size_t size) {
    ucontext_t uc;
    getcontext(&uc);
    uc.uc_stack.ss_sp = lo;
    uc.uc_stack.ss_size = size;
    uc.uc_link = nullptr;
    makecontext(&uc, fiber_boot, 0);
    starting = c;
    swapcontext(&boot, &uc);
}

#endif

// Fiber is one emulated thread, kept with its stack from block to block.
struct Fiber {
    Context ctx;
    dim3 idx;
    bool done;
    std::unique_ptr<char[]> stack{new char[stackBytes]};

    Fiber() {
        std::memcpy(stack.get(), &canary, sizeof canary);
        context_init(&ctx, stack.get(), stackBytes);
    }
};

// lanesPerThread is the number of values each thread posts in
// Worker::lanes.
const int lanesPerThread = 8;

// Worker runs launches on one OS thread: the scheduler's context, the
// fibers (created as blocks need them, then reused), and the launch.
struct Worker {
    Context sched;
    std::vector<std::unique_ptr<Fiber>> fibers;
    std::vector<double> shared;
    // lanes holds what each thread of the block posts for the others: its
    // vote (syncthreads_or), its value (shfl_xor), or its fragments
    // (mma_m8n8k4), lanesPerThread values each.
    std::vector<double> lanes;
    Fiber *cur = nullptr;
    const Kernel *kernel = nullptr;
    const uint64_t *args = nullptr;
};

thread_local Worker *worker;

Worker &this_worker() {
    static thread_local std::unique_ptr<Worker> w;
    if (!w) {
        w.reset(new Worker);
    }
    worker = w.get();
    return *w;
}

} // namespace

void syncthreads() {
    Worker *w = worker;
    context_switch(&w->cur->ctx, &w->sched);
}

namespace {

// thread_rank is the running thread's index in its block, x fastest.
unsigned thread_rank() {
    return thread_idx.x + block.dim.x * (thread_idx.y + block.dim.y * thread_idx.z);
}

} // namespace

int syncthreads_or(int pred) {
    Worker *w = worker;
    unsigned nthreads = block.dim.x * block.dim.y * block.dim.z;
    w->lanes[lanesPerThread * thread_rank()] = pred != 0;
    syncthreads(); // every thread has voted
    int any = 0;
    for (unsigned t = 0; t < nthreads; t++) {
        any |= w->lanes[lanesPerThread * t] != 0;
    }
    syncthreads(); // every thread has counted before the next vote
    // A thread that returns before the next vote leaves no vote behind.
    w->lanes[lanesPerThread * thread_rank()] = 0;
    return any;
}

double shfl_xor(unsigned mask, double v, int lane_mask) {
    Worker *w = worker;
    unsigned rank = thread_rank(), lane = rank % 32, src = lane ^ (unsigned)lane_mask;
    unsigned nthreads = block.dim.x * block.dim.y * block.dim.z;
    if (src >= 32 || (mask >> lane & 1) == 0 || (mask >> src & 1) == 0 || rank - lane + src >= nthreads) {
        std::fprintf(stderr, "cuda_emu: __shfl_xor_sync(%#x, v, %d) in lane %u of a block of %u threads\n",
                     mask, lane_mask, lane, nthreads);
        std::abort();
    }
    w->lanes[lanesPerThread * rank] = v;
    syncthreads(); // every lane has posted
    double got = w->lanes[lanesPerThread * (rank - lane + src)];
    syncthreads(); // every lane has read before the next call posts
    return got;
}

void mma_m8n8k4(double *acc, const double *a, int R, const double *b, int S) {
    if (R + S > lanesPerThread) {
        std::fprintf(stderr, "cuda_emu: mma_m8n8k4 of %d×%d fragments\n", R, S);
        std::abort();
    }
    Worker *w = worker;
    unsigned rank = thread_rank();
    double *mine = &w->lanes[lanesPerThread * rank];
    std::copy(a, a + R, mine);
    std::copy(b, b + S, mine + R);
    syncthreads(); // every lane has posted its fragments
    // lane(i) is what lane i of this warp posted.
    auto lane = [&](unsigned i) { return &w->lanes[lanesPerThread * ((rank & ~31u) + i)]; };
    unsigned g = rank % 32 / 4, q = rank % 4;
    for (int r = 0; r < R; r++) {
        for (int s = 0; s < S; s++) {
            for (unsigned e = 0; e < 2; e++) {
                unsigned col = 2 * q + e;
                double &d = acc[2 * (r * S + s) + e];
                for (unsigned l = 0; l < 4; l++) {
                    // Left entry (g, l) is lane 4g + l's; right entry
                    // (l, col) is lane 4·col + l's.
                    d = d + lane(4 * g + l)[r] * lane(4 * col + l)[R + s];
                }
            }
        }
    }
    syncthreads(); // every lane has read before the next call posts
}

} // namespace cuda_emu

using namespace cuda_emu;

extern "C" void cuda_emu_fiber_main() {
    for (;;) {
        Worker *w = worker;
        w->kernel->invoke(w->kernel->fn, w->args);
        w->cur->done = true;
        context_switch(&w->cur->ctx, &w->sched);
    }
}

namespace {

// run_block runs every thread of the current block to completion, barrier
// round by barrier round, in each round the threads in the order of their
// index, or in reverse order when reverse is set, and returns false if a
// thread overflowed its stack.
bool run_block(Worker &w, unsigned nthreads, bool reverse) {
    const dim3 &bd = block.dim;
    for (unsigned t = 0; t < nthreads; t++) {
        Fiber &f = *w.fibers[t];
        f.idx = dim3{t % bd.x, (t / bd.x) % bd.y, t / (bd.x * bd.y)};
        f.done = false;
    }
    unsigned live = nthreads;
    while (live > 0) {
        // One round: every live thread runs to its next barrier or its end.
        for (unsigned u = 0; u < nthreads; u++) {
            Fiber &f = *w.fibers[reverse ? nthreads - 1 - u : u];
            if (f.done) {
                continue;
            }
            w.cur = &f;
            thread_idx = f.idx;
            context_switch(&w.sched, &f.ctx);
            if (f.done) {
                live--;
            }
        }
    }
    for (unsigned t = 0; t < nthreads; t++) {
        if (std::memcmp(w.fibers[t]->stack.get(), &canary, sizeof canary) != 0) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" {

int emu_kernels(void) { return nkernels; }

const char *emu_kernel_name(int i) { return kernels[i].name; }

int emu_kernel_params(int i) { return kernels[i].params; }

uintptr_t emu_alloc(size_t n) { return reinterpret_cast<uintptr_t>(std::calloc(n ? n : 1, 8)); }

void emu_free(uintptr_t p) { std::free(reinterpret_cast<void *>(p)); }

void emu_copy(uintptr_t dst, uintptr_t src, size_t n) {
    std::memcpy(reinterpret_cast<void *>(dst), reinterpret_cast<const void *>(src), n * 8);
}

int emu_launch(int i, const unsigned grid[3], const unsigned blk[3], size_t shared,
               const uint64_t *args, int reverse, char *err, size_t errlen) {
    Worker &w = this_worker();
    unsigned nthreads = blk[0] * blk[1] * blk[2];
    while (w.fibers.size() < nthreads) {
        w.fibers.emplace_back(new Fiber);
    }
    w.shared.assign(shared / 8 + 1, 0);
    w.lanes.assign(lanesPerThread * ((nthreads + 31) / 32 * 32), 0);
    w.kernel = &kernels[i];
    w.args = args;
    block.dim = dim3{blk[0], blk[1], blk[2]};
    block.grid = dim3{grid[0], grid[1], grid[2]};
    block.shared = w.shared.data();
    int rc = 0;
    for (unsigned z = 0; z < grid[2] && rc == 0; z++) {
        for (unsigned y = 0; y < grid[1] && rc == 0; y++) {
            for (unsigned x = 0; x < grid[0] && rc == 0; x++) {
                block.idx = dim3{x, y, z};
                if (!run_block(w, nthreads, reverse != 0)) {
                    std::snprintf(err, errlen,
                                  "a thread of block (%u,%u,%u) overflowed its %zu-byte stack", x,
                                  y, z, stackBytes);
                    rc = -1;
                }
            }
        }
    }
    return rc;
}

} // extern "C"
