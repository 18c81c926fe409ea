package report

import (
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestWorstText checks the --verbose line of a failure: a derivative
// claim's compares a finite difference with the claimed value along a
// direction; an identity's has no direction and compares the norms of
// its two sides, with their relative difference, which the six digits of
// the norms may not show.
func TestWorstText(t *testing.T) {
	tests := []struct {
		name string
		r    gradcheck.Result
		want string
	}{
		{name: "gradient", r: gradcheck.Result{Name: "tr-ax", Kind: formulas.Grad, MaxRelErr: 0.5,
			Worst: gradcheck.Worst{Instance: 2, Direction: 1, FiniteDiff: 4, Claimed: 2}},
			want: "tr-ax: worst comparison at instance 2, direction 1: finite difference 4, claimed 2"},
		{name: "identity", r: gradcheck.Result{Name: "inv-ab", Kind: formulas.Equals, MaxRelErr: 5.8e-8,
			Worst: gradcheck.Worst{Instance: 118, FiniteDiff: 79.85467131460283, Claimed: 79.85467592468387}},
			want: "inv-ab: worst comparison at instance 118: ‖f‖ 79.8547, ‖claimed‖ 79.8547, ‖f − claimed‖ 5.8e-08 times the larger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := worstText(tt.r); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
