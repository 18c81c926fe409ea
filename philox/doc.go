// Package philox is gradcheck's counter-based random number generator: the
// Philox4x32-10 block function, and a Gaussian stream built on it from exact
// floating-point operations only, so that a CUDA kernel compiled with
// --fmad=false reproduces every draw bit for bit.
//
// # Block function
//
// Block is Philox4x32-10 of Salmon, Moraes, Dror and Shaw, "Parallel random
// numbers: as easy as 1, 2, 3" (SC'11), as in Random123: ten rounds of
//
//	(hi0, lo0) = 0xD2511F53 · ctr[0]   (64-bit product split into halves)
//	(hi1, lo1) = 0xCD9E8D57 · ctr[2]
//	ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
//
// with the key bumped by key[0] += 0x9E3779B9, key[1] += 0xBB67AE85 (mod
// 2^32) between rounds. It reproduces Random123's known-answer vectors.
//
// # Uniform map
//
// Uniform(hi, lo) takes the top 53 bits m = (hi<<32 | lo) >> 11 of the
// 64-bit word and returns (2m + 1 − 2^53) · 2^−53, an odd multiple of 2^−53
// in the open interval (−1, 1). The integer 2m + 1 − 2^53 is formed in
// 64-bit signed integer arithmetic; its conversion to float64 and the
// scaling by 2^−53 are both exact.
//
// # Gaussian stream
//
// Fill(dst, key, stream, index) writes N(0,1) draws by the Marsaglia polar
// method. Entries are produced in pairs: pair p = 0, 1, 2, … fills dst[2p]
// and dst[2p+1] (when len(dst) is odd the last pair writes only dst[2p]).
// For pair p and attempt a = 0, 1, …, 63:
//
//	w = Block({p, a, index, stream}, {uint32(key), uint32(key >> 32)})
//	u = Uniform(w[0], w[1])
//	v = Uniform(w[2], w[3])
//	s = (u·u) + (v·v)             each product rounded, then the sum rounded
//	if 0 < s < 1:                 accept
//	    f = sqrt(((−2)·Log(s)) / s)
//	    dst[2p] = u·f; dst[2p+1] = v·f; next pair
//
// If none of the 64 attempts is accepted (probability about 0.2146^64, i.e.
// never in practice) both entries are 0. Every operation above is a single
// correctly rounded IEEE-754 double operation (+, −, ×, ÷, sqrt) evaluated in
// the order written, with no fused multiply-add, and Log is the function of
// this package, which is built from the same operations (see Log). A draw
// therefore depends only on (key, stream, index, position) and not on the
// length of dst: a longer fill extends a shorter one.
//
// # Implementation
//
// Fill and FillAt make the attempts of 32 pairs side by side; on amd64
// processors with AVX2 (see Assembly) an assembly kernel makes them, four
// to an instruction, with the same operations on the same values as the Go
// code, so that the draws do not depend on the processor.
//
// # Reproducing in CUDA C
//
// Compile with --fmad=false (or write every product with __dmul_rn and
// every sum with __dadd_rn), use sqrt (correctly rounded in CUDA double
// precision) and transcribe Log operation by operation with the same
// constants (given in hexadecimal bit patterns in this file's source).
package philox
