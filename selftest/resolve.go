package selftest

import (
	"context"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// Resolving returns the VerifyFunc that resolves each claim at the
// settings' sizes and verifies it with verify, which takes resolved claims
// (as a run.Engine does, on a GPU worker); a claim that does not resolve
// gets an Error verdict with the reason.
func Resolving(verify func(context.Context, *formulas.Resolved, gradcheck.Settings) (gradcheck.Result, error)) VerifyFunc {
	return func(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
		rc, err := c.Resolve(s.Sizes)
		if err != nil {
			return gradcheck.Result{Name: c.Name, Kind: c.Kind, Verdict: gradcheck.Error, Reason: err.Error()}, nil
		}
		return verify(ctx, rc, s)
	}
}
