package gradcheck

import (
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestIdentityConditioning checks identities at ill-conditioned Gaussian
// samples, whose rounding errors grow with the condition number that the
// magnitudes (sums of absolute values) do not see: (AB)⁻¹ = B⁻¹A⁻¹ failed
// at instance 198 of seed 1 (n = 64) by 66 times its tolerance, and
// (X⁻¹)⁻¹ = X at instance 68 by 23 times. With each side's sensitivity to
// its inputs in its magnitude they pass there, and the transposed order
// and a factor 1 + 10⁻⁶ still fail. At n = 2 the determinant's probe of
// its rounding cancelled to 0 for a quarter of the matrices (XᵀX always):
// det(AB) = det(A)·det(B) failed at instance 19 of seed 1 and the true
// gradient of det(XᵀX) at instance 90 of seed 4. inv(AᵀA) = A⁻¹A⁻ᵀ and
// logdet(AᵀA) = log(det(A)²) failed at the default n = 48 (seed 4,
// instance 0) while only the variables moved: AᵀA is rounded with the
// condition κ(A)², and the inverse and the determinant see that, but AᵀA
// moves with A only as κ(A). At instance 118 of seed 1 (n = 64), AᵀA
// moved by 2⁻²⁶ of its entries has a negative determinant, and the probe
// takes its finer step.
func TestIdentityConditioning(t *testing.T) {
	checkIdentityConditioning(t, cpu.New())
}

// checkIdentityConditioning runs TestIdentityConditioning's claims on b.
func checkIdentityConditioning(t *testing.T, b backend.Backend) {
	tests := []struct {
		name     string
		spec     formulas.Spec
		vars     []string
		n        int
		seed     uint64
		from, to int // the instances [from, to)
		verdict  Verdict
	}{
		{name: "inverse of a product", spec: formulas.Spec{F: "inv(A*B)", Equals: "inv(B)*inv(A)"}, vars: []string{"A=n,n", "B=n,n"},
			n: 64, seed: 1, from: 198, to: 199, verdict: Pass},
		{name: "inverse of a product, order swapped", spec: formulas.Spec{F: "inv(A*B)", Equals: "inv(A)*inv(B)"}, vars: []string{"A=n,n", "B=n,n"},
			n: 64, seed: 1, from: 198, to: 199, verdict: Fail},
		{name: "inverse of a product, 1 + 1e-6", spec: formulas.Spec{F: "inv(A*B)", Equals: "1.000001*inv(B)*inv(A)"}, vars: []string{"A=n,n", "B=n,n"},
			n: 64, seed: 1, from: 190, to: 200, verdict: Fail},
		{name: "inverse of the inverse", spec: formulas.Spec{F: "inv(inv(X))", Equals: "X"}, vars: []string{"X=n,n"},
			n: 64, seed: 1, from: 68, to: 69, verdict: Pass},
		{name: "inverse of the inverse, 1 + 1e-6", spec: formulas.Spec{F: "inv(inv(X))", Equals: "1.000001*X"}, vars: []string{"X=n,n"},
			n: 64, seed: 1, from: 60, to: 70, verdict: Fail},
		{name: "determinant of a product at n = 2", spec: formulas.Spec{F: "det(A*B)", Equals: "det(A)*det(B)"}, vars: []string{"A=n,n", "B=n,n"},
			n: 2, seed: 1, from: 19, to: 20, verdict: Pass},
		{name: "determinant of a product at n = 2, 1 + 1e-6", spec: formulas.Spec{F: "det(A*B)", Equals: "1.000001*det(A)*det(B)"}, vars: []string{"A=n,n", "B=n,n"},
			n: 2, seed: 1, from: 10, to: 30, verdict: Fail},
		{name: "inverse of AᵀA", spec: formulas.Spec{F: "inv(A'*A)", Equals: "inv(A)*inv(A)'"}, vars: []string{"A=n,n"},
			n: 48, seed: 4, from: 0, to: 1, verdict: Pass},
		{name: "inverse of AᵀA, 1 + 1e-6", spec: formulas.Spec{F: "inv(A'*A)", Equals: "1.000001*inv(A)*inv(A)'"}, vars: []string{"A=n,n"},
			n: 48, seed: 4, from: 0, to: 8, verdict: Fail},
		{name: "log-determinant of AᵀA", spec: formulas.Spec{F: "logdet(A'*A)", Equals: "log(det(A)^2)"}, vars: []string{"A=n,n"},
			n: 48, seed: 4, from: 0, to: 1, verdict: Pass},
		{name: "log-determinant of AᵀA, 1 + 1e-6", spec: formulas.Spec{F: "logdet(A'*A)", Equals: "1.000001*log(det(A)^2)"}, vars: []string{"A=n,n"},
			n: 48, seed: 4, from: 0, to: 8, verdict: Fail},
		{name: "log-determinant of AᵀA, finer step", spec: formulas.Spec{F: "logdet(A'*A)", Equals: "log(det(A)^2)"}, vars: []string{"A=n,n"},
			n: 64, seed: 1, from: 118, to: 119, verdict: Pass},
		// X⁴ of condition 10¹¹ and more: at 2⁻²⁶ of its entries the
		// inverse's change saturated, its sensitivity was hundreds of
		// times too small, and the true identity failed (by 1.2·10⁻³
		// against 5·10⁻⁵; by 1.0 against 1.1·10⁻⁶ for XᵀXXᵀX, whose
		// condition is beyond 1/u). Now the probe's finer steps tell.
		{name: "inverse of X⁴", spec: formulas.Spec{F: "inv(X*X*X*X)", Equals: "inv(X)*inv(X)*inv(X)*inv(X)"}, vars: []string{"X=n,n"},
			n: 48, seed: 10, from: 2, to: 3, verdict: Inconclusive},
		{name: "inverse of X⁴, 1 + 1e-4", spec: formulas.Spec{F: "inv(X*X*X*X)", Equals: "1.0001*inv(X)*inv(X)*inv(X)*inv(X)"}, vars: []string{"X=n,n"},
			n: 48, seed: 10, from: 0, to: 8, verdict: Fail},
		{name: "inverse of XᵀXXᵀX", spec: formulas.Spec{F: "inv(X'*X*X'*X)", Equals: "inv(X)*inv(X')*inv(X)*inv(X')"}, vars: []string{"X=n,n"},
			n: 48, seed: 2, from: 32, to: 33, verdict: Inconclusive},
		{name: "gradient of det(XᵀX) at n = 2", spec: formulas.Spec{F: "det(X'*X)", Wrt: "X", Grad: "2*det(X'*X)*X*inv(X'*X)"}, vars: []string{"X=n,n"},
			n: 2, seed: 4, from: 90, to: 91, verdict: Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Vars = vars(t, tt.vars...)
			res := verifyInstances(t, b, tt.spec, tt.n, tt.seed, tt.from, tt.to)
			if res.Verdict != tt.verdict {
				t.Fatalf("%s (%s), rel err %.2g, tol %.2g; want %s", res.Verdict, res.Reason, res.MaxRelErr, res.Tolerance, tt.verdict)
			}
		})
	}
}
