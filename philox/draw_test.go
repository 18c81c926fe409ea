package philox

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refAttempt makes one attempt of the polar method on the counter c, as
// the package documentation writes it: the draws and whether the attempt
// is accepted.
func refAttempt(c [4]uint32, key [2]uint32) (x, y float64, ok bool) {
	w := Block(c, key)
	u, v := Uniform(w[0], w[1]), Uniform(w[2], w[3])
	s := float64(u*u) + float64(v*v)
	if !(s > 0 && s < 1) {
		return 0, 0, false
	}
	f := math.Sqrt(float64(-2*Log(s)) / s)
	return float64(u * f), float64(v * f), true
}

// drawFunc is the signature of draw, drawGo and drawAVX.
type drawFunc func(out *[2 * lanes]float64, s *schedule, ctr *[lanes]uint64, n int, p, index, stream uint32) uint32

// checkDraw calls fn on ctr[:n] (with the other lanes of ctr set to
// garbage) and checks each lane below n against refAttempt: the rejected
// bit, and the draws bit for bit where accepted; and that no bit from n on
// is set. It returns the number of lanes checked.
func checkDraw(t *testing.T, name string, fn drawFunc, key [2]uint32, ctr [lanes]uint64, n int, p, index, stream uint32) int {
	t.Helper()
	for j := n; j < lanes; j++ {
		ctr[j] = 0xdeadbeef_00c0ffee * uint64(j+1)
	}
	var out [2 * lanes]float64
	rejected := fn(&out, newSchedule(key), &ctr, n, p, index, stream)
	if rejected>>n != 0 && n < lanes {
		t.Fatalf("%s(n = %d) = %032b: bits from n on", name, n, rejected)
	}
	for j, c := range ctr[:n] {
		cnt := [4]uint32{p + uint32(c), uint32(c >> 32), index, stream}
		x, y, ok := refAttempt(cnt, key)
		if got := rejected&(1<<j) == 0; got != ok {
			t.Fatalf("%s: counter %08x, key %08x (lane %d of %d): accepted %v, want %v", name, cnt, key, j, n, got, ok)
		}
		if ok && (math.Float64bits(out[2*j]) != math.Float64bits(x) || math.Float64bits(out[2*j+1]) != math.Float64bits(y)) {
			t.Fatalf("%s: counter %08x, key %08x (lane %d of %d): draws %v, %v, want %v, %v",
				name, cnt, key, j, n, out[2*j], out[2*j+1], x, y)
		}
	}
	return n
}

// TestDrawRandomCounters checks draw (the assembly kernel where it runs)
// and drawGo against the documented attempt over random counters, keys and
// lane counts n = 1…32 (every rounding of n to the kernel's eight lanes),
// with p near 2^32 as well, where p + position wraps around.
func TestDrawRandomCounters(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for it := range 3000 {
		key := [2]uint32{rng.Uint32(), rng.Uint32()}
		var ctr [lanes]uint64
		for j := range ctr {
			ctr[j] = uint64(rng.Uint32N(MaxAttempts))<<32 | uint64(rng.Uint32())
		}
		n := 1 + it%lanes
		p, index, stream := rng.Uint32(), rng.Uint32(), rng.Uint32()
		if it%3 == 0 {
			p = -uint32(n / 2) // p + position wraps around 2^32 mid-batch
			for j := range ctr {
				ctr[j] = ctr[j]&^(1<<32-1) | uint64(j)
			}
		}
		checked += checkDraw(t, "draw", draw, key, ctr, n, p, index, stream)
		checkDraw(t, "drawGo", drawGo, key, ctr, n, p, index, stream)
	}
	t.Logf("%d attempts checked on each path (assembly: %v)", checked, Assembly)
}

// mulInverse returns the inverse of the odd a modulo 2^32 (Newton's
// iteration doubles the correct low bits, from 3 for x = a).
func mulInverse(a uint32) uint32 {
	x := a
	for range 4 {
		x *= 2 - a*x
	}
	return x
}

// invBlock returns the counter whose Block under key is w: the rounds
// undone from the last, each word of a round recovered from a low half
// (times the multiplier's inverse) or by XOR.
func invBlock(w [4]uint32, key [2]uint32) [4]uint32 {
	s := newSchedule(key)
	inv0, inv1 := mulInverse(mul0), mulInverse(mul1)
	for r := Rounds - 1; r >= 0; r-- {
		c0, c2 := w[3]*inv0, w[1]*inv1
		h0 := uint32(uint64(mul0) * uint64(c0) >> 32)
		h1 := uint32(uint64(mul1) * uint64(c2) >> 32)
		w = [4]uint32{c0, w[0] ^ h1 ^ s[r][0], c2, w[2] ^ h0 ^ s[r][1]}
	}
	return w
}

// uniformWords returns words hi, lo with Uniform(hi, lo) = u, for an odd
// multiple u of 2^−53 in (−1, 1), with garbage in the 11 bits Uniform
// drops.
func uniformWords(u float64, garbage uint32) (hi, lo uint32) {
	k := int64(u * 0x1p53) // odd, exact
	x := uint64(k+1<<53-1)/2<<11 | uint64(garbage&0x7ff)
	return uint32(x >> 32), uint32(x)
}

// squares returns odd multiples u, v of 2^−53 in (0, 1) with
// (u·u) + (v·v) = q, each operation rounded, searching u downwards from √q
// on the grid and v near √(q − u·u); ok is false where it finds none.
func squares(q float64) (u, v float64, ok bool) {
	const g = 0x1p-53
	k := min(int64(math.Sqrt(q)/g)|1, 1<<53-1)
	for du := int64(0); du < 1000 && k-2*du > 0; du++ {
		u := float64(k-2*du) * g
		uu := float64(u * u)
		if uu >= q {
			continue
		}
		kv := int64(math.Sqrt(q-uu)/g) | 1
		for dv := int64(-8); dv <= 8; dv++ {
			if kv+2*dv <= 0 || kv+2*dv >= 1<<53 {
				continue
			}
			v := float64(kv+2*dv) * g
			if float64(uu+float64(v*v)) == q {
				return u, v, true
			}
		}
	}
	return 0, 0, false
}

// TestDrawBoundaries builds counters whose q lands exactly on the values
// where the computation branches or changes binade, by inverting Philox:
// q = √2·2^k and 2^k and their neighbours for k = 0…−37 (where logUnits
// halves m and where its exponent changes; below, the grid of u·u + v·v is
// too coarse to hit them), the largest q accepted (1 − 2^−53), q = 1 and
// above (rejected), and the smallest q (2^−105 and its next values); for
// each, both signs of u and v, in every lane position. It checks draw and
// drawGo against the documented attempt on each.
func TestDrawBoundaries(t *testing.T) {
	const g = 0x1p-53
	uvs := [][2]float64{{g, g}, {3 * g, g}, {g, 3 * g}, {3 * g, 5 * g}, {1 - g, g}, {1 - g, 1 - g}}
	for k := 0; k >= -37; k-- {
		for _, b := range []float64{math.Ldexp(sqrt2, k), math.Ldexp(1, k)} {
			for _, q := range []float64{b, math.Nextafter(b, 0), math.Nextafter(b, 2)} {
				u, v, ok := squares(q)
				if !ok {
					t.Fatalf("found no u, v with u·u + v·v = %v", q)
				}
				uvs = append(uvs, [2]float64{u, v})
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	key := [2]uint32{0x01234567, 0x89abcdef}
	for i, uv := range uvs {
		for signs := range 4 {
			u, v := uv[0], uv[1]
			if signs&1 != 0 {
				u = -u
			}
			if signs&2 != 0 {
				v = -v
			}
			var w [4]uint32
			w[0], w[1] = uniformWords(u, rng.Uint32())
			w[2], w[3] = uniformWords(v, rng.Uint32())
			if Uniform(w[0], w[1]) != u || Uniform(w[2], w[3]) != v {
				t.Fatalf("uniformWords(%v) or uniformWords(%v) is wrong", u, v)
			}
			c := invBlock(w, key)
			if Block(c, key) != w {
				t.Fatalf("Block(invBlock(%08x)) = %08x", w, Block(c, key))
			}
			// Lane j holds the counter (with p = c[0], its position 0
			// and attempt c[1]), the other lanes random ones.
			j := (4*i + signs) % lanes
			var ctr [lanes]uint64
			for l := range ctr {
				ctr[l] = rng.Uint64()
			}
			ctr[j] = uint64(c[1]) << 32
			checkDraw(t, "draw", draw, key, ctr, lanes, c[0], c[2], c[3])
			checkDraw(t, "drawGo", drawGo, key, ctr, lanes, c[0], c[2], c[3])
		}
	}
}

// TestRetriesRun checks the queue of rejected attempts: an accepted
// attempt writes its pair's entries, a rejected one is kept with the next
// attempt, and a rejected last attempt writes zeros and leaves the queue.
func TestRetriesRun(t *testing.T) {
	key := [2]uint32{3, 4}
	s := newSchedule(key)
	const p, index, stream = 1000, 5, 6
	// Find distinct pairs (positions from p) whose attempt a is accepted
	// or rejected.
	find := func(a uint32, accepted bool, from uint32) uint32 {
		for k := from; ; k++ {
			if _, _, ok := refAttempt([4]uint32{p + k, a, index, stream}, key); ok == accepted {
				return k
			}
		}
	}
	acc := find(7, true, 0)
	rej := find(8, false, acc+1)
	last := find(MaxAttempts-1, false, rej+1)
	dst := make([]float64, 2*last+2)
	for i := range dst {
		dst[i] = 42
	}
	var r retries
	r.ctr[0] = 7<<32 | uint64(acc)
	r.ctr[1] = 8<<32 | uint64(rej)
	r.ctr[2] = (MaxAttempts-1)<<32 | uint64(last)
	r.n = 3
	r.run(dst, s, p, index, stream)
	x, y, _ := refAttempt([4]uint32{p + acc, 7, index, stream}, key)
	if dst[2*acc] != x || dst[2*acc+1] != y {
		t.Errorf("accepted attempt wrote %v, %v, want %v, %v", dst[2*acc], dst[2*acc+1], x, y)
	}
	if r.n != 1 || r.ctr[0] != 9<<32|uint64(rej) {
		t.Errorf("queue after run: %x (n = %d), want [%x]", r.ctr[:r.n], r.n, 9<<32|uint64(rej))
	}
	if dst[2*rej] != 42 || dst[2*rej+1] != 42 {
		t.Errorf("rejected attempt wrote %v, %v", dst[2*rej], dst[2*rej+1])
	}
	if dst[2*last] != 0 || dst[2*last+1] != 0 {
		t.Errorf("rejected last attempt wrote %v, %v, want zeros", dst[2*last], dst[2*last+1])
	}
}
