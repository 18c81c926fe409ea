package formulas

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FormatSizes writes the values of size symbols as "m=40,n=48", sorted by
// symbol, as --size reads them.
func FormatSizes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ",")
}

// RepeatedSizeError is the error of ParseSizes for a symbol given twice,
// as in "n=3,n=4": keeping either value would verify something else than
// was written.
type RepeatedSizeError struct {
	// Symbol is the size symbol; First and Second are its two entries as
	// written, as in "n=3" and "n=4".
	Symbol, First, Second string
}

func (e *RepeatedSizeError) Error() string {
	return fmt.Sprintf("size %s is given twice: %q and %q", e.Symbol, e.First, e.Second)
}

// ParseSizes parses the values of size symbols, as in "n=256,m=128", the
// form FormatSizes writes. Errors quote the entry at fault; a symbol
// given twice is a *RepeatedSizeError.
func ParseSizes(s string) (map[string]int, error) {
	m := make(map[string]int)
	// given holds each symbol's entry as written.
	given := make(map[string]string)
	parts := strings.Split(s, ",")
	for _, part := range parts {
		part = strings.TrimSpace(part)
		// Name the entry at fault when there are several.
		at := ""
		if len(parts) > 1 {
			at = strconv.Quote(part) + ": "
		}
		name, val, ok := strings.Cut(part, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		switch {
		case part == "":
			return nil, fmt.Errorf("empty entry (want NAME=VALUE,..., as in n=256,m=128)")
		case !ok:
			return nil, fmt.Errorf("%smissing '=' (want NAME=VALUE, as in n=256)", at)
		case !isIdent(name):
			return nil, fmt.Errorf("%s%q is not a size symbol (a letter, then letters, digits or _)", at, name)
		}
		n, err := strconv.Atoi(val)
		switch {
		case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(val, "-"), err == nil && n > MaxSize:
			return nil, fmt.Errorf("%ssize %s = %s is out of range: sizes are from 1 to %d", at, name, val, MaxSize)
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return nil, fmt.Errorf("%s%q is not an integer", at, val)
		case err != nil || n < 1:
			return nil, fmt.Errorf("%ssize %s must be at least 1", at, name)
		}
		if first, ok := given[name]; ok {
			return nil, &RepeatedSizeError{Symbol: name, First: first, Second: part}
		}
		given[name] = part
		m[name] = n
	}
	return m, nil
}
