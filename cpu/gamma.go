package cpu

import "math"

// The log-gamma function and its first two derivatives, digamma and
// trigamma, for the likelihoods of statistics (gamma, Dirichlet,
// Student-t, negative binomial). Like the activations they are written out
// operation by operation on math.Log (through log, which also takes
// subnormal numbers) and +, −, ×, ÷ only, so that kernels/activations.cu
// can transcribe them and the GPU backend compute the same bits; math.Lgamma
// has polynomial pieces of its own that the kernels would have to follow.
// Each product that meets a sum is an explicit float64 conversion, which Go
// never fuses into a multiply-add (the kernels write __dmul_rn there).
//
// They are defined for x > 0 only: NaN for x ≤ 0 and for NaN, which the
// verifier counts as out of the domain, as it does log of a negative
// number. At +Inf lgamma and digamma are +Inf, trigamma 0.
//
// The ranges, with gammaSeriesFrom = 10:
//
//   - x ≥ 10: the asymptotic (Stirling) series in 1/x, its terms through
//     B₁₄ for lgamma, B₁₆ for digamma and B₁₈ for trigamma; the next term
//     is below 10⁻¹⁷ of the value at x = 10.
//   - 0.5 ≤ x < 2.5 (lgammaCore, digammaCore): Taylor series. At 2, in z = x − 2 (exact)
//     for 1.75 ≤ x < 2.5; through Γ(x+1) = x·Γ(x) at z = x − 1 for x <
//     1.2, lgamma(x) = lgamma(2+z) − log x, digamma(x) = digamma(2+z) −
//     1/x; and at x₀ ≈ 1.4616, where ψ is 0 and lgamma least, for 1.2 ≤ x
//     < 1.75: lgamma(x₀+t) = lgamma(x₀) + t²·Σ eₖtᵏ⁻², ψ(x₀+t) = t·Σ fⱼtʲ⁻¹,
//     t = (x − x₀ʰⁱ) − x₀ˡᵒ (x − x₀ʰⁱ exact), so that digamma's zero is one
//     of its factors.
//   - x < 0.5: once more through Γ(x+1) = x·Γ(x), at z = x:
//     lgamma(x) = lgamma(2+x) − log1p(x) − log x, digamma(x) = digamma(2+x)
//     − 1/(1+x) − 1/x.
//   - 2.5 ≤ x < 10: down to y = x − m in [1.5, 2.5) (each x − i exact):
//     lgamma(x) = lgamma(y) + log Π(x − i), digamma(x) = digamma(y) +
//     Σ 1/(x − i), sums of positive terms.
//
// Where a difference of two such terms would cancel (lgamma near its zeros
// 1 and 2 and its least value, digamma near its zero), a series does
// instead: measured against 40-digit values (mpmath) at 42,000 points of
// [10⁻³, 10⁶], lgamma and digamma are within about 3 units of roundoff
// (ulps) of the true value everywhere. Trigamma is positive, and the
// recurrence upward, ψ'(x) = Σ_{i<n} 1/(x+i)² + ψ'(x+n) with x + n ≥ 10,
// a sum of positive terms, is within 3 ulps too.

// gammaSeriesFrom is where the asymptotic series take over.
const gammaSeriesFrom = 10

// lgammaTaylor holds c₁ … c₂₇ of lgamma(2+z) = Σ cₖzᵏ: c₁ = 1 − γ and cₖ =
// (−1)ᵏ(ζ(k) − 1)/k, rounded to nearest from 40-digit values (the series
// of lgamma(1+z), −γz + Σ (−1)ᵏζ(k)zᵏ/k, plus that of log(1+z), which
// cancels the ζ's first term and leaves a radius of 2). At |z| ≤ ½ the
// terms fall by 4 each, and the first omitted one is below 10⁻¹⁷ of
// |lgamma(2+z)|.
var lgammaTaylor = [...]float64{
	0x1.b0ee6072093cep-2, 0x1.4a34cc4a60fa6p-2, -0x1.13e001a557607p-4, 0x1.51322ac7d8483p-6,
	-0x1.e404fc218f5f2p-8, 0x1.7add6eadb6c30p-9, -0x1.38ac5c2bf8e08p-10, 0x1.0b36af86396e9p-11,
	-0x1.d3fd4c76d2fc8p-13, 0x1.a127b0f17d65ap-14, -0x1.78de5bd7c81efp-15, 0x1.580dcee66eb02p-16,
	-0x1.3cbc963ce2243p-17, 0x1.2597a39f34aacp-18, -0x1.11b2eb7679541p-19, 0x1.0064cdeb22f0fp-20,
	-0x1.e2600d93cfd2fp-22, 0x1.c76bbb3f07a4dp-23, -0x1.af5a6cbbf8a97p-24, 0x1.99b93c2070b0fp-25,
	-0x1.862c734df3eacp-26, 0x1.7469daccfadcdp-27, -0x1.6434a8447aeadp-28, 0x1.555a877ffd2c3p-29,
	-0x1.47b1679258d0ep-30, 0x1.3b15d2b2fc10cp-31, -0x1.2f69a9fabe3e0p-32,
}

// digammaTaylor holds d₀ … d₂₉ of digamma(2+z) = Σ dⱼzʲ, the derivative of
// lgammaTaylor's series: d₀ = 1 − γ and dⱼ = (−1)ʲ⁺¹(ζ(j+1) − 1), rounded
// from 40-digit values. At |z| ≤ ½ the first omitted term is below 10⁻¹⁷
// of |digamma(2+z)| ≥ ψ(1.5) ≈ 0.0365.
var digammaTaylor = [...]float64{
	0x1.b0ee6072093cep-2, 0x1.4a34cc4a60fa6p-1, -0x1.9dd002780310ap-3, 0x1.51322ac7d8483p-4,
	-0x1.2e831d94f99b7p-5, 0x1.1c26130249124p-6, -0x1.1196d0a679c47p-7, 0x1.0b36af86396e9p-8,
	-0x1.073e7b02d6ae0p-9, 0x1.04b8ce96ee5f8p-10, -0x1.0318df2459954p-11, 0x1.020a5b2cd3042p-12,
	-0x1.01593a1177bd6p-13, 0x1.00e4af2b4e156p-14, -0x1.0097bcbf11bedp-15, 0x1.0064cdeb22f0fp-16,
	-0x1.0043073686681p-17, 0x1.002c9953744ccp-18, -0x1.001db08f9ba4ap-19, 0x1.0013c594466eap-20,
	-0x1.000d2bab28121p-21, 0x1.0008c66cec77dp-22, -0x1.0005d8f13858cp-23, 0x1.0003e59ffde12p-24,
	-0x1.000298ea55633p-25, 0x1.0001bb316ccdap-26, -0x1.0001276b90845p-27, 0x1.0000c4ed05ae3p-28,
	-0x1.0000834601a87p-29, 0x1.00005782aaebep-30,
}

// gammaMin is x₀ = 1.46163214496836234126…, where ψ(x₀) = 0 and lgamma
// is least, as the sum of two doubles, and lgammaMin lgamma(x₀) rounded.
const (
	gammaMinHi = 0x1.762d86356be3fp+0
	gammaMinLo = 0x1.b86a722197829p-54
	lgammaMin  = -0x1.f19b9bcc38a42p-4
)

// lgammaAtMin holds e₂ … e₂₄ of lgamma(x₀+t) = lgamma(x₀) + Σ eₖtᵏ, eₖ =
// ψ⁽ᵏ⁻¹⁾(x₀)/k!, and digammaAtMin f₁ … f₂₅ of ψ(x₀+t) = Σ fⱼtʲ, fⱼ =
// ψ⁽ʲ⁾(x₀)/j!, rounded from 40-digit values. Their radius is x₀ (the pole
// at 0): at |t| ≤ 0.29 (1.2 ≤ x < 1.75) the first omitted term is below 10⁻¹⁸ of the value.
var (
	lgammaAtMin = [...]float64{
		0x1.ef72bc8ee38acp-2, -0x1.2e4278dc6bc24p-3, 0x1.08b4294d50381p-4, -0x1.0c9a8df513153p-5,
		0x1.266e797a0a272p-6, -0x1.51f9f95020de9p-7, 0x1.8fce02b239ca7p-8, -0x1.e2f1a3ef6348cp-9,
		0x1.2831200657d67p-9, -0x1.6f97806759c19p-10, 0x1.cc72638e1d944p-11, -0x1.228ec9953cdfbp-11,
		0x1.7101ea4021c69p-12, -0x1.d721e63209348p-13, 0x1.2e23345f79aafp-13, -0x1.851159d489619p-14,
		0x1.f6c4dc29900f3p-15, -0x1.45dccdc712462p-15, 0x1.a795e35d09c87p-16, -0x1.13ffe607ab928p-16,
		0x1.687d93f42928fp-17, -0x1.d7d298ba528e3p-18, 0x1.355ab500b51cep-18,
	}
	digammaAtMin = [...]float64{
		0x1.ef72bc8ee38acp-1, -0x1.c563b54aa1a35p-2, 0x1.08b4294d50381p-2, -0x1.4fc1317257da8p-3,
		0x1.b9a5b6370f3abp-4, -0x1.27baba261cc2cp-4, 0x1.8fce02b239ca7p-5, -0x1.0fa7ec36a7d8fp-5,
		0x1.723d6807edcc0p-6, -0x1.f970508e1b6a2p-7, 0x1.5955caaa962f3p-7, -0x1.d828079282eb8p-8,
		0x1.42e1acf81d8dcp-8, -0x1.b9afc7cee8a14p-9, 0x1.2e23345f79aafp-9, -0x1.9d626f71d1f7ap-10,
		0x1.1acebbd761089p-10, -0x1.82f6345c65b35p-11, 0x1.08bdae1a261d4p-11, -0x1.6a3fddea11304p-12,
		0x1.efacab6fb8985p-13, -0x1.531f5dc5eb563p-13, 0x1.d0080f810fab5p-14, -0x1.3d7972688af67p-14,
		0x1.b2691182c5c34p-15,
	}
)

// lgammaStirling holds B₂ₖ/(2k(2k−1)), k = 1 … 7, of lgamma(x) = (x − ½)log x
// − x + ½log 2π + Σ B₂ₖ/(2k(2k−1)x²ᵏ⁻¹); digammaStirling B₂ₖ/(2k), k = 1 …
// 8, of digamma(x) = log x − 1/(2x) − Σ B₂ₖ/(2k·x²ᵏ); trigammaStirling B₂ₖ,
// k = 1 … 9, of trigamma(x) = 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹.
var (
	lgammaStirling   = [...]float64{1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156}
	digammaStirling  = [...]float64{1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12, -3617.0 / 8160}
	trigammaStirling = [...]float64{1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510, 43867.0 / 798}
)

// halfLog2PiMinusHalf is ½log 2π − ½, the constant of lgammaAsymptotic's
// (x − ½)(log x − 1) form.
const halfLog2PiMinusHalf = 0x1.acfe390c97d69p-2

// horner returns Σ c[j]·zʲ, each product rounded before its sum.
func horner(c []float64, z float64) float64 {
	p := c[len(c)-1]
	for j := len(c) - 2; j >= 0; j-- {
		p = c[j] + float64(z*p)
	}
	return p
}

// lgammaNear2 is lgamma(2+z) for |z| ≤ ½: z·Σ cₖzᵏ⁻¹.
func lgammaNear2(z float64) float64 { return float64(z * horner(lgammaTaylor[:], z)) }

// lgammaAsymptotic is lgamma(x) for x ≥ gammaSeriesFrom, as
// (x − ½)(log x − 1) + (½log 2π − ½) + (1/x)·Σ aₖ(1/x²)ᵏ⁻¹: no overflow
// below the x where lgamma itself overflows.
func lgammaAsymptotic(x float64) float64 {
	r := 1 / x
	s := float64(r * horner(lgammaStirling[:], r*r))
	return float64((x-0.5)*(log(x)-1)) + halfLog2PiMinusHalf + s
}

// lgammaCore is lgamma(x) for 0.5 ≤ x < 2.5.
func lgammaCore(x float64) float64 {
	switch {
	case x < 1.2:
		return lgammaNear2(x-1) - log(x)
	case x < 1.75:
		t := x - gammaMinHi - gammaMinLo
		return lgammaMin + float64(t*t*horner(lgammaAtMin[:], t))
	}
	return lgammaNear2(x - 2)
}

// lgamma is log Γ(x) for x > 0 (Γ is positive there), NaN for x ≤ 0.
func lgamma(x float64) float64 {
	switch {
	case !(x > 0):
		return math.NaN()
	case x >= gammaSeriesFrom:
		return lgammaAsymptotic(x)
	case x < 0.5:
		return lgammaNear2(x) - log1p(x) - log(x)
	case x < 2.5:
		return lgammaCore(x)
	}
	p := 1.0
	for x >= 2.5 {
		x--
		p *= x
	}
	return lgammaCore(x) + log(p)
}

// digammaAsymptotic is digamma(x) for x ≥ gammaSeriesFrom.
func digammaAsymptotic(x float64) float64 {
	r := 1 / x
	w := r * r
	return log(x) - float64(0.5*r) - float64(w*horner(digammaStirling[:], w))
}

// digammaCore is digamma(x) for 0.5 ≤ x < 2.5.
func digammaCore(x float64) float64 {
	switch {
	case x < 1.2:
		return horner(digammaTaylor[:], x-1) - 1/x
	case x < 1.75:
		t := x - gammaMinHi - gammaMinLo
		return float64(t * horner(digammaAtMin[:], t))
	}
	return horner(digammaTaylor[:], x-2)
}

// digamma is ψ(x) = Γ'(x)/Γ(x), the derivative of lgamma, for x > 0; NaN
// for x ≤ 0.
func digamma(x float64) float64 {
	switch {
	case !(x > 0):
		return math.NaN()
	case x >= gammaSeriesFrom:
		return digammaAsymptotic(x)
	case x < 0.5:
		return horner(digammaTaylor[:], x) - 1/(1+x) - 1/x
	case x < 2.5:
		return digammaCore(x)
	}
	s := 0.0
	for x >= 2.5 {
		x--
		s += 1 / x
	}
	return digammaCore(x) + s
}

// trigammaAsymptotic is trigamma(x) for x ≥ gammaSeriesFrom, as
// r + r²·(½ + r·Σ B₂ₖr²ᵏ⁻²), r = 1/x.
func trigammaAsymptotic(x float64) float64 {
	r := 1 / x
	w := r * r
	return r + float64(w*(0.5+float64(r*horner(trigammaStirling[:], w))))
}

// trigamma is ψ'(x), the derivative of digamma, for x > 0; NaN for x ≤ 0.
// Below gammaSeriesFrom it adds 1/(x+i)² for i = n−1 down to 0 to the
// series at x + n ≥ gammaSeriesFrom, the smallest terms first; x + i is
// rounded once each, and 1/(x+i) squared overflows only where ψ'(x) ≈
// 1/x² does.
func trigamma(x float64) float64 {
	switch {
	case !(x > 0):
		return math.NaN()
	case x >= gammaSeriesFrom:
		return trigammaAsymptotic(x)
	}
	n := 0
	for x+float64(n) < gammaSeriesFrom {
		n++
	}
	s := trigammaAsymptotic(x + float64(n))
	for i := n - 1; i >= 0; i-- {
		r := 1 / (x + float64(i))
		s += float64(r * r)
	}
	return s
}
