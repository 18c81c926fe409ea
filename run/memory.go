package run

import (
	"fmt"
	"maps"
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
// fit. Below that, a batch runs in chunks that fit (so --batch is never
// the advice). Its one-line message names the claim at its sizes and
// advises only what would help (see relief): lowering the --size of the
// symbols the memory grows with, lowering --dirs or using --mode
// directional where that lowers it, and raising --mem only where --mem,
// not the machine, is what binds.
func CheckMemory(targets []Target, s gradcheck.Settings) error {
	return checkMemory(targets, s, "--size", true)
}

// CheckMemoryFlag is CheckMemory for a command whose one flag sizeFlag
// sets every size symbol at once (bench's --sizes): its advice names the
// flag alone, as the symbols cannot be set apart.
func CheckMemoryFlag(targets []Target, s gradcheck.Settings, sizeFlag string) error {
	return checkMemory(targets, s, sizeFlag, false)
}

// checkMemory is CheckMemory where sizeFlag sets the sizes, one symbol at
// a time where perSymbol is set (--size n=…), when its advice names the
// symbols to lower.
func checkMemory(targets []Target, s gradcheck.Settings, sizeFlag string, perSymbol bool) error {
	avail, known := sysmem.Available()
	fits := func(n int64) bool { return n <= s.MemBytes && (!known || n <= avail) }
	for _, t := range targets {
		if t.Resolved == nil || t.Resolved.Claim.Invalid != nil {
			continue
		}
		need, err := gradcheck.InstanceBytes(t.Resolved, s)
		if err != nil {
			continue // the claim's verification reports it
		}
		if fits(need) {
			continue
		}
		clause, raise := limits(need, s.MemBytes, avail, known)
		or := ""
		if raise {
			or = ", or raise --mem"
		}
		r := relieve(t.Resolved, s, need, fits)
		if !r.fitsAtFloor {
			if array, shape, ok := literalArray(t.Resolved); ok {
				// The sizes of --size are not at fault (eye(1e9) blamed
				// n=48): the claim's own array is named, not its sizes.
				return fmt.Errorf("%s: one instance needs %s, %s; %s is %s at the size written in the claim (%s does not change it): write a smaller size there%s",
					t.Claim.Name, bench.FormatNeed(need), clause, array, shape, sizeFlag, or)
			}
		}
		advice := r.advice(sizeFlag, perSymbol)
		if raise {
			advice = append(advice, "raise --mem")
		}
		if len(advice) == 0 {
			return fmt.Errorf("%s: one instance needs %s, %s; even at every size 1 and one direction it would not fit",
				nameAt(t.Claim.Name, t.Resolved.Sizes), bench.FormatNeed(need), clause)
		}
		return fmt.Errorf("%s: one instance needs %s, %s; %s",
			nameAt(t.Claim.Name, t.Resolved.Sizes), bench.FormatNeed(need), clause, orList(advice))
	}
	return nil
}

// relief is what would lower the memory one instance of a claim needs,
// so that a refusal advises only that: "lower --size" at n = 1, or for a
// claim whose sizes are all written in it, cannot help, nor --dirs in
// entrywise mode.
type relief struct {
	// sizes are the size symbols above 1 whose lowering lowers it, in
	// the claim's order: each alone, or, where together is set, only
	// all of them (a claim of two arrays m and n, with m = n).
	sizes    []string
	together bool
	// dirs is set where lowering --dirs lowers it, directional where
	// --mode directional does (an entrywise check).
	dirs, directional bool
	// fitsAtFloor is set where it fits at every size 1, one direction
	// and --mode directional: else none of those can make it fit, and
	// the advice is --mem or a smaller size written in the claim.
	fitsAtFloor bool
}

// relieve returns the relief of rc under s, where one instance needs
// need bytes and fits says what fits. A size at which the claim does not
// resolve (a symbol tied to a literal) is no relief.
func relieve(rc *formulas.Resolved, s gradcheck.Settings, need int64, fits func(int64) bool) relief {
	bytesAt := func(sizes map[string]int, s gradcheck.Settings) (int64, bool) {
		at, err := rc.Claim.Resolve(sizes)
		if err != nil {
			return 0, false
		}
		n, err := gradcheck.InstanceBytes(at, s)
		return n, err == nil
	}
	var above []string // the symbols above 1
	for _, sym := range rc.Claim.Symbols() {
		if rc.Sizes[sym] > 1 {
			above = append(above, sym)
		}
	}
	lowered := func(syms ...string) map[string]int {
		sizes := maps.Clone(rc.Sizes)
		for _, sym := range syms {
			sizes[sym] = 1
		}
		return sizes
	}
	var r relief
	for _, sym := range above {
		if n, ok := bytesAt(lowered(sym), s); ok && n < need {
			r.sizes = append(r.sizes, sym)
		}
	}
	if floor, ok := bytesAt(lowered(above...), s); len(r.sizes) == 0 && ok && floor < need {
		// No one symbol lowers it, all of them do: each is the size of
		// an array as large as another's. They are the symbols that
		// alone at their size raise it above its need at every size 1.
		for _, sym := range above {
			others := slices.DeleteFunc(slices.Clone(above), func(o string) bool { return o == sym })
			if n, ok := bytesAt(lowered(others...), s); ok && n > floor {
				r.sizes = append(r.sizes, sym)
			}
		}
		r.together = true
	}
	one := s
	one.Dirs = 1
	if n, ok := bytesAt(rc.Sizes, one); ok && n < need {
		r.dirs = true
	}
	directional := s
	directional.Mode = gradcheck.Directional
	if n, ok := bytesAt(rc.Sizes, directional); ok && n < need {
		r.directional = true
	}
	floor := one
	floor.Mode = gradcheck.Directional
	n, ok := bytesAt(lowered(above...), floor)
	if !ok {
		n, ok = bytesAt(rc.Sizes, floor)
	}
	r.fitsAtFloor = ok && fits(n)
	return r
}

// advice is what of r to advise, with sizeFlag the flag that sets the
// sizes, naming the symbols where perSymbol is set: nothing where even
// the floor does not fit, as none of it could make it fit.
func (r relief) advice(sizeFlag string, perSymbol bool) []string {
	if !r.fitsAtFloor {
		return nil
	}
	var advice []string
	if len(r.sizes) > 0 {
		lower := "lower " + sizeFlag
		if perSymbol {
			join := " or "
			if r.together {
				join = " and "
			}
			lower += " " + strings.Join(r.sizes, join)
		}
		advice = append(advice, lower)
	}
	if r.dirs {
		advice = append(advice, "lower --dirs")
	}
	if r.directional {
		advice = append(advice, "use --mode directional")
	}
	return advice
}

// orList joins items as alternatives: "a", "a or b", "a, b, or c".
func orList(items []string) string {
	if len(items) < 3 {
		return strings.Join(items, " or ")
	}
	return strings.Join(items[:len(items)-1], ", ") + ", or " + items[len(items)-1]
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

// literalArray returns the largest array of rc's claim written with
// literal sizes, and its shape: eye(1e9) or ones(100000,100000) in f or
// the claimed result, or a variable declared with literal dimensions. It
// is what to blame where one instance does not fit even at every size 1
// and one direction (lowering --size or --dirs cannot help, and the
// refusal named n=48 all the same). ok is false where there is none.
func literalArray(rc *formulas.Resolved) (array, shape string, ok bool) {
	c := rc.Claim
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
