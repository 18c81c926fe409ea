package formulas

// Resolved is a claim at fixed sizes that passed its shape check: what the
// verifier runs. Claim.Resolve makes one, so that a run resolves and
// shape-checks each claim once, before anything is evaluated.
type Resolved struct {
	Claim *Claim
	// Sizes gives every size symbol of the claim its value (the user's,
	// the claim's own, or a default; see ResolveSizes).
	Sizes map[string]int
	// Shapes are the shapes of the claim's variables at Sizes, and F the
	// shape of the function f.
	Shapes map[string]Shape
	F      Shape
	// Largest is the most entries of any value that f or the claim
	// computes, intermediates included (kron(X, X) in sum(kron(X, X))),
	// for the memory an evaluation needs.
	Largest int64
	// ShapeMismatch is set where the claim has the transposed shape of
	// what its kind needs, and another shape: a gradient of a non-square
	// variable in the other layout, a Jacobian n×m for m×n. It says so
	// in words ("grad is 3×5, the shape of X', but X is 5×3 …"). Such a
	// claim is wrong whatever its values; the verifier compares its
	// transpose to tell whether the layout is all that is wrong.
	ShapeMismatch string
}

// Resolve gives the claim's size symbols their values, user's first (see
// ResolveSizes), shape-checks the claim there (see Check) and infers the
// shape of f. Its errors are those of ResolveSizes, Check and Infer.
func (c *Claim) Resolve(user map[string]int) (*Resolved, error) {
	sizes, err := c.ResolveSizes(user)
	if err != nil {
		return nil, err
	}
	shapes, mismatch, err := c.check(sizes)
	if err != nil {
		return nil, sizeGivenHint(err, user)
	}
	env := make(map[string]Shape, len(shapes))
	for name, sh := range shapes {
		env[name] = sh
	}
	f, err := Infer(c.F, env, sizes)
	if err != nil {
		return nil, err
	}
	largest, err := Largest(c.F, env, sizes)
	if err != nil {
		return nil, err
	}
	if c.Rhs != nil {
		if ws, ok := env[c.Wrt]; ok {
			// The claim reads the directions of the variable.
			env[c.Direction()] = ws
			if c.Kind == Hess {
				env[c.SecondDirection()] = ws
			}
		}
		rhs, err := Largest(c.Rhs, env, sizes)
		if err != nil {
			return nil, err
		}
		largest = max(largest, rhs)
	}
	return &Resolved{Claim: c, Sizes: sizes, Shapes: shapes, F: f, Largest: largest, ShapeMismatch: mismatch}, nil
}
