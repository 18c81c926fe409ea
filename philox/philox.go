package philox

import (
	"math"
	"math/bits"
)

// Philox4x32 constants (Random123).
const (
	mul0  = 0xD2511F53
	mul1  = 0xCD9E8D57
	bump0 = 0x9E3779B9
	bump1 = 0xBB67AE85
)

// Rounds is the number of Philox rounds used by Block.
const Rounds = 10

// MaxAttempts is the number of polar-method attempts Fill makes for one
// pair before it gives up and writes zeros.
const MaxAttempts = 64

// Block returns the Philox4x32-10 encryption of the counter ctr under key.
func Block(ctr [4]uint32, key [2]uint32) [4]uint32 {
	return block(ctr, key, Rounds)
}

// block is Philox4x32 with the given number of rounds (Random123's
// philox4x32_R), so that tests can also check the 7-round vectors.
func block(ctr [4]uint32, key [2]uint32, rounds int) [4]uint32 {
	for r := 0; r < rounds; r++ {
		if r > 0 {
			key[0] += bump0
			key[1] += bump1
		}
		p0 := uint64(mul0) * uint64(ctr[0])
		p1 := uint64(mul1) * uint64(ctr[2])
		hi0, lo0 := uint32(p0>>32), uint32(p0)
		hi1, lo1 := uint32(p1>>32), uint32(p1)
		ctr = [4]uint32{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
	}
	return ctr
}

// Uniform maps the 64-bit word hi<<32 | lo to an odd multiple of 2^−53 in
// (−1, 1): with m = (hi<<32 | lo) >> 11 (53 bits) it returns
// (2m + 1 − 2^53)·2^−53 exactly. The result is symmetric about 0 and never
// 0, −1 or 1.
func Uniform(hi, lo uint32) float64 {
	m := (uint64(hi)<<32 | uint64(lo)) >> 11
	k := int64(2*m+1) - 1<<53 // odd, |k| ≤ 2^53 − 1: exact in float64
	return float64(k) * 0x1p-53
}

// Fill fills dst with independent standard normal draws from the stream
// selected by (key, stream, index), by the polar method described in the
// package documentation. Entry i of dst depends only on (key, stream,
// index, i).
func Fill(dst []float64, key uint64, stream, index uint32) {
	FillAt(dst, key, stream, index, 0)
}

// FillAt writes entries offset, offset+1, … of the stream that Fill writes
// from entry 0, so that disjoint parts of one stream can be drawn at once.
// It panics unless offset is even and non-negative (entries come in pairs).
//
// It makes the first attempts of the pairs side by side, lanes at a time
// (the pairs of dst[i:i+2·lanes] for each multiple i of 2·lanes), queues
// the rejected ones (about one in five) and redoes them lanes at a time as
// well, and draws the pairs of a last part shorter than 2·lanes one by one
// with pair. Every draw is pair's, bit for bit: the same operations on the
// same values.
func FillAt(dst []float64, key uint64, stream, index uint32, offset int) {
	if offset < 0 || offset%2 != 0 {
		panic("philox: FillAt: offset must be even and non-negative")
	}
	// The queue of rejected attempts holds 32-bit positions: draw a
	// longer dst (over 8 GiB) in parts.
	const part = 1 << 30
	for len(dst) > part {
		FillAt(dst[:part], key, stream, index, offset)
		dst, offset = dst[part:], offset+part
	}
	ks := newSchedule([2]uint32{uint32(key), uint32(key >> 32)})
	p := uint32(offset / 2)
	full := len(dst) - len(dst)%(2*lanes)
	var r retries
	for i := 0; i < full; i += 2 * lanes {
		k := uint32(i / 2)
		rejected := draw((*[2 * lanes]float64)(dst[i:]), ks, &firstAttempts, lanes, p+k, index, stream)
		for ; rejected != 0; rejected &= rejected - 1 {
			r.ctr[r.n] = 1<<32 | uint64(k+uint32(bits.TrailingZeros32(rejected)))
			r.n++
			if r.n == lanes {
				r.run(dst, ks, p, index, stream)
			}
		}
	}
	for r.n > 0 {
		r.run(dst, ks, p, index, stream)
	}
	for i := full; i < len(dst); i += 2 {
		x, y := ks.pair(p+uint32(i/2), index, stream)
		dst[i] = x
		if i+1 < len(dst) {
			dst[i+1] = y
		}
	}
}

// lanes is the number of attempts that draw makes side by side: enough
// independent chains of arithmetic to keep the processor's units busy (one
// attempt alone is a chain of some 200 cycles of latency: the Philox
// rounds, Log's Horner scheme, a division and a square root). Measured on
// the 2-core VM with the Go code of drawGo, and rejected attempts redone
// one at a time (BenchmarkFill, ns per draw): one pair at a time 30, 4
// side by side 22, 8 20, 16 19, 32 18. With the AVX2 kernel, redoing the
// rejected attempts one at a time cost 9 ns per draw, queueing them and
// redoing them lanes at a time 4 (the Go kernel: 18 either way).
const lanes = 32

// firstAttempts lists the attempts that draw makes for lanes consecutive
// pairs from the first: attempt 0 of pair j in lane j.
var firstAttempts = func() (ctr [lanes]uint64) {
	for j := range ctr {
		ctr[j] = uint64(j)
	}
	return ctr
}()

// retries queues the rejected attempts of a fill, to be redone side by
// side: ctr[:n] as draw takes them (the pair's position in the fill in the
// low 32 bits, the attempt to make next in the high 32), out the draws.
type retries struct {
	ctr [lanes]uint64
	n   int
	out [2 * lanes]float64
}

// run makes the queued attempts of the fill of dst whose first pair is p,
// writes the draws of each accepted one to its pair's entries of dst (or
// zeros where the last attempt is rejected) and keeps the others queued
// with the next attempt.
func (r *retries) run(dst []float64, s *schedule, p, index, stream uint32) {
	rejected := draw(&r.out, s, &r.ctr, r.n, p, index, stream)
	n := 0
	for j, c := range r.ctr[:r.n] {
		k := 2 * int(uint32(c))
		switch {
		case rejected&(1<<j) == 0:
			dst[k], dst[k+1] = r.out[2*j], r.out[2*j+1]
		case c>>32 == MaxAttempts-1:
			dst[k], dst[k+1] = 0, 0
		default:
			r.ctr[n] = c + 1<<32
			n++
		}
	}
	r.n = n
}

// drawGo makes the attempts ctr[:n] side by side (n ≤ lanes), attempt
// ctr[j]>>32 of pair p+uint32(ctr[j]) in lane j: for each accepted one it
// writes the draws to out[2j] and out[2j+1], as pair would, and it returns
// the set of the rejected ones, bit j for lane j, whose entries of out
// (and those of the lanes from n on) it leaves unspecified. It is draw
// where Assembly is false, the portable twin of the assembly kernel, and
// its reference in the tests.
func drawGo(out *[2 * lanes]float64, s *schedule, ctr *[lanes]uint64, n int, p, index, stream uint32) (rejected uint32) {
	var u, v, q, l [lanes]float64
	for j, c := range ctr[:n] {
		w0, w1, w2, w3 := s.block(p+uint32(c), uint32(c>>32), index, stream)
		u[j], v[j] = Uniform(w0, w1), Uniform(w2, w3)
		q[j] = float64(u[j]*u[j]) + float64(v[j]*v[j])
	}
	// A rejected q (in [1, 2); never 0, as u, v ≠ 0) and the q = 0 of the
	// lanes from n on give logUnits a finite value that is not used.
	logUnits(&l, &q)
	for j := range n {
		if !(q[j] > 0 && q[j] < 1) {
			rejected |= 1 << j
			continue
		}
		f := math.Sqrt(float64(-2*l[j]) / q[j])
		out[2*j], out[2*j+1] = float64(u[j]*f), float64(v[j]*f)
	}
	return rejected
}

// schedule holds the key of each round of Block under one key: the same
// for every counter, so a fill computes them once.
type schedule [Rounds][2]uint32

func newSchedule(key [2]uint32) *schedule {
	var s schedule
	for r := range s {
		s[r] = key
		key[0] += bump0
		key[1] += bump1
	}
	return &s
}

// block is Block({c0, c1, c2, c3}, key) for the schedule of key, on four
// scalars that stay in registers.
func (s *schedule) block(c0, c1, c2, c3 uint32) (uint32, uint32, uint32, uint32) {
	for r := range s {
		p0 := uint64(mul0) * uint64(c0)
		p1 := uint64(mul1) * uint64(c2)
		c0, c1, c2, c3 = uint32(p1>>32)^c1^s[r][0], uint32(p1), uint32(p0>>32)^c3^s[r][1], uint32(p0)
	}
	return c0, c1, c2, c3
}

// pair returns the two draws of pair p of stream (index, stream), one
// attempt after the other.
func (s *schedule) pair(p, index, stream uint32) (x, y float64) {
	for a := uint32(0); a < MaxAttempts; a++ {
		w0, w1, w2, w3 := s.block(p, a, index, stream)
		u, v := Uniform(w0, w1), Uniform(w2, w3)
		if q := float64(u*u) + float64(v*v); q > 0 && q < 1 {
			f := math.Sqrt(float64(-2*Log(q)) / q)
			return float64(u * f), float64(v * f)
		}
	}
	return 0, 0
}

// Constants of Log, with their IEEE-754 bit patterns for transcription.
const (
	// ln2Hi is the leading 32 bits of ln 2 (0x3FE62E42FEE00000): k·ln2Hi is
	// exact for every exponent k of a float64.
	ln2Hi = 6.93147180369123816490e-01
	// ln2Lo is ln 2 − ln2Hi rounded (0x3DEA39EF35793C76).
	ln2Lo = 1.90821492927058770002e-10
	// sqrt2 is √2 rounded to float64 (0x3FF6A09E667F3BCD).
	sqrt2 = 1.41421356237309514547e+00
	// two54 is 2^54 (0x4350000000000000), the pre-scaling of subnormals.
	two54 = 0x1p54
)

// logCoef are the coefficients c_j = 2/(2j+1), j = 1…11, of
//
//	log((1+s)/(1−s)) = 2s + s·(c_1 z + c_2 z² + … ),  z = s²,
//
// each the float64 nearest to 2/(2j+1). For |s| ≤ 3 − 2√2 ≈ 0.1716 the
// first omitted term is below 2^−60 relative to the result.
var logCoef = [11]float64{
	2.0 / 3,  // 0x3FE5555555555555
	2.0 / 5,  // 0x3FD999999999999A
	2.0 / 7,  // 0x3FD2492492492492
	2.0 / 9,  // 0x3FCC71C71C71C71C
	2.0 / 11, // 0x3FC745D1745D1746
	2.0 / 13, // 0x3FC3B13B13B13B14
	2.0 / 15, // 0x3FC1111111111111
	2.0 / 17, // 0x3FBE1E1E1E1E1E1E
	2.0 / 19, // 0x3FBAF286BCA1AF28
	2.0 / 21, // 0x3FB8618618618618
	2.0 / 23, // 0x3FB642C8590B2164
}

// Log returns the natural logarithm of x, to within one ulp, computed only
// with correctly rounded +, −, ×, ÷ and bit manipulation in a fixed order,
// so that a CUDA C transcription compiled without FMA contraction returns
// bit-identical results. Special cases: Log(+Inf) = +Inf, Log(0) = −Inf,
// Log(x < 0) = NaN, Log(NaN) = NaN.
//
// The algorithm (after fdlibm's e_log.c, with a Taylor instead of a minimax
// polynomial):
//
//  1. If x is subnormal, x = x·2^54 and k = −54, else k = 0.
//  2. From the bits of x: k += biased exponent − 1023, and m is x with its
//     exponent field set to 1023, so m ∈ [1, 2). If m ≥ √2: m = m·0.5 and
//     k = k + 1, so m ∈ [√½, √2).
//  3. f = m − 1 (exact), s = f / (2 + f), z = s·s,
//     R = z·(c1 + z·(c2 + … + z·c11)) with c_j = 2/(2j+1) (Horner, each
//     product and sum rounded), hfsq = (0.5·f)·f.
//  4. With K = float64(k):
//     log x = K·ln2Hi − ((hfsq − (s·(hfsq + R) + K·ln2Lo)) − f).
//
// This uses log m = log((1+s)/(1−s)) = 2s + s·R and 2s = f − hfsq + s·hfsq.
func Log(x float64) float64 {
	switch {
	case x != x || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case x > math.MaxFloat64:
		return x
	}
	k := 0
	bits := math.Float64bits(x)
	if bits>>52 == 0 { // subnormal (x > 0, so the sign bit is 0)
		x = x * two54
		k = -54
		bits = math.Float64bits(x)
	}
	k += int(bits>>52) - 1023
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	if m >= sqrt2 {
		m = m * 0.5
		k++
	}
	f := m - 1
	s := f / float64(2+f)
	z := float64(s * s)
	r := logCoef[10]
	for j := 9; j >= 0; j-- {
		r = logCoef[j] + float64(z*r)
	}
	r = float64(z * r)
	hfsq := float64(float64(0.5*f) * f)
	kf := float64(k)
	t := float64(s*float64(hfsq+r)) + float64(kf*ln2Lo)
	return float64(kf*ln2Hi) - float64(float64(hfsq-t)-f)
}

// logUnits sets out[j] to Log of q[j], bit for bit, for the normal
// numbers in [2^−1022, 2) that the polar method's q takes (a finite value
// that is not the logarithm for q = 0), side by side: Log's steps without
// its special cases, which such arguments never take, and without a branch
// on m ≥ √2, which a random m would mispredict half the time.
func logUnits(out, q *[lanes]float64) {
	var f, kf, s, z, r [lanes]float64
	for j, x := range q {
		bits := math.Float64bits(x)
		m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
		up := 0
		if m >= sqrt2 {
			up = 1
		}
		// m·0.5 or m·1, both exact, as Log's m·0.5.
		m = m * math.Float64frombits(uint64(1023-up)<<52)
		f[j], kf[j] = m-1, float64(int(bits>>52)-1023+up)
		s[j] = f[j] / float64(2+f[j])
		z[j] = float64(s[j] * s[j])
		r[j] = logCoef[10]
	}
	for c := 9; c >= 0; c-- {
		for j := range lanes {
			r[j] = logCoef[c] + float64(z[j]*r[j])
		}
	}
	for j := range lanes {
		r := float64(z[j] * r[j])
		hfsq := float64(float64(0.5*f[j]) * f[j])
		t := float64(s[j]*float64(hfsq+r)) + float64(kf[j]*ln2Lo)
		out[j] = float64(kf[j]*ln2Hi) - float64(float64(hfsq-t)-f[j])
	}
}
