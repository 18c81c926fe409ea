package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDerive(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"--f", "tr(A*X*B)", "--wrt", "X", "--var", "A=k,m", "--var", "X=m,n", "--var", "B=n,k"}, exitOK, "tr(A*dX*B)\n", ""},
		{[]string{"--f", "tr(A*X*B)", "--wrt", "X", "--var", "A=k,m", "--var", "X=m,n", "--var", "B=n,k", "--grad"}, exitOK, "A'*B'\n", ""},
		{[]string{"--f", "logdet(X)", "--wrt", "X", "--var", "X=n,n:spd", "--grad"}, exitOK, "inv(X)'\n", ""},
		// derive stays general for a variable drawn spd and for one in
		// space sym alike: only the expected result of a failed claim in
		// space sym takes S' = S (gradcheck.TestExpectedInSymSpace).
		{[]string{"--f", "logdet(S)", "--wrt", "S", "--var", "S=n,n:spd", "--grad"}, exitOK, "inv(S)'\n", ""},
		{[]string{"--f", "logdet(S)", "--wrt", "S", "--var", "S=n,n:spd:sym", "--grad"}, exitOK, "inv(S)'\n", ""},
		{[]string{"--f", "x'*A*x", "--wrt", "x", "--var", "A=n,n", "--var", "x=n", "--format", "json"}, exitOK,
			`{"diff":"dx'*A*x + x'*A*dx","grad":"A*x + A'*x"}` + "\n", ""},
		{[]string{"--f", "inv(X)", "--wrt", "X", "--var", "X=n,n", "--format", "json"}, exitOK,
			`{"diff":"-(inv(X)*dX*inv(X))","grad":null}` + "\n", ""},
		{[]string{"--f", "inv(X)", "--wrt", "X", "--var", "X=n,n", "--grad"}, exitUsage, "", "not a scalar"},
		// As in JSON, where it printed "grad": null with exit 0 (found
		// by the exploratory helper).
		{[]string{"--f", "inv(X)", "--wrt", "X", "--var", "X=n,n", "--grad", "--format", "json"}, exitUsage, "", "not a scalar"},
		// A result beyond the longest formula does not paste back: tanh
		// nested ten times printed a gradient of 208 KB with exit 0.
		{[]string{"--f", "sum(tanh(tanh(tanh(tanh(tanh(tanh(tanh(tanh(tanh(tanh(X)))))))))))", "--wrt", "X", "--var", "X=n,n", "--grad"}, exitFail, "",
			"the result does not paste back as a claim"},
		// In JSON too, where it printed the same 208 KB with exit 0.
		{[]string{"--f", "sum(tanh(tanh(tanh(tanh(tanh(tanh(tanh(tanh(tanh(tanh(X)))))))))))", "--wrt", "X", "--var", "X=n,n", "--format", "json", "--grad"}, exitFail, "",
			"the result does not paste back as a claim"},
		// A differential exponential in the nesting of f is refused as it
		// grows: tanh nested 20 times took all memory and died with a
		// runtime trace.
		{[]string{"--f", "sum(" + strings.Repeat("tanh(", 20) + "x" + strings.Repeat(")", 20) + ")", "--wrt", "x", "--var", "x=n", "--grad"}, exitFail, "",
			"derive: 1:5: the differential of tanh(tanh("},
		{[]string{"--f", "sum(" + strings.Repeat("sin(x).*", 999) + "sin(x))", "--wrt", "x", "--var", "x=n", "--hess"}, exitFail, "",
			"derive: 1:1: the second derivative of f is too large"},
		// --hess: the second derivative as the bilinear form D²f[dx, dx2].
		{[]string{"--f", "x'*A*x", "--wrt", "x", "--var", "A=n,n", "--var", "x=n", "--hess"}, exitOK, "dx'*A*dx2 + dx2'*A*dx\n", ""},
		{[]string{"--f", "logdet(X)", "--wrt", "X", "--var", "X=n,n:spd", "--hess", "--format", "json"}, exitOK,
			`{"diff":"tr(inv(X)*dX)","grad":"inv(X)'","hess":"-tr(inv(X)*dX2*inv(X)*dX)"}` + "\n", ""},
		// A zero second derivative of a vector variable, written as a form.
		{[]string{"--f", "a'*x", "--wrt", "x", "--var", "a=n", "--var", "x=n", "--hess"}, exitOK, "0*dx'*dx2\n", ""},
		{[]string{"--f", "inv(X)", "--wrt", "X", "--var", "X=n,n", "--hess"}, exitUsage, "", "--hess: no hess claim: f is not a scalar: it is 48×48 (drop --hess"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--hess", "--grad"}, exitUsage, "", "--grad and --hess exclude one another"},
		{[]string{"--f", "tr(kron(X, X))", "--wrt", "X", "--var", "X=n,n", "--grad"}, exitFail, "", "cannot write the differential"},
		// A rule derive lacks is derive's limit (1), not a bad invocation:
		// trigamma's derivative is not in the language, whether f or its
		// first derivative (digamma' = trigamma) has it.
		{[]string{"--f", "sum(trigamma(x))", "--wrt", "x", "--var", "x=n:positive"}, exitFail, "",
			"derive: 1:5: cannot differentiate trigamma(x): no rule for trigamma"},
		{[]string{"--f", "sum(digamma(x))", "--wrt", "x", "--var", "x=n:positive", "--grad"}, exitOK, "trigamma(x)\n", ""},
		{[]string{"--f", "sum(digamma(x))", "--wrt", "x", "--var", "x=n:positive", "--hess"}, exitFail, "",
			"derive: 1:1: cannot take the second derivative of f: its differential has trigamma(x), and there is no rule for trigamma"},
		{[]string{"--f", "sum(lgamma(x))", "--wrt", "x", "--var", "x=n:positive", "--hess"}, exitOK, "sum(trigamma(x).*dx2.*dx)\n", ""},
		// A rule derive lacks is derive's limit (1), not a bad invocation.
		{[]string{"--f", "integral(t, 0, sum(x), t)", "--wrt", "x", "--var", "x=n"}, exitFail, "", "cannot differentiate"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--var", "dX=n,n"}, exitUsage, "", "clashes with the variable dX"},
		{[]string{"--f", "tr(X^-0)", "--wrt", "X", "--var", "X=n,n"}, exitOK, "0\n", ""},
		{[]string{"--f", "tr(X", "--wrt", "X", "--var", "X=n,n"}, exitUsage, "", "1:5: expected ')'"},
		// Juxtaposed factors in a call, as outside one: this said
		// "expected ')', found 'X'".
		{[]string{"--f", "tr(X'X)", "--wrt", "X", "--var", "X=n,n"}, exitUsage, "", "f: 1:6: missing operator before 'X'\n"},
		// A variable called as a function: this said "unknown function 'X'".
		{[]string{"--f", "X(1,1)", "--wrt", "X", "--var", "X=n,n"}, exitUsage, "",
			"f: 1:1: X is a variable: indexing X(...) is not supported; write X*(...) for a product\n"},
		{[]string{"--f", "tr(X)", "--wrt", "Y", "--var", "X=n,n"}, exitUsage, "", "wrt Y is not a declared variable"},
		{[]string{"--f", "tr(X*A)", "--wrt", "X", "--var", "X=n,n", "--var", "A=m,m"}, exitUsage, "", "cannot multiply"},
		{[]string{"--f", "tr(X)", "--var", "X=n,n"}, exitUsage, "", "--wrt"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n;n"}, exitUsage, "", "--var"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "extra"}, exitUsage, "", "unexpected argument"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--format", "yaml"}, exitUsage, "", "--format"},
		// --size: f is shape-checked there, as check does; an f that
		// type-checks only where n = m is derived there.
		{[]string{"--f", "tr(A*X)", "--wrt", "X", "--var", "A=n,m", "--var", "X=n,m", "--size", "n=3,m=3", "--grad"}, exitOK, "A'\n", "m and n are both 3: the result may write one for the other"},
		{[]string{"--f", "tr(A*X)", "--wrt", "X", "--var", "A=n,m", "--var", "X=n,m", "--size", "n=3,m=4"}, exitUsage, "", "A*X: cannot multiply 3×4 by 3×4"},
		{[]string{"--f", "sum(X*ones(3))", "--wrt", "X", "--var", "X=n,n", "--size", "n=3", "--grad"}, exitOK, "ones(n)*ones(3)'\n", ""},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--size", "n=5,k=2", "--grad"}, exitOK, "eye(n)\n", "--size k: f does not use k"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--size", "n=0"}, exitUsage, "", "--size"},
		// A name that means two things is refused: derive differentiated
		// the integration variable X as the variable X.
		{[]string{"--f", "tr(A*integral(X, 0, 1, X*X))", "--wrt", "X", "--var", "X=n,n", "--var", "A=n,n"}, exitUsage, "", "f: 1:6: integral(X, 0, 1, X*X): the integration variable X is the name of a variable;"},
		// derive writes an integral inside another over the same variable
		// (each binds its own), and a gradient that reads so is accepted.
		{[]string{"--f", "norm2(integral(t, 0, 1, t*X*x))", "--wrt", "X", "--var", "X=n,n", "--var", "x=n", "--grad"}, exitOK,
			"integral(t, 0, 1, t*integral(t, 0, 1, t*X*x)*x'/norm2(integral(t, 0, 1, t*X*x)))\n", ""},
		{[]string{"--f", "integral(dX, 0, 1, dX*tr(X))", "--wrt", "X", "--var", "X=n,n"}, exitUsage, "", "the integration variable dX is the name of a direction of X"},
		// A function the language lacks is not matched to a nearby one
		// that means something else: sqrtm was "did you mean sqrt?".
		{[]string{"--f", "sqrtm(X)", "--wrt", "X", "--var", "X=n,n"}, exitUsage, "",
			"f: 1:1: unknown function 'sqrtm' (the matrix square root is not in the language; sqrt is elementwise)\n"},
		{[]string{"--f", "tr(X)", "--wrt", "X", "--var", "X=3x3"}, exitUsage, "",
			`--var: bad variable "X=3x3": "3x3" is not a dimension; write X=3,3 for a 3×3 matrix`},
		{[]string{"--f", "tr(eye(X))", "--wrt", "X", "--var", "X=n,n"}, exitUsage, "", "f: 1:4: eye(X): X is a variable, not a size"},
	}
	for _, tc := range tests {
		code, out, errOut := call(t, append([]string{"derive"}, tc.args...)...)
		if code != tc.code || out != tc.out || !strings.Contains(errOut, tc.inErr) {
			t.Errorf("derive %q: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
				tc.args, code, out, errOut, tc.code, tc.out, tc.inErr)
		}
	}
	// A gradient not asked for that does not paste back is null in JSON,
	// and the differential, which does, is printed (it failed).
	tanh10 := "sum(" + strings.Repeat("tanh(", 10) + "X" + strings.Repeat(")", 10) + ")"
	if code, out, errOut := call(t, "derive", "--f", tanh10, "--wrt", "X", "--var", "X=n,n", "--format", "json"); code != exitOK || !strings.HasSuffix(out, `"grad":null}`+"\n") {
		t.Errorf("derive --format json of tanh nested ten times: exit %d, stderr %q, stdout ending %q; want exit 0 and a null gradient", code, errOut, out[max(0, len(out)-40):])
	}
	code, out, _ := call(t, "help", "derive")
	if code != exitOK || !strings.Contains(out, "Usage: gradcheck derive") {
		t.Errorf("help derive: exit %d:\n%s", code, out)
	}
	// derive's help gives derive's exit codes, not those of checking claims.
	wantAll(t, "derive --help", out, "Exit codes:", "0  the differential (or gradient) is printed", "1  derive cannot do it", "2  the invocation was wrong")
	for _, claims := range []string{"every claim passed", "was inconclusive", "130"} {
		if strings.Contains(out, claims) {
			t.Errorf("derive --help says %q:\n%s", claims, out)
		}
	}
}

// TestDeriveChecks pastes derive's output back into check as --diff and
// --grad claims: they pass.
func TestDeriveChecks(t *testing.T) {
	fn := []string{"--f", "log(x'*A*x) + tr(expm(S))*a'*x", "--wrt", "x",
		"--var", "A=n,n:posdef-nonsym", "--var", "x=n", "--var", "a=n", "--var", "S=m,m:small"}
	code, out, errOut := call(t, append(append([]string{"derive"}, fn...), "--format", "json")...)
	if code != exitOK {
		t.Fatalf("derive: exit %d: %s", code, errOut)
	}
	var d struct {
		Diff string
		Grad *string
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.Grad == nil {
		t.Fatalf("derive: %q: %v", out, err)
	}
	for _, claim := range [][]string{{"--diff", d.Diff}, {"--grad", *d.Grad}} {
		args := append(append(append([]string{"check"}, fn...), claim...), "--size", "n=7,m=4")
		if code, out, errOut := call(t, args...); code != exitOK {
			t.Errorf("check %q: exit %d:\n%s%s", claim, code, out, errOut)
		}
	}
}

// fullWriter fails every write, as a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestFullStdout checks that a command whose output cannot be written
// (gradcheck derive > /dev/full) says so and exits 3: derive exited 0
// with its result lost, and list called it an internal error.
func TestFullStdout(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"derive", []string{"derive", "--f", "tr(X)", "--wrt", "X", "--var", "X=n,n"}, "writing the result: no space left on device"},
		{"derive --grad", []string{"derive", "--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--grad"}, "writing the result: no space left on device"},
		{"derive json", []string{"derive", "--f", "tr(X)", "--wrt", "X", "--var", "X=n,n", "--format", "json"}, "writing the result: no space left on device"},
		{"derive --hess", []string{"derive", "--f", "tr(X*X)", "--wrt", "X", "--var", "X=n,n", "--hess"}, "writing the result: no space left on device"},
		{"list", []string{"list", "tr-x"}, "writing the list: no space left on device"},
		{"list json", []string{"list", "tr-x", "--format", "json"}, "writing the list: no space left on device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errOut bytes.Buffer
			code := run(tc.args, fullWriter{}, &errOut)
			if code != exitInternal || errOut.String() != "gradcheck: "+tc.want+"\n" {
				t.Errorf("exit %d, stderr %q; want 3 and %q", code, errOut.String(), tc.want)
			}
		})
	}
}
