package main

import (
	"github.com/gradcheck/gradcheck/bench"
	"github.com/gradcheck/gradcheck/formulas"
)

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
