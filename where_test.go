package gradcheck

import (
	"context"
	"reflect"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestWhereIsTypedOut checks that a claim with definitions (where:) is
// verified as the claim typed out: the same verdict, counts, errors and
// diagnosis, number for number, at the same seed; only its expected
// result differs, which reads the definitions by name.
func TestWhereIsTypedOut(t *testing.T) {
	def := func(name, text string) formulas.Definition { return formulas.Definition{Name: name, Text: text} }
	ls := vars(t, "A=m,n", "x=n", "b=m")
	for _, tc := range []struct {
		name         string
		where, typed formulas.Spec
		verdict      Verdict
		expected     string
	}{
		{"least squares",
			formulas.Spec{F: "r'*r", Wrt: "x", Grad: "2*A'*r", Where: []formulas.Definition{def("r", "A*x - b")}, Vars: ls},
			formulas.Spec{F: "(A*x - b)'*(A*x - b)", Wrt: "x", Grad: "2*A'*(A*x - b)", Vars: ls},
			Pass, ""},
		{"least squares, factor 2 lost",
			formulas.Spec{F: "r'*r", Wrt: "x", Grad: "A'*r", Where: []formulas.Definition{def("r", "A*x - b")}, Vars: ls},
			formulas.Spec{F: "(A*x - b)'*(A*x - b)", Wrt: "x", Grad: "A'*(A*x - b)", Vars: ls},
			Fail, "2*A'*r"},
		{"differential of the inverse, a direction in a definition",
			formulas.Spec{F: "Y", Wrt: "X", Diff: "-Y*E*Y", Where: []formulas.Definition{def("Y", "inv(X)"), def("E", "dX")}, Vars: vars(t, "X=n,n:wellcond")},
			formulas.Spec{F: "inv(X)", Wrt: "X", Diff: "-inv(X)*dX*inv(X)", Vars: vars(t, "X=n,n:wellcond")},
			Pass, ""},
		{"wrong differential of the inverse",
			formulas.Spec{F: "Y", Wrt: "X", Diff: "-Y*Y*E", Where: []formulas.Definition{def("Y", "inv(X)"), def("E", "dX")}, Vars: vars(t, "X=n,n:wellcond")},
			formulas.Spec{F: "inv(X)", Wrt: "X", Diff: "-inv(X)*inv(X)*dX", Vars: vars(t, "X=n,n:wellcond")},
			Fail, "-(Y*E*Y)"},
		{"identity",
			formulas.Spec{F: "det(P)", Equals: "det(A)*det(B)", Where: []formulas.Definition{def("P", "A*B")}, Vars: vars(t, "A=n,n", "B=n,n")},
			formulas.Spec{F: "det(A*B)", Equals: "det(A)*det(B)", Vars: vars(t, "A=n,n", "B=n,n")},
			Pass, ""},
	} {
		s := DefaultSettings()
		s.Sizes, s.Batch = map[string]int{"m": 7, "n": 5}, 4
		b := cpu.New()
		verify := func(spec formulas.Spec) Result {
			spec.Name = "c"
			c, err := formulas.BuildAt(spec, s.Sizes)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			return Verify(context.Background(), b, c, s)
		}
		got, want := verify(tc.where), verify(tc.typed)
		if got.Verdict != tc.verdict || got.Expected != tc.expected {
			t.Errorf("%s: %s, expected %q; want %s, %q (%s)", tc.name, got.Verdict, got.Expected, tc.verdict, tc.expected, got.Detail)
		}
		got.Expected, want.Expected = "", ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: with definitions\n%+v\ntyped out\n%+v", tc.name, got, want)
		}
	}
}
