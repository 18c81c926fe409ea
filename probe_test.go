package gradcheck

import (
	"context"
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
// and a factor 1 + 10⁻⁶ still fail.
func TestIdentityConditioning(t *testing.T) {
	checkIdentityConditioning(t, cpu.New())
}

// checkIdentityConditioning runs TestIdentityConditioning's claims on b.
func checkIdentityConditioning(t *testing.T, b backend.Backend) {
	tests := []struct {
		name     string
		f, rhs   string
		vars     []string
		from, to int // the instances [from, to) of seed 1 at n = 64
		verdict  Verdict
	}{
		{name: "inverse of a product", f: "inv(A*B)", rhs: "inv(B)*inv(A)", vars: []string{"A=n,n", "B=n,n"}, from: 198, to: 199, verdict: Pass},
		{name: "inverse of a product, order swapped", f: "inv(A*B)", rhs: "inv(A)*inv(B)", vars: []string{"A=n,n", "B=n,n"}, from: 198, to: 199, verdict: Fail},
		{name: "inverse of a product, 1 + 1e-6", f: "inv(A*B)", rhs: "1.000001*inv(B)*inv(A)", vars: []string{"A=n,n", "B=n,n"}, from: 190, to: 200, verdict: Fail},
		{name: "inverse of the inverse", f: "inv(inv(X))", rhs: "X", vars: []string{"X=n,n"}, from: 68, to: 69, verdict: Pass},
		{name: "inverse of the inverse, 1 + 1e-6", f: "inv(inv(X))", rhs: "1.000001*X", vars: []string{"X=n,n"}, from: 60, to: 70, verdict: Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := formulas.Spec{Name: "inline", F: tt.f, Equals: tt.rhs, Vars: vars(t, tt.vars...)}
			s := DefaultSettings()
			s.Sizes, s.Batch, s.InstanceFrom, s.InstanceTo = map[string]int{"n": 64}, tt.to, tt.from, tt.to
			res := Verify(context.Background(), b, inline(t, spec), s)
			if res.Verdict != tt.verdict {
				t.Fatalf("%s (%s), rel err %.2g, tol %.2g; want %s", res.Verdict, res.Reason, res.MaxRelErr, res.Tolerance, tt.verdict)
			}
		})
	}
}
