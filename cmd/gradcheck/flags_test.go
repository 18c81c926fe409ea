package main

import (
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/report"
)

// TestIntegerFlagRanges checks that an integer flag too large for an int
// is out of range, with the allowed range, not "not an integer", and that
// values that would overflow a count later (the random generator's 32-bit
// counter, the self-test's last function) are refused before anything
// runs: --dirs 9223372036854775807 was an internal error (makeslice), and
// selftest --first 9223372036854775806 printed the functions "to
// -9223372036854775711".
func TestIntegerFlagRanges(t *testing.T) {
	huge := "99999999999999999999"
	for _, tt := range []struct {
		args []string
		want string // in the one-line message
	}{
		{[]string{"run", "tr-ax", "--batch", huge}, `invalid value "99999999999999999999" for --batch: out of range: must be from 1 to 4294967296`},
		{[]string{"run", "tr-ax", "--batch", "4294967297"}, "--batch: must be from 1 to 4294967296"},
		{[]string{"run", "tr-ax", "--dirs", huge}, "--dirs: out of range: must be from 1 to 4294967296"},
		{[]string{"run", "tr-ax", "--dirs", "9223372036854775807"}, "--dirs: must be from 1 to 4294967296"},
		{[]string{"run", "tr-ax", "--batch", "9", "--dirs", "477218589"}, "--batch 9 × --dirs 477218589 is over 4294967296 random directions per claim"},
		{[]string{"run", "tr-ax", "--instance", huge}, "--instance: out of range: must be from -1 to 9223372036854775807"},
		{[]string{"run", "tr-ax", "--instance", "-" + huge}, "--instance: out of range: must be from -1 to 9223372036854775807"},
		{[]string{"run", "tr-ax", "--seed", huge + "0"}, "--seed: out of range: must be at most 18446744073709551615"},
		{[]string{"run", "tr-ax", "--shards", huge}, "--shards: out of range: must be from 1 to 9223372036854775807"},
		{[]string{"run", "tr-ax", "--shard", huge + "/3"}, "--shard: 99999999999999999999 is out of range: INDEX and COUNT are at most 9223372036854775807"},
		{[]string{"run", "tr-ax", "--shard", "1/" + huge}, "--shard: 99999999999999999999 is out of range"},
		{[]string{"run", "tr-ax", "--rtol", "1e400"}, "--rtol: out of range: must be a finite number ≥ 0"},
		{[]string{"check", "--spec", "x.yaml", "--batch", huge}, "--batch: out of range: must be from 1 to 4294967296"},
		{[]string{"bench", "--dirs", huge}, "--dirs: out of range: must be from 1 to 4294967296"},
		{[]string{"bench", "--dirs", "9223372036854775807"}, "--dirs: must be from 1 to 4294967296"},
		{[]string{"bench", "--batch", "2", "--dirs", "2147483649"}, "--batch 2 × --dirs 2147483649 is over 4294967296"},
		{[]string{"selftest", "--claims", huge}, "--claims: out of range: must be from 1 to 10000000"},
		{[]string{"selftest", "--claims", "10000001"}, "--claims: must be from 1 to 10000000"},
		{[]string{"selftest", "--first", huge}, "--first: out of range: must be from 0 to 9223372036854775807"},
		{[]string{"selftest", "--first", "9223372036854775806"}, "--first 9223372036854775806 with --claims 100 goes past the last function, 9223372036854775807"},
		{[]string{"selftest", "--first", "9223372036854775807", "--claims", "2"}, "--first 9223372036854775807 with --claims 2 goes past the last function"},
		{[]string{"selftest", "--seed", huge + "0"}, "--seed: out of range"},
	} {
		code, out, errOut := call(t, tt.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 2 {
			t.Errorf("gradcheck %s: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q",
				strings.Join(tt.args, " "), code, out, errOut, tt.want)
		}
	}
}

// TestOddNameEscaped checks that a claim name with control characters
// reaches neither the table on stdout nor the --verbose lines on stderr
// raw: ESC would be an escape sequence to the terminal, a newline a broken
// row.
func TestOddNameEscaped(t *testing.T) {
	for _, name := range []string{"clear\x1b[2Jscreen", "two\nlines", "bell\a"} {
		args := append(append([]string(nil), wrongTR...), "--name", name, "--verbose", "--progress", "never")
		code, out, errOut := call(t, args...)
		if code != exitFail {
			t.Errorf("%q: exit %d, want 1; stderr %q", name, code, errOut)
		}
		for _, s := range []string{out, errOut} {
			if strings.ContainsAny(s, "\x1b\a") || strings.Contains(s, name) {
				t.Errorf("%q is written raw:\n%s", name, s)
			}
		}
		if want := report.Printable(name); !strings.Contains(out, "\n"+want+"  grad") || !strings.Contains(errOut, "] "+want+" n=6") {
			t.Errorf("%q is not shown as %q:\n%s\n%s", name, want, out, errOut)
		}
	}
}

// TestMessagesEscaped checks that a one-line message never shows a control
// character raw: an unknown flag or a file name with ESC in it reached the
// terminal as an escape sequence.
func TestMessagesEscaped(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--\x1b[31mred"}, `unknown flag: --\x1b[31mred`},
		{[]string{"check", "--spec", "\x1b[2J.yaml"}, `open \x1b[2J.yaml: no such file or directory`},
		{[]string{"merge", "a\x07.json"}, `open a\a.json: no such file or directory`},
	} {
		code, _, errOut := call(t, tt.args...)
		if code != exitUsage || strings.ContainsAny(errOut, "\x1b\a") || !strings.Contains(errOut, tt.want) {
			t.Errorf("gradcheck %q: exit %d, stderr %q; want exit 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}
