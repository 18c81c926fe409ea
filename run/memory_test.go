package run

import (
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/internal/sysmem"
)

// TestCheckMemoryNamesClaim checks the message that refuses a claim too
// large for --mem: it names the claim at its sizes, and a claim without
// size symbols by its name alone ("inline at : one instance ..." before).
func TestCheckMemoryNamesClaim(t *testing.T) {
	for _, tc := range []struct {
		shape, grad, want string
	}{
		{"n,n", "eye(n)", "big n=3: one instance needs"},
		{"3,3", "eye(3)", "big: one instance needs"},
	} {
		t.Run(tc.shape, func(t *testing.T) {
			err := checkMemoryOf(t, "tr(X)", tc.shape, tc.grad, 3, 1)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("CheckMemory: %v, want it to begin %q", err, tc.want)
			}
		})
	}
}

// TestCheckMemoryMessages checks what the refusal of a claim too large
// says, case by case: each want is in the message, each wantNot is not.
func TestCheckMemoryMessages(t *testing.T) {
	for _, tc := range []struct {
		name, f, shape, grad string
		n                    int
		mem                  int64
		want, wantNot        []string
		// machine marks a case that needs the machine's available
		// memory known, and below 1 TiB.
		machine bool
	}{
		{
			// The estimate saturates at bench.NeedCap: a bound, not a
			// count ("at least 5.243e+05 TiB" before).
			name: "saturated", f: "tr(X)", shape: "n,n", grad: "eye(n)", n: formulas.MaxSize, mem: 1 << 30,
			want:    []string{"big n=2147483647: one instance needs more than 5.243e+05 TiB"},
			wantNot: []string{"at least"},
		},
		{
			name: "counted", f: "tr(X)", shape: "n,n", grad: "eye(n)", n: 100000, mem: 1 << 30,
			want: []string{"one instance needs at least 1.31 TiB"},
		},
		{
			// The machine binds, not --mem: raising --mem cannot help
			// (--mem 1TiB on a machine of 23 GiB said "raise --mem").
			name: "machine binds", f: "tr(X)", shape: "n,n", grad: "eye(n)", n: 100000, mem: 1 << 50,
			want:    []string{"but the machine has only ", " available (--mem allows 1024 TiB); lower --size (or --dirs)"},
			wantNot: []string{"raise --mem"}, machine: true,
		},
		{
			// --mem binds, and the machine has room: raising it helps.
			name: "mem binds", f: "tr(X)", shape: "n,n", grad: "eye(n)", n: 3, mem: 1,
			want: []string{"big n=3: one instance needs at least 1.266 KiB, but --mem allows 1 B (the machine has ", "; lower --size (or --dirs), or raise --mem"}, machine: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if avail, known := sysmem.Available(); tc.machine && (!known || avail >= 1<<40) {
				t.Skip("the machine's available memory is unknown, or 1 TiB or more")
			}
			err := checkMemoryOf(t, tc.f, tc.shape, tc.grad, tc.n, tc.mem)
			if err == nil {
				t.Fatal("CheckMemory: nil, want a refusal")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("CheckMemory: %q, want one line", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("CheckMemory: %q, want %q in it", msg, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(msg, w) {
					t.Errorf("CheckMemory: %q, want no %q in it", msg, w)
				}
			}
		})
	}
}

// checkMemoryOf returns CheckMemory of the claim "big" (f of X of the
// shape, its gradient grad) at n, under a --mem of mem bytes.
func checkMemoryOf(t *testing.T, f, shape, grad string, n int, mem int64) error {
	t.Helper()
	c, err := formulas.Build(formulas.Spec{Name: "big", F: f, Wrt: "X", Grad: grad,
		Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: shape}}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := []Target{{Claim: c, Select: []string{"run", "big"}}}
	if _, err := Resolve(ts, map[string]int{"n": n}); err != nil {
		t.Fatal(err)
	}
	s := gradcheck.DefaultSettings()
	s.MemBytes = mem
	return CheckMemory(ts, s)
}
