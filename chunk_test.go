package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFinite checks finite's subtraction test against math.IsNaN and
// math.IsInf at the edges of the float64 range.
func TestFinite(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0x1p-1022, math.Inf(1), math.Inf(-1), math.NaN()} {
		want := !math.IsNaN(x) && !math.IsInf(x, 0)
		if got := finite(x); got != want {
			t.Errorf("finite(%g) = %v, want %v", x, got, want)
		}
	}
}

// TestJudgeCounted checks that judging an instance's comparisons as they
// come, block by block, in parts on every core (a sink with a tally only;
// see settle), tallies them exactly as judging them one by one in order
// does: the counts, the first of each status, the worst and the five
// furthest disagreements, ties included (equal ratios go to the earlier
// comparison), with the comparisons whose verdict waits on the instance's
// typical scale judged last.
func TestJudgeCounted(t *testing.T) {
	const n = 5*judgeBatch + 17
	saved := someComparisons(n)
	var all []comparison
	acc := saved
	(&verification{}).judgeInstance(&acc, 3, sink{each: func(cs []comparison) { all = append(all, cs...) }})
	var want, got tally
	want.add(all)

	acc = settledInBlocks(saved, 3, 0, 3000, 3*judgeBatch, n)
	if len(acc.pending) < 50 {
		t.Errorf("%d comparisons waited on the typical scale: too few to test", len(acc.pending))
	}
	(&verification{}).judgeInstance(&acc, 3, sink{tally: &got})
	// Printed, as NaN (no transposed claim) is unequal to itself.
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("judged as they came: %s\none by one: %s", g, w)
	}
	if want.counts.Disagreed < 100 || want.counts.Uncertain < 50 || want.counts.OutOfDomain == 0 ||
		want.counts.Kinked == 0 || len(want.top) != 5 || want.top[0].ratio() != want.top[4].ratio() {
		t.Errorf("the comparisons test too little: %+v", want.counts)
	}
}

// TestUndecideZerosCounted checks that making an instance's agreements of
// 0 against 0 undecided (see probeZeros) tallies the same whether they
// were judged as they came, block by block (settle), or are judged one by
// one from the arrays: the counts and the first comparison of each status.
func TestUndecideZerosCounted(t *testing.T) {
	const n = 3*judgeBatch + 17
	rnd := rand.New(rand.NewPCG(3, 4))
	var saved instanceComparisons
	saved.r = 3
	saved.reserve(n)
	for j := range n {
		st := agreed
		switch {
		case j%100 == 7:
			st = kinked
		case j%150 == 11:
			st = outOfDomain
		}
		saved.est, saved.claimed = append(saved.est, 0), append(saved.claimed, 0)
		saved.tol, saved.status = append(saved.tol, rnd.ExpFloat64()), append(saved.status, st)
		if st == agreed {
			saved.finite++
		}
	}
	var all []comparison
	acc := saved
	acc.status = slices.Clone(saved.status)
	acc.undecideZeros()
	(&verification{}).judgeInstance(&acc, 2, sink{each: func(cs []comparison) { all = append(all, cs...) }})
	var want tally
	want.add(all)

	acc = settledInBlocks(saved, 2, 0, 1000, 2*judgeBatch, n)
	acc.undecideZeros()
	var got tally
	(&verification{}).judgeInstance(&acc, 2, sink{tally: &got})
	if got.counts != want.counts || got.counts.Agreed != 0 || got.counts.Uncertain == 0 || got.counts.Kinked == 0 || got.counts.OutOfDomain == 0 {
		t.Errorf("counts judged as they came %+v, one by one %+v", got.counts, want.counts)
	}
	for st := range statuses {
		if got.seen[st] != want.seen[st] || got.seen[st] && (got.first[st].instance != want.first[st].instance ||
			got.first[st].direction != want.first[st].direction || got.first[st].output != want.first[st].output ||
			got.first[st].status != want.first[st].status) {
			t.Errorf("first %v: judged as they came %+v (%v), one by one %+v (%v)", st, got.first[st], got.seen[st], want.first[st], want.seen[st])
		}
	}
	if got.hasWorst || want.hasWorst {
		t.Errorf("a worst case among undecided comparisons: %v as they came, %v one by one", got.hasWorst, want.hasWorst)
	}
}

// settledInBlocks returns a copy of saved, the comparisons of the given
// instance, counted: settled block by block, the blocks [cuts[k],
// cuts[k+1]), as addComparisons and settle leave them. saved keeps its
// statuses.
func settledInBlocks(saved instanceComparisons, instance int, cuts ...int) instanceComparisons {
	acc := saved
	acc.counted = true
	for k := range len(cuts) - 1 {
		lo, hi := cuts[k], cuts[k+1]
		acc.est, acc.claimed, acc.tol = saved.est[lo:hi], saved.claimed[lo:hi], saved.tol[lo:hi]
		acc.status = slices.Clone(saved.status[lo:hi])
		acc.settle(instance)
	}
	return acc
}

// someComparisons returns n comparisons of an instance, as addComparisons
// leaves them: one in 200 disagrees at the same ratio, one in 200 at a
// lesser one, one in 200 each is undecided, out of the domain and kinked,
// and one in 20 agrees only once the typical scale is known.
func someComparisons(n int) instanceComparisons {
	rnd := rand.New(rand.NewPCG(1, 2))
	var acc instanceComparisons
	acc.unit, acc.r = 2, 7
	acc.reserve(n)
	for range n {
		est := rnd.NormFloat64()
		claimed, tol, st := est+1e-9*rnd.NormFloat64(), 1e-8, agreed
		switch k := rnd.IntN(200); {
		case k == 0:
			est, claimed = 0.5, 1.5 // disagrees, at ratio 10⁸ every time: a tie
		case k == 1:
			claimed = est + 1e-6*rnd.Float64() // disagrees, at a lesser ratio
		case k == 2:
			tol = 1 // too loose to say: undecided
		case k == 3:
			st = outOfDomain
		case k == 4:
			st = kinked
		case k < 15:
			// Too small for its tolerance to say alone, not against
			// the typical scale: agreed, once that is known.
			est *= 1e-9
			claimed = est
		}
		acc.est, acc.claimed, acc.tol = append(acc.est, est), append(acc.claimed, claimed), append(acc.tol, tol)
		acc.status = append(acc.status, st)
	}
	// The first comparison waits on the typical scale, and the last is
	// undecided at once: each reaches a tally counting as they come
	// before the first of its status does.
	acc.est[0] *= 1e-9
	acc.claimed[0] = acc.est[0]
	acc.est[n-1] = math.NaN()
	for _, est := range acc.est {
		if finite(est) {
			acc.sumSq, acc.finite = acc.sumSq+est*est, acc.finite+1
		}
	}
	return acc
}

// BenchmarkJudgeInstance judges a million comparisons, as an entrywise
// check of d(X⁻¹) makes at n = 32: counted as they come, and formed one by
// one.
func BenchmarkJudgeInstance(b *testing.B) {
	saved := someComparisons(1 << 20)
	for _, formed := range []bool{false, true} {
		b.Run(fmt.Sprintf("formed=%v", formed), func(b *testing.B) {
			var t tally
			s := sink{tally: &t}
			if formed {
				s.each = func([]comparison) {}
			}
			for b.Loop() {
				acc := saved
				if acc.counted = !formed; acc.counted {
					acc.settle(0)
				}
				(&verification{}).judgeInstance(&acc, 0, s)
			}
		})
	}
}

// TestPlainAgreement checks settle's division-free shortcut against the
// long way it stands for (measure, settle, records) on comparisons placed
// at each of its boundaries, a rounding either side: wherever it takes a
// comparison, the long way would count it as agreed and keep nothing of
// it; and it takes the plain agreements, the bulk of every check.
func TestPlainAgreement(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	near := func(x float64) float64 { // x moved by up to a few roundings
		for range rnd.IntN(4) {
			x = math.Nextafter(x, math.Inf(rnd.IntN(2)*2-1))
		}
		return x
	}
	units := []float64{1, 2, 3, 1e6 / 7, 1e300}
	taken := 0
	for trial := range 200000 {
		u := units[trial%len(units)]
		var tl tally
		tl.seen[agreed], tl.hasWorst, tl.worstRatio = true, true, []float64{0, 0.3, 1, math.Inf(1)}[rnd.IntN(4)]
		est := u * rnd.NormFloat64() * math.Pow(10, float64(rnd.IntN(40)-20))
		claimed := est * (1 + 1e-9*rnd.NormFloat64())
		scale := math.Max(math.Abs(est), math.Abs(claimed))
		err := math.Abs(est - claimed)
		var tol float64
		switch rnd.IntN(7) {
		case 0: // at the disagreement boundary
			tol = near(err)
		case 1: // at the boundary of too loose to say alone
			tol = near(uncertain * scale)
		case 2: // at the worst ratio so far
			tol = near(err / tl.worstRatio)
		case 3: // tiny values, divided by u into subnormals
			est, claimed = near(u*0x1p-1060), near(u*0x1p-1061)
			tol = near(u * 0x1p-1040)
		case 4: // zeros and values beyond the range
			est = []float64{0, math.Inf(1), math.NaN(), est}[rnd.IntN(4)]
			claimed = []float64{0, est, claimed}[rnd.IntN(3)]
			tol = []float64{0, math.Inf(1), math.NaN(), err}[rnd.IntN(4)]
		default: // a plain agreement
			tol = err * math.Pow(10, 1+4*rnd.Float64())
		}
		if !tl.plainAgreement(est, claimed, tol, u) {
			continue
		}
		taken++
		acc := instanceComparisons{unit: u, est: []float64{est}, claimed: []float64{claimed}, tol: []float64{tol}}
		if u == 1 {
			acc.unit = 0 // as for random directions
		}
		m := acc.measure(0)
		st, wait := m.settle()
		if st != agreed || wait || tl.records(st, &m) {
			t.Fatalf("taken, but the long way says %v, wait %v, records %v: est %g, claimed %g, tol %g, unit %g, worst ratio %g",
				st, wait, tl.records(st, &m), est, claimed, tol, u, tl.worstRatio)
		}
	}
	if taken < 40000 {
		t.Errorf("took %d of 200000: too few to test", taken)
	}
	// Nothing is taken before the first agreement and the worst are known.
	var fresh tally
	if fresh.plainAgreement(1, 1, 1e-3, 1) {
		t.Error("took a comparison before any was tallied")
	}
}

// TestWorstIsNotAnExactAgreement checks that a comparison of 0 against 0
// with a tolerance of 0 (both sides exact, as a determinant that LU makes
// exactly 0) is no worst case: before, its ratio 0/0 counted as infinite,
// and a failed claim named it as the instance to re-run, which passed.
func TestWorstIsNotAnExactAgreement(t *testing.T) {
	exact := comparison{instance: 0, status: agreed}
	off := comparison{instance: 1, status: disagreed, measure: measure{fd: 1e-121, err: 1e-121, tol: 1e-134, scale: 1e-121}}
	beyond := comparison{instance: 2, status: disagreed, measure: measure{fd: 1e-121, err: 1e-121, scale: 1e-121}}
	tests := []struct {
		cs    []comparison
		worst int
	}{
		{[]comparison{exact, off}, 1},
		{[]comparison{off, exact}, 1},
		{[]comparison{exact}, 0},
		// Any error against a tolerance of 0 is infinitely far.
		{[]comparison{exact, off, beyond}, 2},
	}
	for _, tt := range tests {
		var tl tally
		tl.add(tt.cs)
		if tl.worst.instance != tt.worst {
			t.Errorf("%v: worst is instance %d, want %d", tt.cs, tl.worst.instance, tt.worst)
		}
	}
}
