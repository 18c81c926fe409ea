package worker

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// NonFinite is a float of a Result that JSON cannot hold: Path names it by
// field names and slice indices ("MaxRelErr", "Entries.3.Claimed"), and
// Value is "NaN", "+Inf" or "-Inf".
type NonFinite struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// extractNonFinite sets every non-finite float reachable from the struct
// that p points to, through fields, slices and arrays, to 0, and returns
// where they were.
func extractNonFinite(p any) ([]NonFinite, error) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("worker: extractNonFinite(%T): not a pointer to a struct", p)
	}
	var out []NonFinite
	walk(v.Elem(), "", &out)
	return out, nil
}

func walk(v reflect.Value, path string, out *[]NonFinite) {
	join := func(s string) string {
		if path == "" {
			return s
		}
		return path + "." + s
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			*out = append(*out, NonFinite{Path: path, Value: strconv.FormatFloat(f, 'g', -1, 64)})
			v.SetFloat(0)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i), join(v.Type().Field(i).Name), out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), join(strconv.Itoa(i)), out)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), path, out)
		}
	}
}

// restoreNonFinite puts the values of nf back into the struct that p
// points to.
func restoreNonFinite(p any, nf []NonFinite) error {
	root := reflect.ValueOf(p).Elem()
	for _, x := range nf {
		f, err := strconv.ParseFloat(x.Value, 64)
		if err != nil {
			return fmt.Errorf("worker: non-finite value %q of %s", x.Value, x.Path)
		}
		v := root
		for _, part := range strings.Split(x.Path, ".") {
			for v.Kind() == reflect.Pointer && !v.IsNil() {
				v = v.Elem()
			}
			switch v.Kind() {
			case reflect.Struct:
				v = v.FieldByName(part)
			case reflect.Slice, reflect.Array:
				i, err := strconv.Atoi(part)
				if err != nil || i < 0 || i >= v.Len() {
					return fmt.Errorf("worker: no element %s in %s", part, x.Path)
				}
				v = v.Index(i)
			default:
				v = reflect.Value{}
			}
			if !v.IsValid() {
				return fmt.Errorf("worker: no field %s", x.Path)
			}
		}
		if k := v.Kind(); k != reflect.Float32 && k != reflect.Float64 {
			return fmt.Errorf("worker: %s is not a float", x.Path)
		}
		v.SetFloat(f)
	}
	return nil
}
