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
			err := checkMemoryOf(t, "tr(X)", tc.shape, tc.grad, 3, 0, 1)
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
		n, dirs              int
		mem                  int64
		want, wantNot        []string
		// machine marks a case that needs the machine's available
		// memory known, and below 1 TiB.
		machine bool
	}{
		{
			// The estimate saturates at gradcheck.MaxInstanceBytes: a bound, not a
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
		{
			// A size written in the claim makes it large, not n: the
			// refusal blamed n=48 and advised lowering --size.
			name: "eye literal", f: "tr(X)+tr(eye(1e9))", shape: "n,n", grad: "eye(n)", n: 48, mem: 1 << 30,
			want:    []string{"big: one instance needs more than 5.243e+05 TiB", "; eye(1000000000) is 1000000000×1000000000 at the size written in the claim (--size does not change it): write a smaller size there"},
			wantNot: []string{"n=48", "lower --size"},
		},
		{
			name: "ones literal", f: "tr(X)+sum(ones(100000,100000))", shape: "n,n", grad: "eye(n)", n: 48, mem: 1 << 30,
			want:    []string{"big: one instance needs at least 1.31 TiB", "; ones(100000, 100000) is 100000×100000 at the size written in the claim"},
			wantNot: []string{"n=48", "lower --size"},
		},
		{
			name: "variable literal", f: "sum(X)", shape: "100000,100000", grad: "X.^0", n: 48, mem: 1 << 30,
			want:    []string{"big: one instance needs at least 1.31 TiB", "; the variable X is 100000×100000 at the size written in the claim"},
			wantNot: []string{"lower --size"},
		},
		{
			// A literal size that n multiplies: at n = 1 it fits, so
			// n is what to lower.
			name: "size at fault", f: "sum(kron(eye(1000),X))", shape: "n,n", grad: "1000*ones(n,n)", n: 48, mem: 1 << 30,
			want:    []string{"big n=48: one instance needs at least 309 GiB", "; lower --size (or --dirs)"},
			wantNot: []string{"written in the claim"},
		},
		{
			// Nor where --dirs makes it large: 10⁶ directions of a
			// 100×100 variable.
			name: "dirs at fault", f: "sum(X)", shape: "100,100", grad: "X.^0", n: 3, dirs: 1000000, mem: 1 << 30,
			want:    []string{"big: one instance needs at least 447 GiB", "; lower --size (or --dirs)"},
			wantNot: []string{"written in the claim"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if avail, known := sysmem.Available(); tc.machine && (!known || avail >= 1<<40) {
				t.Skip("the machine's available memory is unknown, or 1 TiB or more")
			}
			err := checkMemoryOf(t, tc.f, tc.shape, tc.grad, tc.n, tc.dirs, tc.mem)
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
// shape, its gradient grad) at n, under a --mem of mem bytes, with dirs
// directions (the default where 0).
func checkMemoryOf(t *testing.T, f, shape, grad string, n, dirs int, mem int64) error {
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
	if dirs > 0 {
		s.Dirs = dirs
	}
	return CheckMemory(ts, s)
}
