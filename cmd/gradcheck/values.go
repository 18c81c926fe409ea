package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradcheck/gradcheck/bench"
	"github.com/gradcheck/gradcheck/formulas"
)

// The flag values below give short, exact messages for a bad value; pflag
// wraps them as `invalid argument "abc" for "--batch" flag: not an integer`.

// enumValue is a flag that takes one of a fixed set of words.
type enumValue struct {
	val     string
	allowed []string
}

func newEnum(def string, allowed ...string) *enumValue {
	return &enumValue{val: def, allowed: allowed}
}

func (e *enumValue) String() string { return e.val }
func (e *enumValue) Type() string   { return strings.Join(e.allowed, "|") }

func (e *enumValue) Set(s string) error {
	if !slices.Contains(e.allowed, s) {
		return fmt.Errorf("want %s", orList(e.allowed))
	}
	e.val = s
	return nil
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// intValue is an integer flag with a lower bound.
type intValue struct {
	p   *int
	min int
}

func (v intValue) String() string { return strconv.Itoa(*v.p) }
func (v intValue) Type() string   { return "int" }

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil:
		return fmt.Errorf("not an integer")
	case n < v.min:
		return fmt.Errorf("must be at least %d", v.min)
	}
	*v.p = n
	return nil
}

// seedValue is a uint64 flag.
type seedValue struct{ p *uint64 }

func (v seedValue) String() string { return strconv.FormatUint(*v.p, 10) }
func (v seedValue) Type() string   { return "uint" }

func (v seedValue) Set(s string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return fmt.Errorf("want a non-negative integer")
	}
	*v.p = n
	return nil
}

// tolValue is a finite, non-negative float flag.
type tolValue struct{ p *float64 }

func (v tolValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v tolValue) Type() string   { return "float" }

func (v tolValue) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case err != nil:
		return fmt.Errorf("not a number")
	case math.IsNaN(x) || math.IsInf(x, 0) || x < 0:
		return fmt.Errorf("must be a finite number ≥ 0")
	}
	*v.p = x
	return nil
}

// sizeValue collects --size n=256,m=128; the flag may repeat, and a later
// value for a symbol replaces an earlier one.
type sizeValue struct{ m map[string]int }

func (v *sizeValue) Type() string { return "N=V,..." }

func (v *sizeValue) String() string {
	if v == nil || len(v.m) == 0 {
		return ""
	}
	return formulas.FormatSizes(v.m)
}

func (v *sizeValue) Set(s string) error {
	parsed, err := formulas.ParseSizes(s)
	if err != nil {
		return err
	}
	if v.m == nil {
		v.m = make(map[string]int)
	}
	for k, n := range parsed {
		v.m[k] = n
	}
	return nil
}

// byteValue is a positive number of bytes, written plainly or with a
// binary unit: 1073741824, 1G, 1GiB, 512MiB, 1.5g.
type byteValue struct{ p *int64 }

func (v byteValue) String() string { return bench.FormatBytes(float64(*v.p)) }
func (v byteValue) Type() string   { return "bytes" }

func (v byteValue) Set(s string) error {
	n, err := bench.ParseBytes(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

// intsValue is a comma-separated list of positive integers.
type intsValue struct{ p *[]int }

func (v intsValue) Type() string { return "N,..." }

func (v intsValue) String() string {
	parts := make([]string, len(*v.p))
	for i, n := range *v.p {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (v intsValue) Set(s string) error {
	var ns []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		switch {
		case err != nil:
			return fmt.Errorf("%q is not an integer", part)
		case n < 1:
			return fmt.Errorf("%d: sizes must be at least 1", n)
		}
		ns = append(ns, n)
	}
	*v.p = ns
	return nil
}
