package formulas

import (
	"fmt"
	"strings"
)

// Suggest returns the candidate that name most likely means, ignoring
// case, or "" when none is close enough to be a likely typo. It is the
// rule every "did you mean" of gradcheck follows, for function names,
// spec keys, dists, layouts, and the CLI's commands and flags:
//
//   - a candidate equal to name but for case;
//   - else the one candidate that name, of at least three letters, is the
//     start of ("sigm" → sigmoid, though sign is one edit away): a name
//     cut short is more likely than a typo;
//   - else the closest candidate within one edit for names of up to five
//     letters and two for longer ones, counting a swap of adjacent
//     letters as one edit; the first of the candidates at the same
//     distance.
func Suggest(name string, candidates []string) string {
	lower := strings.ToLower(name)
	completion, completions := "", 0
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == lower {
			return c
		}
		if len(lower) >= minPrefix && strings.HasPrefix(lc, lower) {
			completion, completions = c, completions+1
		}
	}
	if completions == 1 {
		return completion
	}
	limit := max(1, len(name)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := editDistance(lower, strings.ToLower(c))
		if d < bestD && d < len(name) {
			best, bestD = c, d
		}
	}
	return best
}

// minPrefix is the shortest name that Suggest completes as the start of a
// candidate: a shorter one starts too many words to tell which is meant.
const minPrefix = 3

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// bytes each cost 1.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		// Far too long to be a typo of a short keyword.
		if a == b {
			return 0
		}
		return 1 << 20
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// normAny is what to write for a norm of which the kind is not known.
const normAny = "write `norm2(x)` for the 2-norm of a vector or the Frobenius norm of a matrix, `sum(abs(x))` for the 1-norm of a vector"

// normHint returns what to write for norm(x, p), by the tokens of p (none
// for norm(x)): norm2(x) for the 2-norm and the Frobenius norm,
// sum(abs(x)) for the 1-norm of a vector, and so on. An expression to
// write is between backquotes, as in absentFuncs.
func normHint(p []token) string {
	var b strings.Builder
	for _, t := range p {
		b.WriteString(t.text)
	}
	text := strings.ToLower(b.String())
	switch {
	case len(p) == 0:
		return "write `norm2(x)`: the 2-norm of a vector, the Frobenius norm of a matrix"
	case len(p) == 1 && p[0].kind == tNum && p[0].num == 1:
		return "write `sum(abs(x))`, the 1-norm of a vector"
	case len(p) == 1 && p[0].kind == tNum && p[0].num == 2:
		// MATLAB's norm(X, 2) of a matrix is its spectral norm.
		return "write `norm2(x)` for a vector; the spectral norm of a matrix is not in the language"
	case len(p) == 1 && p[0].kind == tNum && p[0].num > 1:
		return fmt.Sprintf("write `sum(abs(x).^%s)^(1/%[1]s)`, the %[1]s-norm of a vector", p[0].text)
	case text == "'fro'" || text == "fro":
		return "write `norm2(X)`, the Frobenius norm"
	case text == "inf" || text == "'inf'":
		return "the max norm is not in the language"
	case text == "'nuc'" || text == "nuc":
		return absentFuncs["nuclear_norm"]
	}
	return normAny
}
