package flagvalue

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Enum is a flag that takes one of a fixed set of words.
type Enum struct {
	// Value is the word given, or the default.
	Value   string
	allowed []string
}

// NewEnum returns an Enum of the allowed words whose value is def.
func NewEnum(def string, allowed ...string) *Enum {
	return &Enum{Value: def, allowed: allowed}
}

func (e *Enum) String() string { return e.Value }

// Type lists the allowed words, as in text|json, for the flag's usage.
func (e *Enum) Type() string { return strings.Join(e.allowed, "|") }

func (e *Enum) Set(s string) error {
	if !slices.Contains(e.allowed, s) {
		return fmt.Errorf("want %s", OrList(e.allowed))
	}
	e.Value = s
	return nil
}

// OrList writes words as "a, b or c".
func OrList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Int is an integer flag with bounds.
type Int struct {
	p        *int
	min, max int
}

// NewInt returns the flag that sets *p to an integer of at least min.
func NewInt(p *int, min int) Int { return Int{p, min, math.MaxInt} }

// NewIntRange returns the flag that sets *p to an integer from min to max.
func NewIntRange(p *int, min, max int) Int { return Int{p, min, max} }

func (v Int) String() string { return strconv.Itoa(*v.p) }
func (v Int) Type() string   { return "int" }

func (v Int) Set(s string) error {
	n, err := parseInt(s, v.min, v.max)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

// parseInt parses s as an integer from min to max. An integer too large
// for an int is out of range, not "not an integer".
func parseInt(s string, min, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("out of range: must be from %d to %d", min, max)
	case err != nil:
		return 0, fmt.Errorf("not an integer")
	case n < min || n > max:
		return 0, errors.New(rangeText(min, max))
	}
	return n, nil
}

// rangeText says which integers are allowed: "must be at least 1", or
// "must be from 1 to 4294967296".
func rangeText(min, max int) string {
	if max == math.MaxInt {
		return fmt.Sprintf("must be at least %d", min)
	}
	return fmt.Sprintf("must be from %d to %d", min, max)
}

// Uint64 is a non-negative integer flag, such as a seed.
type Uint64 struct{ p *uint64 }

// NewUint64 returns the flag that sets *p.
func NewUint64(p *uint64) Uint64 { return Uint64{p} }

func (v Uint64) String() string { return strconv.FormatUint(*v.p, 10) }
func (v Uint64) Type() string   { return "uint" }

func (v Uint64) Set(s string) error {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return fmt.Errorf("out of range: must be at most %d", uint64(math.MaxUint64))
	case err != nil:
		return fmt.Errorf("want a non-negative integer")
	}
	*v.p = n
	return nil
}

// NonNegative is a finite, non-negative number flag, such as a tolerance.
type NonNegative struct{ p *float64 }

// NewNonNegative returns the flag that sets *p.
func NewNonNegative(p *float64) NonNegative { return NonNegative{p} }

func (v NonNegative) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v NonNegative) Type() string   { return "float" }

func (v NonNegative) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(x, 0):
		return fmt.Errorf("out of range: must be a finite number ≥ 0")
	case err != nil:
		return fmt.Errorf("not a number")
	case math.IsNaN(x) || math.IsInf(x, 0) || x < 0:
		return fmt.Errorf("must be a finite number ≥ 0")
	}
	*v.p = x
	return nil
}

// Ints is a comma-separated list of integers within bounds.
type Ints struct {
	p        *[]int
	min, max int
}

// NewInts returns the flag that sets *p to a list of integers from min to
// max each.
func NewInts(p *[]int, min, max int) Ints { return Ints{p, min, max} }

func (v Ints) Type() string { return "N,..." }

func (v Ints) String() string {
	parts := make([]string, len(*v.p))
	for i, n := range *v.p {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (v Ints) Set(s string) error {
	var ns []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		switch {
		case errors.Is(err, strconv.ErrRange), err == nil && n > v.max:
			return fmt.Errorf("%s is out of range: must be from %d to %d", strings.TrimSpace(part), v.min, v.max)
		case err != nil:
			return fmt.Errorf("%q is not an integer", part)
		case n < v.min:
			return fmt.Errorf("%d: must be at least %d", n, v.min)
		}
		ns = append(ns, n)
	}
	*v.p = ns
	return nil
}
