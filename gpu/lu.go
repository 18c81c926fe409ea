package gpu

import (
	"fmt"
	"math"

	"github.com/gradcheck/gradcheck/backend"
)

// Modes of the kernels gc_lu and gc_lu_det (kernels/lu.cu).
const (
	luDet    = 0
	luLogDet = 1
	luInv    = 2
	luMask   = 3
)

// luNB is GC_LU_NB of kernels/lu.cu, the width of the panels of the LU
// factorization; luScratch is GC_LU_SCRATCH, the doubles of shared memory
// that the tiles of the one-block kernel's trailing updates take, and
// luRed GC_LU_RED, those per warp of the pivot search.
const (
	luNB      = 16
	luScratch = luNB*(luNB+1) + luNB*luNB
	luRed     = 3
)

// pivotShared returns the doubles of shared memory that the pivot search
// of a block of the given threads takes: lu_pivot_shared of
// kernels/lu.cu.
func pivotShared(threads int) int {
	return luRed*((threads+31)/32) + 1
}

// luPanelRows is GC_LU_PANEL_ROWS of kernels/lu.cu, the rows of a panel
// that each thread of gc_lu_panel_regs holds in registers, and
// luPanelShared GC_LU_PANEL_SHARED, the doubles of shared memory it takes
// besides the pivot search's.
const (
	luPanelRows   = 4
	luPanelShared = 4*luNB + 1
)

// luOuter is the width of the outer panels of the blocked factorization
// and substitutions, a multiple of luNB: the depth of the products that
// update the rest of the matrix.
const luOuter = 4 * luNB

// gemmTile and gemmThreads are GC_GEMM_TILE and GC_GEMM_THREADS of
// kernels/matmul.cu: the edge of the tile of a result that a block of
// gemmThreads² threads computes. dmmaTile and dmmaThreads are
// GC_DMMA_TILE and GC_DMMA_THREADS of kernels/dmma.cu, the same for the
// products on the tensor cores (both kernels).
const (
	gemmTile    = 64
	gemmThreads = 16
	dmmaTile    = 64
	dmmaThreads = 128
)

// matrices is a batch of row-major matrices in device memory: matrix i at
// address p + 8·i·stride, its rows ld values apart.
type matrices struct {
	p          uint64
	ld, stride int
}

// matrices returns the matrices of t.
func (t *tensor) matrices() matrices {
	return matrices{t.p(), t.l.Cols, t.l.Rows * t.l.Cols}
}

// at returns the submatrices whose entry (0, 0) is entry (row, col) of m.
func (m matrices) at(row, col int) matrices {
	m.p += uint64(8 * (row*m.ld + col))
	return m
}

// gemm sets, for j < count, c_j = a_{j/ra}·b_{j/rb}, or c_j = c_j −
// a_{j/ra}·b_{j/rb} when sub is set, for m×k a, k×n b: one thread per
// entry for results of at most gemmThreads rows and columns
// (kernels/matmul.cu), otherwise by tiles, with the kernel of the device's
// Products.
func (b *Backend) gemm(sub bool, c, x, y matrices, count, m, n, k, ra, rb int) error {
	if m == 0 || n == 0 {
		return nil
	}
	flag := uint64(0)
	if sub {
		flag = 1
	}
	args := []uint64{c.p, x.p, y.p, w(count), w(m), w(n), w(k), w(x.ld), w(y.ld), w(c.ld),
		w(x.stride), w(y.stride), w(c.stride), w(ra), w(rb), flag}
	if m <= gemmThreads && n <= gemmThreads {
		// A tile would leave 15 of every 16 of its entries idle.
		return b.launch1D("gc_gemm_small", count*m*n, args...)
	}
	if p := b.lim.Products; p != FMA {
		tiles := ((m + dmmaTile - 1) / dmmaTile) * ((n + dmmaTile - 1) / dmmaTile)
		return b.launch(p.Kernel(), Dim{tiles, min(count, maxGridY), 1}, Dim{dmmaThreads, 1, 1}, 0, args...)
	}
	tiles := ((m + gemmTile - 1) / gemmTile) * ((n + gemmTile - 1) / gemmTile)
	return b.launch("gc_gemm", Dim{tiles, min(count, maxGridY), 1}, Dim{gemmThreads, gemmThreads, 1}, 0, args...)
}

// factors are the LU factors of count n×n matrices, L\U one after another
// in lu, and their pivots, n per matrix, in piv (kernels/lu.cu).
type factors struct {
	lu, piv  buffer
	count, n int
}

// releaseFactors returns the buffers of f to the pool.
func (b *Backend) releaseFactors(f factors) {
	b.release(f.lu)
	b.release(f.piv)
}

// factor returns the LU factors of the square matrices of a, by outer
// panels of luOuter columns, each factored by inner panels of luNB columns
// (factorSteps), each step one launch over the whole batch.
func (b *Backend) factor(a *tensor) (factors, error) {
	n, count := a.l.Rows, a.l.Count
	lu, err := b.alloc(count * n * n)
	if err != nil {
		return factors{}, err
	}
	piv, err := b.alloc(count * n)
	if err != nil {
		b.release(lu)
		return factors{}, err
	}
	f := factors{lu, piv, count, n}
	if err := b.factorSteps(f, a); err != nil {
		b.releaseFactors(f)
		return factors{}, err
	}
	return f, nil
}

// factorSteps launches the steps of factor. Within an outer panel of
// columns K0 … Kend−1, each inner panel of luNB columns is factored (one
// block per matrix), then the rows of U right of it within the outer panel
// are solved for (a thread per column) and the rest of the outer panel
// updated (gemm). Then the rows K0 … Kend−1 of U right of the outer panel
// are solved for in one launch (gc_lu_trsm), and the trailing matrix is
// updated by one product of depth luOuter, on every multiprocessor: deep
// enough for the tensor cores' rate, where a depth of luNB would be bound
// by reading and writing the trailing matrix. Every entry still gets its
// updates a_ic − l_iq·u_qc one at a time in the order of q, then its
// substitution, as in Dgetf2 (TestBlockedLUIsDgetf2): the panels only
// group them.
func (b *Backend) factorSteps(f factors, a *tensor) error {
	n, count := f.n, f.count
	if err := b.launch1D("gc_copy", count*n*n, uint64(f.lu.p), a.p(), w(count), w(n*n), 1); err != nil {
		return err
	}
	m := matrices{uint64(f.lu.p), n, n * n}
	threads := pow2(min(b.lim.LUThreads, n)) // the pivot search's shuffles need a power of two
	for outer := 0; outer < n; outer += luOuter {
		outerEnd := min(outer+luOuter, n)
		for k0 := outer; k0 < outerEnd; k0 += luNB {
			kend := min(k0+luNB, n)
			kernel, shared := "gc_lu_panel", pivotShared(threads)
			if b.lim.PanelInRegisters && threads >= luNB && n-k0 <= luPanelRows*threads {
				kernel, shared = "gc_lu_panel_regs", shared+luPanelShared
			}
			if err := b.launch(kernel, Dim{min(count, math.MaxInt32), 1, 1}, Dim{threads, 1, 1}, shared*8,
				uint64(f.lu.p), uint64(f.piv.p), w(count), w(n), w(k0)); err != nil {
				return err
			}
			if kend == outerEnd {
				break
			}
			if err := b.updateRight(f, m, k0, kend, outerEnd); err != nil {
				return err
			}
		}
		if outerEnd == n {
			break
		}
		if err := b.updateRight(f, m, outer, outerEnd, n); err != nil {
			return err
		}
	}
	return nil
}

// updateRight carries the factored columns r0 … r1−1 of the factors m of
// f into the columns r1 … cend−1: it solves for the rows r0 … r1−1 of U
// there (gc_lu_trsm), then subtracts their product with L from the rows
// below (one gemm of depth r1 − r0). factorSteps calls it for an inner
// panel within its outer panel, and for an outer panel across the rest of
// the matrix.
func (b *Backend) updateRight(f factors, m matrices, r0, r1, cend int) error {
	if err := b.trsm(false, m.at(0, r1), f, f.count, cend-r1, r0, r1, 1); err != nil {
		return err
	}
	return b.gemm(true, m.at(r1, r1), m.at(r1, r0), m.at(r0, r1), f.count, f.n-r1, cend-r1, r1-r0, 1, 1)
}

// trsm substitutes the rows r0 … r1−1 of the ncols columns of the count
// matrices x against the diagonal block r0 … r1−1 of the factors of matrix
// j/ra of f: forward with L, or backward with U when upper is set;
// r1 − r0 ≤ luOuter.
func (b *Backend) trsm(upper bool, x matrices, f factors, count, ncols, r0, r1, ra int) error {
	threads := b.lim.Threads
	flag := uint64(0)
	if upper {
		flag = 1
	}
	grid := Dim{(ncols + threads - 1) / threads, min(count, maxGridY), 1}
	return b.launch("gc_lu_trsm", grid, Dim{threads, 1, 1}, 0, flag, x.p, uint64(f.lu.p),
		w(count), w(f.n), w(ncols), w(x.ld), w(x.stride), w(r0), w(r1), w(ra))
}

// substitute overwrites the n×k matrices of x, which hold right-hand sides
// already permuted by the pivots, with the solutions of L·U·X = x_j from
// the factors f of the matrices a_{j/ra}: forward substitution with L and
// back substitution with U by blocks of luOuter rows (gc_lu_trsm within a
// diagonal block, a column per thread, and one gemm of depth luOuter for
// the rows beyond it), and NaN throughout a solution whose factors have a
// zero pivot, as on the CPU backend. With identity set, x holds the n×n
// identity: L⁻¹ is unit lower triangular, so the forward substitution of a
// block of rows touches only the columns left of its end, about n³/3 flops
// instead of n³.
func (b *Backend) substitute(x *tensor, f factors, ra int, identity bool) error {
	n, k, count := f.n, x.l.Cols, x.l.Count
	cols := func(end int) int { // the columns of x that rows before end may have nonzero
		if identity {
			return min(end, k)
		}
		return k
	}
	xs, l := x.matrices(), matrices{uint64(f.lu.p), n, n * n}
	for outer := 0; outer < n; outer += luOuter {
		outerEnd := min(outer+luOuter, n)
		if err := b.trsm(false, xs, f, count, cols(outerEnd), outer, outerEnd, ra); err != nil {
			return err
		}
		if err := b.gemm(true, xs.at(outerEnd, 0), l.at(outerEnd, outer), xs.at(outer, 0), count, n-outerEnd, cols(outerEnd), outerEnd-outer, ra, 1); err != nil {
			return err
		}
	}
	for outerEnd := n; outerEnd > 0; {
		outer := (outerEnd - 1) / luOuter * luOuter
		if err := b.trsm(true, xs, f, count, k, outer, outerEnd, ra); err != nil {
			return err
		}
		if err := b.gemm(true, xs, l.at(0, outer), xs.at(outer, 0), count, outer, k, outerEnd-outer, ra, 1); err != nil {
			return err
		}
		outerEnd = outer
	}
	mask, err := b.alloc(f.count)
	if err != nil {
		return err
	}
	defer b.release(mask)
	if err := b.launch1D("gc_lu_det", f.count, luMask, uint64(mask.p), uint64(f.lu.p), uint64(f.piv.p), w(f.count), w(n)); err != nil {
		return err
	}
	return b.launch1D("gc_scale", x.l.Size(), x.p(), uint64(mask.p), x.p(), w(count), w(n*k), w(ra), 1)
}

// permute writes to out, count matrices of rows×cols, the matrices j/rx of
// x with their rows (or, with cols set, their columns) permuted by the
// pivots of the factors j/rf of f (gc_lu_perm, gc_lu_gather): P·x_j for
// right-hand sides, or x_j·P for the columns of U⁻¹L⁻¹, whose permutation
// is the inverse one.
func (b *Backend) permute(byCols bool, out, x *tensor, f factors, rx, rf int) error {
	perm, err := b.alloc(f.count * f.n)
	if err != nil {
		return err
	}
	defer b.release(perm)
	// The columns take the inverse permutation, composed in reverse: one
	// flag for both kernels.
	cols := uint64(0)
	if byCols {
		cols = 1
	}
	if err := b.launch1D("gc_lu_perm", f.count, uint64(perm.p), uint64(f.piv.p), w(f.count), w(f.n), cols); err != nil {
		return err
	}
	l := out.l
	return b.launch1D("gc_lu_gather", l.Size(), cols, out.p(), x.p(), uint64(perm.p), w(l.Count), w(l.Rows), w(l.Cols), w(rx), w(rf))
}

// fitsShared says whether the one-block kernel gc_lu can factor an n×n
// matrix in shared memory with the given threads, and returns the bytes
// it needs.
func (b *Backend) fitsShared(n, threads int) (int, bool) {
	shared := (n*n + 2*n + pivotShared(threads) + luScratch) * 8
	return shared, shared <= b.lim.MaxShared
}

// lu computes, by mode, the determinants, log-determinants or inverses of
// the square matrices of a: in one launch, a block per matrix, when a
// matrix fits in shared memory, else by factor and then gc_lu_det or
// inverse.
func (b *Backend) lu(op string, mode int, a backend.Tensor) (backend.Tensor, error) {
	at := b.get(op, a)
	n := square(op, at)
	count := at.l.Count
	l := backend.Layout{Count: count, Rows: 1, Cols: 1}
	if mode == luInv {
		l = at.l
	}
	threads := pow2(min(b.lim.LUThreads, n)) // the pivot search's shuffles need a power of two
	if shared, ok := b.fitsShared(n, threads); ok {
		return b.run(l, func(out *tensor) error {
			return b.launch("gc_lu", Dim{min(count, math.MaxInt32), 1, 1}, Dim{threads, 1, 1}, shared,
				uint64(mode), out.p(), at.p(), w(count), w(n))
		})
	}
	f, err := b.factor(at)
	if err != nil {
		return nil, err
	}
	if mode == luInv {
		return b.inverse(f, l)
	}
	defer b.releaseFactors(f)
	return b.run(l, func(out *tensor) error {
		return b.launch1D("gc_lu_det", count, uint64(mode), out.p(), uint64(f.lu.p), uint64(f.piv.p), w(count), w(n))
	})
}

// inverse returns the inverses A⁻¹ = U⁻¹L⁻¹P, of layout l, of the count
// matrices whose factors are f, and releases f: U⁻¹L⁻¹ by substitution on
// the identity, then its columns permuted into the buffer of the factors,
// spent by then, which becomes the result. So an inverse takes no more
// memory than the factors and one n×n matrix per matrix, as a solve does.
func (b *Backend) inverse(f factors, l backend.Layout) (backend.Tensor, error) {
	defer b.release(f.piv)
	out := b.tensorOf(l, f.lu)
	fail := func(err error) (backend.Tensor, error) {
		b.Free(out)
		return nil, err
	}
	x, err := b.newTensor(l)
	if err != nil {
		return fail(err)
	}
	defer b.Free(x)
	eye, err := b.Eye(f.n)
	if err != nil {
		return fail(err)
	}
	defer b.Free(eye)
	if err := b.launch1D("gc_copy", l.Size(), x.p(), b.get("Inv", eye).p(), w(l.Count), w(f.n*f.n), w(l.Count)); err != nil {
		return fail(err)
	}
	if err := b.substitute(x, f, 1, true); err != nil {
		return fail(err)
	}
	if err := b.permute(true, out, x, f, 1, 1); err != nil {
		return fail(err)
	}
	return out, nil
}

// Inv returns the inverses of square matrices through LU with partial
// pivoting, as U⁻¹L⁻¹P: U⁻¹L⁻¹ by substitution on the identity, whose
// zeros above the diagonal L⁻¹ keeps (2n³ flops with the factorization,
// where the permuted identity would take 8n³/3), then the pivots' column
// swaps; a matrix whose LU has an exact zero pivot yields a matrix of NaN,
// as on the CPU backend.
func (b *Backend) Inv(a backend.Tensor) (backend.Tensor, error) {
	return b.lu("Inv", luInv, a)
}

// Det returns the determinants (1×1) of square matrices, the product of the
// diagonal of U with the permutation's sign.
func (b *Backend) Det(a backend.Tensor) (backend.Tensor, error) {
	return b.lu("Det", luDet, a)
}

// LogDet returns log(det a) (1×1) as Σ log|u_ii|; NaN where det a < 0 and
// −Inf where det a = 0.
func (b *Backend) LogDet(a backend.Tensor) (backend.Tensor, error) {
	return b.lu("LogDet", luLogDet, a)
}

// Solve returns X with a·X = b through the LU factors of a (factor and
// substitute); counts broadcast, each matrix of a factored once. Its
// substitution by blocks sums in another order than gonum's Dgetrs, so the
// two backends agree to about n·u·κ(a), not bit for bit.
func (b *Backend) Solve(a, rhs backend.Tensor) (backend.Tensor, error) {
	at, bt := b.get("Solve", a), b.get("Solve", rhs)
	n := square("Solve", at)
	if bt.l.Rows != n {
		panic(fmt.Sprintf("gpu: Solve: %d×%d matrix and right-hand side %d×%d", n, n, bt.l.Rows, bt.l.Cols))
	}
	count, ra, rb := broadcast("Solve", at, bt)
	f, err := b.factor(at)
	if err != nil {
		return nil, err
	}
	defer b.releaseFactors(f)
	l := backend.Layout{Count: count, Rows: n, Cols: bt.l.Cols}
	return b.run(l, func(out *tensor) error {
		if err := b.permute(false, out, bt, f, rb, ra); err != nil {
			return err
		}
		return b.substitute(out, f, ra, false)
	})
}
