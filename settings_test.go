package gradcheck

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/internal/sysmem"
)

// TestSettingsValidate checks that settings no verification can run with
// are refused with a message naming the field, and that a claim verified
// with them gets an Error verdict carrying it, not a panic, a hang or a
// silent pass (found by the exploratory helper: Dirs = MaxInt panicked,
// RTol < 0 failed a true claim, Mode "Entrywise" ran directional).
func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Settings)
		err    string // "" for valid settings
	}{
		{"default", func(*Settings) {}, ""},
		{"empty mode", func(s *Settings) { s.Mode = "" }, ""},
		{"entrywise", func(s *Settings) { s.Mode = Entrywise }, ""},
		{"range", func(s *Settings) { s.Instance, s.InstanceFrom, s.InstanceTo = -1, 2, 8 }, ""},
		{"most draws", func(s *Settings) { s.Batch, s.Dirs = 1<<16, 1<<16 }, ""},
		{"batch 0", func(s *Settings) { s.Batch = 0 }, "Batch 0 is below 1"},
		{"dirs 0", func(s *Settings) { s.Dirs = 0 }, "Dirs 0 is below 1"},
		{"too many draws", func(s *Settings) { s.Dirs = math.MaxInt }, "is over 4294967296 random directions"},
		{"mode", func(s *Settings) { s.Mode = "Entrywise" }, `Mode "Entrywise" is neither`},
		{"negative rtol", func(s *Settings) { s.RTol = -1e-3 }, "RTol -0.001 is not a finite number ≥ 0"},
		{"NaN atol", func(s *Settings) { s.ATol = math.NaN() }, "ATol NaN"},
		{"infinite atol", func(s *Settings) { s.ATol = math.Inf(1) }, "ATol +Inf"},
		{"instance", func(s *Settings) { s.Instance = 8 }, "Instance 8 is out of range: Batch 8 has instances 0 to 7"},
		{"range below 0", func(s *Settings) { s.InstanceFrom, s.InstanceTo = -5, 2 }, "instances [-5, 2) are out of range"},
		{"range past the batch", func(s *Settings) { s.InstanceFrom, s.InstanceTo = 4, 9 }, "instances [4, 9) are out of range"},
		{"range reversed", func(s *Settings) { s.InstanceFrom, s.InstanceTo = 5, 2 }, "InstanceTo 2 is below InstanceFrom 5"},
		{"no memory", func(s *Settings) { s.MemBytes = 0 }, "MemBytes 0 is below 1"},
		// An empty range verified the whole batch, and an Instance with a
		// range won over it, both silently.
		{"empty range", func(s *Settings) { s.InstanceFrom, s.InstanceTo = 3, 3 }, "instances [3, 3) are none"},
		{"empty range at the end", func(s *Settings) { s.InstanceFrom, s.InstanceTo = 8, 8 }, "instances [8, 8) are none"},
		{"no range", func(s *Settings) { s.Instance, s.InstanceFrom, s.InstanceTo = 2, 0, 0 }, ""},
		{"instance and range", func(s *Settings) { s.Instance, s.InstanceFrom, s.InstanceTo = 2, 0, 4 }, "Instance 2 and instances [0, 4) are both set"},
		{"instance and empty range", func(s *Settings) { s.Instance, s.InstanceFrom, s.InstanceTo = 0, 5, 5 }, "Instance 0 and instances [5, 5) are both set"},
	}
	c := inline(t, formulas.Spec{Name: "tr-ax", F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: vars(t, "A=n,n", "X=n,n")})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			s.Sizes = map[string]int{"n": 3}
			tt.change(&s)
			err := s.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("valid settings refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want one saying %q", err, tt.err)
			}
			res := Verify(context.Background(), cpu.New(), c, s)
			if res.Verdict != Error || res.Reason != err.Error() {
				t.Errorf("Verify: %s (%s), want error %q", res.Verdict, res.Reason, err)
			}
		})
	}
}

// TestVerifyRefusesOversized checks that a claim one instance of which
// needs more memory than the machine has is an Error verdict, as the
// command line's --mem check is, and not a crash of the runtime (found by the
// exploratory helper: makeslice panics and a fatal out of memory).
func TestVerifyRefusesOversized(t *testing.T) {
	if _, known := sysmem.Available(); !known {
		t.Skip("the memory available is unknown here")
	}
	tests := []struct {
		name  string
		spec  formulas.Spec
		sizes map[string]int
	}{
		{"largest size", formulas.Spec{F: "logdet(X)", Wrt: "X", Grad: "inv(X)'", Vars: vars(t, "X=n,n:spd")}, map[string]int{"n": formulas.MaxSize}},
		{"n = 100000", formulas.Spec{F: "logdet(X)", Wrt: "X", Grad: "inv(X)'", Vars: vars(t, "X=n,n:spd")}, map[string]int{"n": 100000}},
		{"kron of krons", formulas.Spec{F: "sum(kron(kron(X, X), kron(X, X)))", Wrt: "X", Diff: "0*tr(dX)", Vars: vars(t, "X=n,n")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Name = "oversized"
			s := DefaultSettings()
			s.Sizes = tt.sizes
			res := Verify(context.Background(), cpu.New(), inline(t, tt.spec), s)
			if res.Verdict != Error || !strings.Contains(res.Reason, "GiB available: lower the sizes") {
				t.Errorf("%s (%s), want an error about the memory available", res.Verdict, res.Reason)
			}
		})
	}
}
