package gradcheck

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestMergeEqualsWhole verifies claims on the whole batch and on disjoint
// instance ranges, along random directions and entry by entry, and checks
// that merging the parts gives the same verdict, counts, evaluations,
// worst case, reason and detail as the whole.
func TestMergeEqualsWhole(t *testing.T) {
	claims := []formulas.Spec{
		{Name: "right", F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: squareVars("A", "X")},
		{Name: "wrong", F: "tr(A*X)", Wrt: "X", Grad: "A", Vars: squareVars("A", "X")},
		// logdet of a Gaussian matrix: det < 0 for some instances.
		{Name: "domain", F: "logdet(X)", Wrt: "X", Grad: "inv(X)'", Vars: squareVars("X")},
		// f does not read X: every comparison is 0 against 0.
		{Name: "constant", F: "tr(A)", Wrt: "X", Grad: "zeros(n,n)", Vars: squareVars("A", "X")},
		// f changes below its rounding at the step: every comparison is 0
		// against 0, inconclusive once the probe finds the change.
		{Name: "below rounding", F: "1e12 + 1e-3*tr(X)", Wrt: "X", Grad: "zeros(n,n)", Vars: squareVars("X")},
		// A pass at a loose tolerance: the note gives the worst part's.
		{Name: "loose", F: "sum(sum(sin(1e4*X)))", Wrt: "X", Grad: "1e4*cos(1e4*X)", Vars: squareVars("X")},
		// A zero Hessian, undecided: the reason says why.
		{Name: "linear", F: "tr(A*X)", Wrt: "X", Hess: "0", Vars: squareVars("A", "X")},
		// Symmetric samples: the pass notes that the layout went unchecked.
		{Name: "symmetric", F: "logdet(X)", Wrt: "X", Grad: "inv(X)", Vars: vars(t, "X=n,n:spd")},
		// A claim that is not finite where some entry of X is negative.
		{Name: "broken", F: "tr(X)", Wrt: "X", Grad: "log(X)./log(X)", Vars: squareVars("X")},
		// An integral, adaptive: with one partition for the chunk, the
		// poles of some instances' integrands (X with a negative
		// eigenvalue) took the panels of the others.
		// Claims with the transposed shape of a non-square variable: the
		// verdict is fail whatever the counts of their transposes say.
		{Name: "layout", F: "sum((A*x - b).^2)", Wrt: "A", Grad: "2*x*(A*x - b)'", Vars: vars(t, "A=m,n", "x=n,1", "b=m,1")},
		{Name: "layout factor", F: "sum((A*x - b).^2)", Wrt: "A", Grad: "x*(A*x - b)'", Vars: vars(t, "A=m,n", "x=n,1", "b=m,1")},
		{Name: "layout domain", F: "sum(log(A*x))", Wrt: "A", Grad: "x*(1./(A*x))'", Vars: vars(t, "A=m,n:positive", "x=n,1")},
		{Name: "integral", F: "logm(X)", Wrt: "X", Diff: "integral(z, 0, inf, inv(X + z*eye(n))*dX*inv(X + z*eye(n)))", Vars: squareVars("X")},
	}
	splits := [][]int{{0, 8}, {0, 3, 8}, {0, 1, 2, 5, 8}}
	b := cpu.New()
	for _, mode := range []Mode{Directional, Entrywise} {
		for _, spec := range claims {
			if spec.Name == "integral" && mode == Entrywise {
				continue // 15 s, and nothing the directional check lacks
			}
			c := inline(t, spec)
			s := DefaultSettings()
			s.Sizes, s.Mode = map[string]int{"n": 5}, mode
			whole := Verify(context.Background(), b, c, s)
			if err := whole.Consistent(); err != nil {
				t.Errorf("%s %s: %v", spec.Name, mode, err)
			}
			for _, cut := range splits {
				var parts []Result
				for i := len(cut) - 1; i > 0; i-- { // out of order on purpose
					ps := s
					ps.InstanceFrom, ps.InstanceTo = cut[i-1], cut[i]
					part := Verify(context.Background(), b, c, ps)
					if err := part.Consistent(); err != nil {
						t.Errorf("%s %s part %v: %v", spec.Name, mode, ps.InstanceFrom, err)
					}
					parts = append(parts, part)
				}
				merged, err := Merge(parts)
				if err != nil {
					t.Fatal(err)
				}
				if merged.Verdict != whole.Verdict || merged.Counts != whole.Counts || merged.Reason != whole.Reason || merged.Detail != whole.Detail ||
					merged.Worst != whole.Worst || merged.MaxRelErr != whole.MaxRelErr || merged.Instances != whole.Instances ||
					merged.Evaluations != whole.Evaluations {
					t.Errorf("%s %s split %v:\nmerged %+v\nwhole  %+v", spec.Name, mode, cut, merged, whole)
				}
			}
			if spec.Name == "domain" && whole.Verdict != Inconclusive {
				t.Errorf("domain %s: verdict %s, want inconclusive (%s)", mode, whole.Verdict, whole.Reason)
			}
			if strings.HasPrefix(spec.Name, "layout") && (whole.Verdict != Fail || whole.Diagnosis != DiagTranspose) {
				t.Errorf("%s %s: %s %s (%s), want fail: transpose", spec.Name, mode, whole.Verdict, whole.Diagnosis, whole.Reason)
			}
		}
	}
}

// TestMergeRefusesOverlap checks that overlapping or foreign parts are refused.
func TestMergeRefusesOverlap(t *testing.T) {
	a := Result{Name: "x", Kind: formulas.Grad, Sizes: map[string]int{"n": 3}, Instances: [2]int{0, 4}}
	b := a
	b.Instances = [2]int{2, 6}
	if _, err := Merge([]Result{a, b}); err == nil {
		t.Error("overlapping instance ranges merged")
	}
	c := a
	c.Sizes = map[string]int{"n": 4}
	c.Instances = [2]int{4, 8}
	if _, err := Merge([]Result{a, c}); err == nil {
		t.Error("different sizes merged")
	}
	if !reflect.DeepEqual(a.Sizes, map[string]int{"n": 3}) {
		t.Error("merge modified its input")
	}
}

// TestInterrupt checks that a cancelled context stops a verification with
// an error verdict that says so, instead of running on.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := inline(t, formulas.Spec{Name: "x", F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: squareVars("A", "X")})
	res := Verify(ctx, cpu.New(), c, DefaultSettings())
	if res.Verdict != Error || !strings.Contains(res.Reason, "interrupted") {
		t.Fatalf("%s: %s", res.Verdict, res.Reason)
	}
}

// TestUserToleranceReason checks the reason of a result made inconclusive
// by --rtol or --atol: it names them, not the finite-difference estimate
// (or an identity's rounding), in the whole run and in shards merged; and
// an inconclusive result without them does not.
func TestUserToleranceReason(t *testing.T) {
	tests := []struct {
		name       string
		spec       formulas.Spec
		rtol, atol float64
		names      bool // the reason names --rtol and --atol
	}{
		{name: "rtol", spec: formulas.Spec{F: "tr(X)", Wrt: "X", Grad: "eye(n)", Vars: squareVars("X")}, rtol: 0.1, names: true},
		{name: "atol", spec: formulas.Spec{F: "tr(X)", Wrt: "X", Grad: "eye(n)", Vars: squareVars("X")}, atol: 1, names: true},
		{name: "identity", spec: formulas.Spec{F: "inv(X)", Equals: "inv(X)", Vars: squareVars("X")}, rtol: 0.2, names: true},
		{name: "rounding noise", spec: formulas.Spec{F: "det(X - X')", Equals: "0", Vars: squareVars("X")}},
	}
	b := cpu.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Name = tt.name
			c := inline(t, tt.spec)
			s := DefaultSettings()
			s.Sizes, s.RTol, s.ATol = map[string]int{"n": 3}, tt.rtol, tt.atol
			whole := Verify(context.Background(), b, c, s)
			if whole.Verdict != Inconclusive || strings.Contains(whole.Reason, "--rtol") != tt.names {
				t.Fatalf("%s (%s); want inconclusive, naming --rtol: %v", whole.Verdict, whole.Reason, tt.names)
			}
			var parts []Result
			for _, cut := range [][2]int{{0, 3}, {3, 8}} {
				ps := s
				ps.InstanceFrom, ps.InstanceTo = cut[0], cut[1]
				parts = append(parts, Verify(context.Background(), b, c, ps))
			}
			if merged, err := Merge(parts); err != nil || merged.Reason != whole.Reason {
				t.Errorf("merged: %q (%v)\nwhole:  %q", merged.Reason, err, whole.Reason)
			}
		})
	}
}

// TestConsistent checks that Consistent accepts the results a
// verification makes and refuses each way of editing one by hand, which
// Merge, recomputing the verdict from the counts, would otherwise merge
// as if true (a verdict changed to fail merged as a pass).
func TestConsistent(t *testing.T) {
	b := cpu.New()
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 4, "m": 3}
	pass := Verify(context.Background(), b, inline(t, formulas.Spec{Name: "right", F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: squareVars("A", "X")}), s)
	layout := Verify(context.Background(), b, inline(t, formulas.Spec{Name: "layout", F: "sum((A*x - b).^2)", Wrt: "A", Grad: "2*x*(A*x - b)'",
		Vars: vars(t, "A=m,n", "x=n,1", "b=m,1")}), s)
	tests := []struct {
		name string
		base Result
		edit func(r *Result)
		want string // "" where r is consistent
	}{
		{"pass", pass, func(*Result) {}, ""},
		{"shape mismatch", layout, func(*Result) {}, ""},
		{"verdict", pass, func(r *Result) { r.Verdict = Fail }, "verdict fail, but its counts give pass"},
		{"unknown verdict", pass, func(r *Result) { r.Verdict = "weird" }, `unknown verdict "weird"`},
		{"negative count", pass, func(r *Result) { r.Counts.Agreed = -100 }, "a count of -100"},
		{"comparisons", pass, func(r *Result) { r.Comparisons++ }, "comparisons, but the counts add up to"},
		{"instances", pass, func(r *Result) { r.Instances = [2]int{5, 2} }, "instances [5 2] out of order"},
		{"worst", pass, func(r *Result) { r.Worst.Instance = 1e9 }, "worst instance 1000000000 outside instances [0 8]"},
		{"shape mismatch passed", layout, func(r *Result) { r.Verdict = Pass }, "verdict pass, but its transpose's gives fail"},
		{"shape mismatch alone", layout, func(r *Result) { r.Transposed = nil }, "shape_mismatch without the result of the claim's transpose"},
	}
	for _, tt := range tests {
		r := tt.base
		tt.edit(&r)
		err := r.Consistent()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Consistent() = %v, want %q", tt.name, err, tt.want)
		}
	}
}
