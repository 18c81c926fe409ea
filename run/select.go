package run

import (
	"fmt"
	"path"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
)

// Match returns the claims whose names match one of patterns, in the
// order of the patterns and, for one pattern, of claims; a claim is listed
// once. No patterns select every claim. where names the claims in the
// error for a pattern that matches nothing ("registry claim").
func Match(claims []*formulas.Claim, patterns []string, where string) ([]*formulas.Claim, error) {
	if len(patterns) == 0 {
		return claims, nil
	}
	var out []*formulas.Claim
	taken := make(map[*formulas.Claim]bool)
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("bad pattern %q: %v", p, err)
		}
		found := false
		for _, c := range claims {
			if ok, _ := path.Match(p, c.Name); ok {
				found = true
				if !taken[c] {
					taken[c] = true
					out = append(out, c)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("no %s matches %q", where, p)
		}
	}
	return out, nil
}

// EscapeGlob quotes the pattern characters of a claim name, so that the
// name as a pattern matches itself alone.
func EscapeGlob(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
