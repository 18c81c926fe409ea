package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/gradcheck/gradcheck/backend"
)

// PeakConfig says how Peak measures.
type PeakConfig struct {
	// Sizes are the orders n of the matrices timed; the best rate over
	// them is the peak. Default 1024 and 2048.
	Sizes []int
	// Count is the number of matrices per call. Default GOMAXPROCS: the CPU
	// backend then runs one matrix per core, as in a verification.
	Count int
	// MinTime is how long each operation is repeated at each size (at least
	// once, after one untimed call); the fastest call counts. Default 1s.
	MinTime time.Duration
}

// PeakResult is the throughput of a backend's two kernels that bound
// the evaluation of matrix-calculus claims, in GFLOP/s of the model of Cost.
type PeakResult struct {
	Backend string `json:"backend"`
	Count   int    `json:"count"`
	// DGEMM is the best rate of MatMul (2n³ flops per product), reached at
	// order DGEMMSize.
	DGEMM     float64 `json:"dgemm_gflops"`
	DGEMMSize int     `json:"dgemm_n"`
	// LU is the best rate of LogDet, an LU factorization with partial
	// pivoting (2n³/3 flops), reached at order LUSize.
	LU     float64 `json:"lu_gflops"`
	LUSize int     `json:"lu_n"`
}

// rate returns the peak of a kind of Result.PeakKind: "lu" or "dgemm".
func (p PeakResult) rate(kind string) float64 {
	if kind == "lu" {
		return p.LU
	}
	return p.DGEMM
}

func (c PeakConfig) withDefaults() PeakConfig {
	if len(c.Sizes) == 0 {
		c.Sizes = []int{1024, 2048}
	}
	if c.Count < 1 {
		c.Count = runtime.GOMAXPROCS(0)
	}
	if c.MinTime <= 0 {
		c.MinTime = time.Second
	}
	return c
}

// Peak measures on the spot the DGEMM and LU throughput of b on Count
// well-conditioned n×n matrices (I + G/(3√n)) for each n of cfg.Sizes.
func Peak(ctx context.Context, b backend.Backend, cfg PeakConfig) (PeakResult, error) {
	cfg = cfg.withDefaults()
	res := PeakResult{Backend: b.Name(), Count: cfg.Count}
	for _, n := range cfg.Sizes {
		x, err := wellConditioned(b, cfg.Count, n)
		if err != nil {
			return res, err
		}
		l := x.Layout()
		mm, err := bestRate(ctx, b, cfg.MinTime, OpMatMul, []backend.Layout{l, l},
			func() (backend.Tensor, error) { return b.MatMul(x, x) })
		if err == nil && mm > res.DGEMM {
			res.DGEMM, res.DGEMMSize = mm, n
		}
		var lu float64
		if err == nil {
			lu, err = bestRate(ctx, b, cfg.MinTime, OpLogDet, []backend.Layout{l},
				func() (backend.Tensor, error) { return b.LogDet(x) })
		}
		b.Free(x)
		if err != nil {
			return res, err
		}
		if lu > res.LU {
			res.LU, res.LUSize = lu, n
		}
	}
	return res, nil
}

// wellConditioned returns count n×n matrices I + G/(3√n) with Gaussian G.
func wellConditioned(b backend.Backend, count, n int) (backend.Tensor, error) {
	g, err := b.Gaussian(backend.Layout{Count: count, Rows: n, Cols: n}, 1, 0, 0)
	if err != nil {
		return nil, err
	}
	defer b.Free(g)
	s, err := b.FromHost(backend.Layout{Count: 1, Rows: 1, Cols: 1}, []float64{1 / (3 * math.Sqrt(float64(n)))})
	if err != nil {
		return nil, err
	}
	defer b.Free(s)
	sg, err := b.Scale(s, g)
	if err != nil {
		return nil, err
	}
	defer b.Free(sg)
	eye, err := b.Eye(n)
	if err != nil {
		return nil, err
	}
	defer b.Free(eye)
	return b.Elementwise(backend.Add, sg, eye)
}

// syncer is a backend whose operations may return before they finish (the
// GPU's), and its Sync waits for them.
type syncer interface{ Sync() error }

// waitFor waits for b's operations to finish, where they may not have.
func waitFor(b backend.Backend) error {
	if s, ok := b.(syncer); ok {
		return s.Sync()
	}
	return nil
}

// bestRate calls f, which applies op to operands, once untimed, then
// repeatedly for at least minTime, and returns the best rate of one call in
// GFLOP/s.
func bestRate(ctx context.Context, b backend.Backend, minTime time.Duration, op Op, operands []backend.Layout, f func() (backend.Tensor, error)) (float64, error) {
	call := func() (float64, error) {
		start := time.Now()
		t, err := f()
		if err == nil {
			err = waitFor(b)
		}
		elapsed := time.Since(start).Seconds()
		if err != nil {
			return 0, err
		}
		flops, _ := Cost(op, t.Layout(), operands...)
		b.Free(t)
		return flops / elapsed / 1e9, nil
	}
	if _, err := call(); err != nil {
		return 0, err
	}
	var best float64
	for i, begin := 0, time.Now(); i == 0 || time.Since(begin) < minTime; i++ {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("interrupted: %w", err)
		}
		r, err := call()
		if err != nil {
			return 0, err
		}
		best = max(best, r)
	}
	return best, nil
}
