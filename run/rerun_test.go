package run

import (
	"encoding/json"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"logdet":       "logdet",
		"n=48,m=40":    "n=48,m=40",
		"A'":           `"A'"`,
		"tr(A*X)":      `"tr(A*X)"`,
		`a"b'`:         `'a"b'\'''`,
		"":             `""`,
		"$HOME":        `'$HOME'`,
		"wrong-tr-\\*": `'wrong-tr-\*'`,
		// Characters that are not printable are escaped, as the report
		// writes them, in quotes where the shell reads the escapes.
		"x'*x\n":           `$'x\'*x\n'`,
		"r=A*x\n\t- b\\c":  `$'r=A*x\n\t- b\\c'`,
		"a\x1bb\u202e\xff": `$'a\x1bb\u202e\xff'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestRerunInvalid checks that a result gets a re-run command when its
// claim ran and did not pass, and none when it passed or when its claim is
// invalid (it did not parse, type-check or resolve): the same command
// would give the same error (walkthrough 2026-12-07h, item 14). The mark
// survives the JSON report, which merge reads back.
func TestRerunInvalid(t *testing.T) {
	for _, tt := range []struct {
		name    string
		verdict gradcheck.Verdict
		invalid bool
		want    bool
	}{
		{"failed", gradcheck.Fail, false, true},
		{"error at run time", gradcheck.Error, false, true},
		{"inconclusive", gradcheck.Inconclusive, false, true},
		{"passed", gradcheck.Pass, false, false},
		{"invalid", gradcheck.Error, true, false},
	} {
		ref := ClaimRef{Name: "a", Kind: formulas.Grad, Select: []string{"check", "--spec", "s.yaml", "--name", "a"}, Invalid: tt.invalid}
		data, err := json.Marshal(ref)
		if err != nil {
			t.Fatal(err)
		}
		var back ClaimRef
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		rep := &Report{
			Settings: ReportSettings{Batch: 8, Dirs: 3, Instance: -1},
			Claims:   []ClaimRef{back},
			Results:  []gradcheck.Result{{Name: "a", Kind: formulas.Grad, Verdict: tt.verdict}},
			ClaimOf:  []int{0},
		}
		if got := rep.Rerun(0); (got != "") != tt.want {
			t.Errorf("%s: re-run command %q, want one: %v", tt.name, got, tt.want)
		}
	}
}
