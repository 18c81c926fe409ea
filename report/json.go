package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/run"
)

var jsonFormat = format{name: "json", write: writeJSON, exts: []string{".json"}, help: `the report {version, gradcheck, backend, seed, incomplete,
settings, shard, claims, results, summary}, results in the order
the claims were given. It holds no timings: the same seed and
flags give the same bytes. NaN and Inf are written as 0 and the
result's reason names them.`}

// writeJSON writes the report as JSON, indented, with a final newline: the
// fields of run.Report, which run.ReadReport reads back. JSON has no NaN or
// Inf: every non-finite number is written as 0, and the result's reason
// names the fields that held one.
func writeJSON(w io.Writer, rep *run.Report) error {
	cp := *rep
	// Results is always an array, empty for a shard with no jobs or a run
	// interrupted before its first claim finished, never null.
	cp.Results = append([]gradcheck.Result{}, rep.Results...)
	for i := range cp.Results {
		sanitize(&cp.Results[i])
	}
	b, err := json.MarshalIndent(&cp, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the report: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// sanitize replaces the non-finite numbers of r by 0 and notes them in its
// reason.
func sanitize(r *gradcheck.Result) {
	var bad []string
	fix := func(name string, x *float64) {
		if math.IsNaN(*x) || math.IsInf(*x, 0) {
			bad = append(bad, fmt.Sprintf("%s was %v", name, *x))
			*x = 0
		}
	}
	fix("max_rel_err", &r.MaxRelErr)
	fix("tolerance", &r.Tolerance)
	fix("factor", &r.Factor)
	fix("worst.finite_difference", &r.Worst.FiniteDiff)
	fix("worst.claimed", &r.Worst.Claimed)
	r.Entries = append([]gradcheck.Entry(nil), r.Entries...)
	for i := range r.Entries {
		fix(fmt.Sprintf("entries[%d].finite_difference", i), &r.Entries[i].FiniteDiff)
		fix(fmt.Sprintf("entries[%d].claimed", i), &r.Entries[i].Claimed)
	}
	if r.Transposed != nil {
		// The numbers of the claim's transpose, which r's repeat.
		inner := *r.Transposed
		sanitize(&inner)
		r.Transposed = &inner
	}
	if len(bad) == 0 {
		return
	}
	msg := "written as 0 in JSON: " + strings.Join(bad, ", ")
	if r.Reason == "" {
		r.Reason = msg
	} else {
		r.Reason += "; " + msg
	}
}
