package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/run"
)

// TestColor checks that only a sink that takes colour gets it.
func TestColor(t *testing.T) {
	var plain, colored bytes.Buffer
	tt := NewTable([]run.ClaimRef{{Name: "a"}}, false, Sink{W: &plain}, Sink{W: &colored, Color: true})
	tt.Row(gradcheck.Result{Name: "a", Kind: "grad", Verdict: gradcheck.Fail, Comparisons: 1})
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(colored.String(), "\x1b[31;1mfail\x1b[") {
		t.Errorf("plain %q, coloured %q", plain.String(), colored.String())
	}
	if regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(colored.String(), "") != plain.String() {
		t.Errorf("colour changes the alignment:\n%q\n%q", plain.String(), colored.String())
	}
}
