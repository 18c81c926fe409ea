package run

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
)

// Match returns the claims whose names match one of patterns, in the
// order of the patterns and, for one pattern, of claims; a claim is listed
// once. No patterns select every claim. where names the claims in the
// error for a pattern that matches nothing ("registry claim"). Its errors
// are *PatternError.
func Match(claims []*formulas.Claim, patterns []string, where string) ([]*formulas.Claim, error) {
	if len(patterns) == 0 {
		return claims, nil
	}
	var out []*formulas.Claim
	taken := make(map[*formulas.Claim]bool)
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, &PatternError{fmt.Sprintf("bad pattern %q: %v", p, err)}
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
			return nil, &PatternError{fmt.Sprintf("no %s matches %q", where, p)}
		}
	}
	return out, nil
}

// PatternError is Match's error: a malformed pattern, or one that matches
// no claim; a fault of the invocation, not of the claims.
type PatternError struct{ msg string }

func (e *PatternError) Error() string { return e.msg }

// RegistryClaims returns the claims of the built-in registry that match
// patterns (Match; none select all).
func RegistryClaims(patterns []string) ([]*formulas.Claim, error) {
	reg, err := formulas.RegistrySelected(selector(patterns))
	if err != nil {
		// The registry is built in: a broken one is gradcheck's fault.
		return nil, fmt.Errorf("the built-in registry does not load: %w", err)
	}
	return Match(reg, patterns, "registry claim")
}

// RegistryTargets selects the claims of the built-in registry that match
// patterns (RegistryClaims), each re-run by "run NAME".
func RegistryTargets(patterns []string) ([]Target, error) {
	claims, err := RegistryClaims(patterns)
	if err != nil {
		return nil, err
	}
	ts := make([]Target, len(claims))
	for i, c := range claims {
		ts[i] = Target{Claim: c, Select: []string{"run", formulas.EscapeGlob(c.Name)}}
	}
	return ts, nil
}

// SpecTargets loads the spec files, shape-checked at sizes, and selects
// their claims that match patterns, each re-run by "check --spec FILE
// --name NAME". The file StdinSpec ("-") is read from stdin (which must
// then not be nil), as --out - writes to stdout, and named "stdin" in
// messages. An invalid claim is
// selected by its name like any other, and verifies as an error; a file
// that cannot be read or parsed is an error, as is a pattern that matches
// nothing (*PatternError).
func SpecTargets(files, patterns []string, sizes map[string]int, stdin io.Reader) ([]Target, error) {
	var all []*formulas.Claim
	fileOf := make(map[*formulas.Claim]string)
	for i, f := range files {
		for _, g := range files[:i] {
			if filepath.Clean(g) == filepath.Clean(f) {
				// Its claims would run twice, under one name each.
				return nil, fmt.Errorf("spec file %s given twice", f)
			}
		}
		data, name, err := readSpec(f, stdin)
		if err != nil {
			return nil, err
		}
		claims, err := formulas.LoadSpecAt(name, data, formulas.LoadOptions{Sizes: sizes, Select: selector(patterns)})
		if err != nil {
			return nil, err
		}
		for _, c := range claims {
			fileOf[c] = f
		}
		all = append(all, claims...)
	}
	claims, err := Match(all, patterns, "claim of "+strings.Join(files, ", "))
	if err != nil {
		return nil, err
	}
	ts := make([]Target, len(claims))
	for i, c := range claims {
		// The path cleaned, so that shards given ./s.yaml and s.yaml
		// select their claims alike and merge.
		ts[i] = Target{Claim: c, Select: []string{"check", "--spec", filepath.Clean(fileOf[c]), "--name", formulas.EscapeGlob(c.Name)}}
	}
	return ts, nil
}

// StdinSpec is the spec file name that means stdin.
const StdinSpec = "-"

// readSpec returns the contents of the spec file f and the name that
// messages give it: f itself, read by formulas.ReadSpecFile, or, for
// StdinSpec, stdin read up to the same bound, formulas.MaxSpecBytes, so
// that an endless pipe is refused rather than filling the memory.
func readSpec(f string, stdin io.Reader) (data []byte, name string, err error) {
	if f != StdinSpec {
		data, err = formulas.ReadSpecFile(f)
		return data, f, err
	}
	data, err = formulas.ReadSpecFrom(stdin, "stdin")
	return data, "stdin", err
}

// selector returns whether a claim's name matches one of patterns, nil
// (every claim) for none.
func selector(patterns []string) func(name string) bool {
	if len(patterns) == 0 {
		return nil
	}
	return func(name string) bool {
		for _, p := range patterns {
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		}
		return false
	}
}
