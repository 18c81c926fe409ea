package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gradcheck/gradcheck/bench"
	"github.com/gradcheck/gradcheck/formulas"
)

// repeatError reports a value given twice where one is meant: a flag that
// takes one value, or a size symbol of --size. Keeping the last value
// silently would verify something else than the user wrote.
type repeatError struct {
	flag string // "--grad"
	// symbol is the size symbol that --size sets twice, or "".
	symbol        string
	first, second string
}

func (e *repeatError) Error() string {
	if e.symbol != "" {
		return fmt.Sprintf("%s sets %s twice: %q and %q", e.flag, e.symbol, e.first, e.second)
	}
	return fmt.Sprintf("%s given twice: %q and %q; it takes one value", e.flag, e.first, e.second)
}

// onceString is a string flag that may be given once: a second value is a
// repeatError, as --grad "A" --grad "A'" is a claim stated twice.
type onceString struct {
	name string
	p    *string
	set  bool
	// nonEmpty refuses an empty value.
	nonEmpty bool
}

// onceStringVar defines the string flag name on fs, to be given at most
// once, storing its value in p.
func onceStringVar(fs *pflag.FlagSet, p *string, name, usage string) {
	fs.Var(&onceString{name: name, p: p}, name, usage)
}

// outVar defines --out on fs, storing its FILE in p: given at most once,
// and never empty, since an empty FILE (an unset $OUT in --out "$OUT")
// would silently mean stdout.
func outVar(fs *pflag.FlagSet, p *string, usage string) {
	fs.Var(&onceString{name: "out", p: p, nonEmpty: true}, "out", usage)
}

func (v *onceString) String() string { return *v.p }
func (v *onceString) Type() string   { return "string" }

func (v *onceString) Set(s string) error {
	if v.set {
		return &repeatError{flag: "--" + v.name, first: *v.p, second: s}
	}
	if v.nonEmpty && s == "" {
		return errors.New("it names no file (write - for stdout)")
	}
	*v.p, v.set = s, true
	return nil
}

// once wraps a flag value that may be given once, as onceString does a
// string: --format json --format junit or --shard 1/2 --shard 0/2 kept the
// last value silently.
type once struct {
	pflag.Value
	name  string
	first string // the value given, once set
	set   bool
}

// onceVar defines the flag name on fs with value v, to be given at most
// once.
func onceVar(fs *pflag.FlagSet, v pflag.Value, name, usage string) {
	fs.Var(&once{Value: v, name: name}, name, usage)
}

func (v *once) Set(s string) error {
	if v.set {
		return &repeatError{flag: "--" + v.name, first: v.first, second: s}
	}
	if err := v.Value.Set(s); err != nil {
		return err
	}
	v.first, v.set = s, true
	return nil
}

// sizeValue collects --size n=256,m=128; the flag may repeat, for
// different symbols: a symbol given twice is a repeatError.
type sizeValue struct {
	m map[string]int
	// given holds each symbol's entry as written, for that error.
	given map[string]string
}

func (v *sizeValue) Type() string { return "N=V,..." }

func (v *sizeValue) String() string {
	if v == nil || len(v.m) == 0 {
		return ""
	}
	return formulas.FormatSizes(v.m)
}

func (v *sizeValue) Set(s string) error {
	parsed, err := formulas.ParseSizes(s)
	var twice *formulas.RepeatedSizeError
	if errors.As(err, &twice) {
		return &repeatError{flag: "--size", symbol: twice.Symbol, first: twice.First, second: twice.Second}
	} else if err != nil {
		return err
	}
	if v.m == nil {
		v.m, v.given = make(map[string]int), make(map[string]string)
	}
	// ParseSizes has checked every entry, each NAME=VALUE with a NAME of
	// its own; a NAME of an earlier --size is set twice.
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		name, _, _ := strings.Cut(entry, "=")
		name = strings.TrimSpace(name)
		if first, ok := v.given[name]; ok {
			return &repeatError{flag: "--size", symbol: name, first: first, second: entry}
		}
		v.given[name] = entry
	}
	for k, n := range parsed {
		v.m[k] = n
	}
	return nil
}

// backendsValue is bench's --backend: backends separated by commas, and
// the flag may repeat (--backend cpu --backend gpu); the first value given
// replaces the default. runBench checks the names.
type backendsValue struct {
	p   *[]string
	set bool
}

func (v *backendsValue) Type() string   { return "cpu|gpu,..." }
func (v *backendsValue) String() string { return strings.Join(*v.p, ",") }

func (v *backendsValue) Set(s string) error {
	if !v.set {
		*v.p, v.set = nil, true
	}
	if s == "" {
		return nil
	}
	for b := range strings.SplitSeq(s, ",") {
		*v.p = append(*v.p, strings.TrimSpace(b))
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
