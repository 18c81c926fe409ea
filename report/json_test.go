package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/run"
)

func TestNonFiniteJSON(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	rep := &run.Report{Results: []gradcheck.Result{{Name: "x", MaxRelErr: nan, Reason: "f is not finite"}}}
	var data bytes.Buffer
	if err := Write(&data, "json", rep); err != nil {
		t.Fatalf("Write: %v", err)
	}
	var back run.Report
	if err := json.Unmarshal(data.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	r := back.Results[0]
	if r.MaxRelErr != 0 || !strings.Contains(r.Reason, "f is not finite") || !strings.Contains(r.Reason, "max_rel_err was NaN") {
		t.Errorf("sanitized result %+v", r)
	}
	if rep.Results[0].MaxRelErr == rep.Results[0].MaxRelErr {
		t.Errorf("Write modified its argument")
	}
}
