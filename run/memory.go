package run

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/bench"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/internal/sysmem"
)

// memShare is the share of the available memory that the default --mem
// gives one chunk of instances: the chunk's perturbed copies, with room
// left for the Go heap's garbage and for the rest of the machine.
const memShare = 4

// DefaultMemBytes returns the default memory budget of one chunk of
// instances (gradcheck.Settings.MemBytes, --mem): a quarter of the memory
// available now (MemAvailable of /proc/meminfo), at least 256 MiB; 2 GiB
// where that cannot be read.
func DefaultMemBytes() int64 {
	avail, ok := sysmem.Available()
	if !ok {
		return 2 << 30
	}
	return max(avail/memShare, 256<<20)
}

// CheckMemory refuses, before anything runs, a run in which one instance
// of some resolved target needs more memory than s.MemBytes (--mem) allows
// or the machine has available: not even a chunk of one instance would
// fit. Below that, a batch runs in chunks that fit. Its one-line message
// names the claim at its sizes and advises what would make it fit: lower
// --size (or --dirs), and raise --mem only where --mem, not the machine,
// is what binds.
func CheckMemory(targets []Target, s gradcheck.Settings) error {
	return CheckMemoryFlag(targets, s, "--size")
}

// CheckMemoryFlag is CheckMemory for a command whose sizes are given by
// the flag sizeFlag, which its advice names: bench's --sizes.
func CheckMemoryFlag(targets []Target, s gradcheck.Settings, sizeFlag string) error {
	avail, known := sysmem.Available()
	for _, t := range targets {
		if t.Resolved == nil || t.Resolved.Claim.Invalid != nil {
			continue
		}
		need, err := gradcheck.InstanceBytes(t.Resolved, s)
		if err != nil {
			continue // the claim's verification reports it
		}
		if need <= s.MemBytes && (!known || need <= avail) {
			continue
		}
		clause, raise := limits(need, s.MemBytes, avail, known)
		or := ""
		if raise {
			or = ", or raise --mem"
		}
		fits := func(n int64) bool { return n <= s.MemBytes && (!known || n <= avail) }
		if array, shape, ok := literalArray(t.Resolved, s, fits); ok {
			// The sizes of --size are not at fault (eye(1e9) blamed
			// n=48): the claim's own array is named, not its sizes.
			return fmt.Errorf("%s: one instance needs %s, %s; %s is %s at the size written in the claim (%s does not change it): write a smaller size there%s",
				t.Claim.Name, bench.FormatNeed(need), clause, array, shape, sizeFlag, or)
		}
		return fmt.Errorf("%s: one instance needs %s, %s; lower %s (or --dirs)%s",
			nameAt(t.Claim.Name, t.Resolved.Sizes), bench.FormatNeed(need), clause, sizeFlag, or)
	}
	return nil
}

// limits says what one instance that needs need bytes does not fit in,
// and whether raising --mem would help: not where the machine has less
// available than it needs (--mem 1TiB on a machine of 23 GiB said "raise
// --mem").
func limits(need, mem, avail int64, known bool) (clause string, raise bool) {
	switch {
	case !known:
		return fmt.Sprintf("but --mem allows %s (the memory available is unknown)", bench.FormatBytes(float64(mem))), true
	case need > avail:
		return fmt.Sprintf("but the machine has only %s available (--mem allows %s)", bench.FormatBytes(float64(avail)), bench.FormatBytes(float64(mem))), false
	}
	return fmt.Sprintf("but --mem allows %s (the machine has %s available)", bench.FormatBytes(float64(mem)), bench.FormatBytes(float64(avail))), true
}

// literalArray returns, where sizes written in rc's claim rather than its
// size symbols make one instance too large, the largest array so written
// and its shape: eye(1e9) or ones(100000,100000) in f or the claimed
// result (built from literal sizes), or a variable declared with literal
// dimensions. The sizes are at fault where one instance does not fit
// (fits false) even with every size symbol at 1 and one direction:
// lowering --size (or --dirs) cannot help, and the refusal named n=48 all
// the same. ok is false otherwise.
func literalArray(rc *formulas.Resolved, s gradcheck.Settings, fits func(int64) bool) (array, shape string, ok bool) {
	c := rc.Claim
	unit := map[string]int{}
	for _, sym := range c.Symbols() {
		unit[sym] = 1
	}
	small, err := c.Resolve(unit)
	if err != nil {
		return "", "", false
	}
	s.Dirs = 1 // nor is --dirs
	if need, err := gradcheck.InstanceBytes(small, s); err != nil || fits(need) {
		return "", "", false
	}
	var most int64
	consider := func(name string, sh formulas.Shape) {
		if n := int64(sh.Rows) * int64(sh.Cols); n > most {
			most, array, shape = n, name, sh.String()
		}
	}
	for _, e := range []formulas.Expr{c.F, c.Rhs} {
		formulas.Walk(e, func(x formulas.Expr) {
			call, ok := x.(*formulas.Call)
			if !ok {
				return
			}
			if f := formulas.Lookup(call.Func); f == nil || !f.Sizes || !slices.ContainsFunc(call.Args, isNum) {
				return
			}
			if sh, err := formulas.Infer(call, rc.Shapes, rc.Sizes); err == nil {
				consider(callString(call), sh)
			}
		})
	}
	for _, v := range c.Vars {
		if _, err := strconv.Atoi(v.Dims[0]); err != nil {
			continue
		}
		if _, err := strconv.Atoi(v.Dims[1]); err == nil {
			consider("the variable "+v.Name, rc.Shapes[v.Name])
		}
	}
	return array, shape, most > 0
}

// callString writes a constructor's call with its literal sizes as
// integers, eye(1000000000) for eye(1e9): the printer writes eye(1e+09)
// and zeros(2.147483647e+09, 2.147483647e+09).
func callString(call *formulas.Call) string {
	args := make([]string, len(call.Args))
	for i, a := range call.Args {
		if n, ok := a.(*formulas.Num); ok && n != nil {
			args[i] = strconv.FormatFloat(n.Value, 'f', -1, 64)
		} else {
			args[i] = a.String()
		}
	}
	return call.Func + "(" + strings.Join(args, ", ") + ")"
}

// isNum reports whether e is a number literal.
func isNum(e formulas.Expr) bool {
	n, ok := e.(*formulas.Num)
	return ok && n != nil
}
