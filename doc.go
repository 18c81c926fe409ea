// Package gradcheck verifies closed-form matrix-calculus results —
// gradients, differentials, Jacobians, Hessians and identities — against
// finite differences on batches of random matrices (see DESIGN.md).
//
// The verifier here is backend-independent: for a claim resolved at its
// sizes (formulas.Claim.Resolve) it draws the inputs from the
// counter-based generator of package philox, evaluates the function and
// the claim through a backend.Backend (package cpu, or gpu), combines
// Richardson-extrapolated central differences along random directions,
// sets a tolerance from the estimated truncation and rounding errors, and
// returns a Result with its Verdict: pass, fail (with a Diagnosis such as
// transpose or factor when one fits), inconclusive or error.
//
// Verify resolves and verifies one claim; VerifyResolved verifies a claim
// resolved before, as package run does for each job of a plan. Merge
// combines the Results of the instance ranges of one claim verified apart
// (the shards of a run).
package gradcheck
