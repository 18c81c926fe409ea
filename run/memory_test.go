package run

import (
	"cmp"
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
			want:    []string{"but the machine has only ", " available (--mem allows 1024 TiB); lower --size n or lower --dirs"},
			wantNot: []string{"raise --mem"}, machine: true,
		},
		{
			// --mem binds, and the machine has room: raising it helps,
			// and it alone, as no size or --dirs makes 1 B enough.
			name: "mem binds", f: "tr(X)", shape: "n,n", grad: "eye(n)", n: 3, mem: 1,
			want:    []string{"big n=3: one instance needs at least 1.266 KiB, but --mem allows 1 B (the machine has ", "; raise --mem"},
			wantNot: []string{"--size", "--dirs"}, machine: true,
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
			want:    []string{"big n=48: one instance needs at least 309 GiB", "; lower --size n or lower --dirs"},
			wantNot: []string{"written in the claim"},
		},
		{
			// Nor where --dirs makes it large: 10⁶ directions of a
			// 100×100 variable, of which --size changes nothing.
			name: "dirs at fault", f: "sum(X)", shape: "100,100", grad: "X.^0", n: 3, dirs: 1000000, mem: 1 << 30,
			want:    []string{"big: one instance needs at least 447 GiB", "; lower --dirs"},
			wantNot: []string{"written in the claim", "--size"},
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

// TestCheckMemoryAdvice checks that a refusal advises only what would
// help: lowering a size above 1 that an array of the claim grows with,
// --dirs where the directions are random, --mode directional for an
// entrywise check, --mem where it binds. "lower --size" was the advice at
// n = 1 and for a claim of literal sizes alike. Each case's --mem binds,
// below what the machine has: its advice ends with raising --mem.
func TestCheckMemoryAdvice(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  formulas.Spec
		sizes map[string]int
		edit  func(*gradcheck.Settings)
		// mem is --mem: 1 MiB where 0.
		mem int64
		// bench checks as bench does, its one --sizes setting every
		// symbol.
		bench  bool
		advice string
	}{
		{
			name: "one size", spec: gradSpec("sum(x)", "x", "ones(n,1)", "x=n"), sizes: map[string]int{"n": 100000},
			advice: "lower --size n, lower --dirs, or raise --mem",
		},
		{
			// m is above 1, but no array is as large as x: lowering
			// it does not help.
			name: "a size no large array has", spec: gradSpec("sum(x) + sum(y)", "x", "ones(n,1)", "x=n", "y=m"), sizes: map[string]int{"n": 100000, "m": 50},
			advice: "lower --size n, lower --dirs, or raise --mem",
		},
		{
			name: "either size", spec: gradSpec("sum(X)", "X", "ones(m,n)", "X=m,n"), sizes: map[string]int{"m": 400, "n": 300},
			advice: "lower --size m or n, lower --dirs, or raise --mem",
		},
		{
			// x and y are as large: lowering one leaves the other.
			name: "both sizes", spec: gradSpec("sum(x) + sum(y)", "x", "ones(m,1)", "x=m", "y=n"), sizes: map[string]int{"m": 100000, "n": 100000},
			advice: "lower --size m and n, lower --dirs, or raise --mem",
		},
		{
			// At n = 1 a literal size makes it large (309 MiB), but
			// one direction fits (103 MiB): no --size, nor the literal
			// blamed.
			name: "every size 1", spec: gradSpec("sum(kron(ones(1500,1500), X))", "X", "2250000*ones(n,n)", "X=n,n"), sizes: map[string]int{"n": 1},
			mem: 200 << 20, advice: "lower --dirs or raise --mem",
		},
		{
			name: "literal sizes", spec: gradSpec("sum(X)", "X", "ones(1500,1500)", "X=1500,1500"),
			mem: 200 << 20, advice: "lower --dirs or raise --mem",
		},
		{
			// An identity has one direction: --dirs is no help.
			name: "identity", spec: formulas.Spec{Name: "big", F: "X*X", Equals: "X^2", Vars: []formulas.SpecVar{varFlag(t, "X=n,n")}}, sizes: map[string]int{"n": 1500},
			advice: "lower --size n or raise --mem",
		},
		{
			// An entrywise check has a direction per entry: --mode
			// directional helps, --dirs does not.
			name: "entrywise", spec: gradSpec("sum(x)", "x", "ones(n,1)", "x=n"), sizes: map[string]int{"n": 4000},
			edit:   func(s *gradcheck.Settings) { s.Mode = gradcheck.Entrywise },
			advice: "lower --size n, use --mode directional, or raise --mem",
		},
		{
			name: "bench sizes", spec: gradSpec("sum(X)", "X", "ones(m,n)", "X=m,n"), sizes: map[string]int{"m": 400, "n": 400}, bench: true,
			advice: "lower --sizes, lower --dirs, or raise --mem",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if avail, known := sysmem.Available(); !known || avail < 1<<30 {
				t.Skip("the machine's available memory is unknown, or below 1 GiB")
			}
			s := gradcheck.DefaultSettings()
			s.MemBytes = cmp.Or(tc.mem, 1<<20)
			if tc.edit != nil {
				tc.edit(&s)
			}
			err := checkMemoryAt(t, tc.spec, tc.sizes, s, tc.bench)
			if err == nil {
				t.Fatal("CheckMemory: nil, want a refusal")
			}
			if msg := err.Error(); !strings.HasSuffix(msg, " available); "+tc.advice) {
				t.Errorf("CheckMemory: %q, want it to end %q", msg, " available); "+tc.advice)
			}
		})
	}
}

// gradSpec is the claim "big": the gradient grad of f with respect to
// wrt, its variables declared as --var flags.
func gradSpec(f, wrt, grad string, vars ...string) formulas.Spec {
	s := formulas.Spec{Name: "big", F: f, Wrt: wrt, Grad: grad}
	for _, v := range vars {
		name, vs, err := formulas.ParseVarFlag(v)
		if err != nil {
			panic(err)
		}
		s.Vars = append(s.Vars, formulas.SpecVar{Name: name, VarSpec: vs})
	}
	return s
}

// varFlag is the variable a --var flag declares.
func varFlag(t *testing.T, flag string) formulas.SpecVar {
	t.Helper()
	name, vs, err := formulas.ParseVarFlag(flag)
	if err != nil {
		t.Fatal(err)
	}
	return formulas.SpecVar{Name: name, VarSpec: vs}
}

// checkMemoryOf returns CheckMemory of the claim "big" (f of X of the
// shape, its gradient grad) at n, under a --mem of mem bytes, with dirs
// directions (the default where 0).
func checkMemoryOf(t *testing.T, f, shape, grad string, n, dirs int, mem int64) error {
	t.Helper()
	s := gradcheck.DefaultSettings()
	s.MemBytes = mem
	if dirs > 0 {
		s.Dirs = dirs
	}
	spec := formulas.Spec{Name: "big", F: f, Wrt: "X", Grad: grad,
		Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: shape}}}}
	return checkMemoryAt(t, spec, map[string]int{"n": n}, s, false)
}

// checkMemoryAt returns CheckMemory of the claim spec at sizes under s,
// or, for bench, CheckMemoryFlag with bench's --sizes.
func checkMemoryAt(t *testing.T, spec formulas.Spec, sizes map[string]int, s gradcheck.Settings, bench bool) error {
	t.Helper()
	c, err := formulas.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	ts := []Target{{Claim: c, Select: []string{"run", "big"}}}
	if _, err := Resolve(ts, sizes); err != nil {
		t.Fatal(err)
	}
	if bench {
		return CheckMemoryFlag(ts, s, "--sizes")
	}
	return CheckMemory(ts, s)
}
