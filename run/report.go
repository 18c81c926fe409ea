package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// formats are the values of --format.
var formats = []string{"text", "json", "junit", "markdown"}

// formatFor returns the report format: format when it was given (changed),
// else the one the extension of the --out file names (.json, .xml for
// JUnit, .md for markdown), else format.
func formatFor(format string, changed bool, out string) string {
	if out == "" || changed {
		return format
	}
	switch strings.ToLower(filepath.Ext(out)) {
	case ".json":
		return "json"
	case ".xml":
		return "junit"
	case ".md", ".markdown":
		return "markdown"
	}
	return format
}

// runReport is the report of a run: the fields of the JSON schema of
// DESIGN.md (version, backend, seed, results, summary) and what a shard
// report needs to be merged: the settings, the shard, and every claim of
// the whole run. It holds no timings, so that the same seed and flags give
// the same bytes.
type runReport struct {
	Version int `json:"version"`
	// Gradcheck is the version of gradcheck that made the report.
	Gradcheck string `json:"gradcheck"`
	Backend   string `json:"backend"`
	Seed      uint64 `json:"seed"`
	// Incomplete is set when the run was interrupted: Results lack the
	// claims that had not finished.
	Incomplete bool           `json:"incomplete"`
	Settings   reportSettings `json:"settings"`
	// Shard is the part of a sharded run the report holds; nil for an
	// unsharded run and a merged report.
	Shard *shardSpec `json:"shard,omitempty"`
	// Claims lists every claim of the run, sharded or not, in order.
	Claims  []claimRef         `json:"claims"`
	Results []gradcheck.Result `json:"results"`
	Summary gradcheck.Summary  `json:"summary"`

	// claimOf holds the index in Claims of each result's claim.
	claimOf []int
	// times holds how long each result took (JUnit reports them), and
	// elapsed the whole run; both are zero for a merged report.
	times   []time.Duration
	elapsed time.Duration
	// notRun lists the claims an interrupted run did not finish.
	notRun []claimRef
}

// reportSettings are the settings that decide the results: every shard of
// a run must have the same. The seed is the report's.
type reportSettings struct {
	// Sizes are the --size values (claims' own defaults fill the rest).
	Sizes map[string]int `json:"sizes"`
	Batch int            `json:"batch"`
	Dirs  int            `json:"dirs"`
	Mode  gradcheck.Mode `json:"mode"`
	RTol  float64        `json:"rtol"`
	ATol  float64        `json:"atol"`
	// Instance is the one instance verified, or -1 for all.
	Instance int `json:"instance"`
}

// claimRef names one claim of a run at its sizes, and how to select it
// alone again.
type claimRef struct {
	Name  string         `json:"name"`
	Kind  formulas.Kind  `json:"kind"`
	Sizes map[string]int `json:"sizes"`
	// Claim is the claim in one line, as in "grad_X tr(A*X) = A'".
	Claim string `json:"claim"`
	// Select are the arguments after "gradcheck" that select this claim
	// and no other, as in ["run", "logdet-spd"].
	Select []string `json:"select"`
}

// newReport starts the report of a run of targets.
func newReport(backend string, targets []target, s gradcheck.Settings, sh *shardSpec) *runReport {
	sizes := s.Sizes
	if sizes == nil {
		sizes = map[string]int{}
	}
	rep := &runReport{
		Version:   gradcheck.ReportVersion,
		Gradcheck: version,
		Backend:   backend,
		Seed:      s.Seed,
		Settings: reportSettings{Sizes: sizes, Batch: s.Batch, Dirs: s.Dirs, Mode: s.Mode,
			RTol: s.RTol, ATol: s.ATol, Instance: s.Instance},
		Shard:   sh,
		Claims:  make([]claimRef, len(targets)),
		Results: []gradcheck.Result{},
	}
	for i, t := range targets {
		rep.Claims[i] = claimRef{Name: t.claim.Name, Kind: t.claim.Kind, Sizes: t.sizes,
			Claim: claimText(t.claim), Select: t.selector}
	}
	return rep
}

// settings returns the verifier settings the report was made with.
func (rep *runReport) settings() gradcheck.Settings {
	s := gradcheck.DefaultSettings()
	s.Sizes = rep.Settings.Sizes
	s.Batch, s.Dirs, s.Mode = rep.Settings.Batch, rep.Settings.Dirs, rep.Settings.Mode
	s.Seed, s.RTol, s.ATol = rep.Seed, rep.Settings.RTol, rep.Settings.ATol
	s.Instance = rep.Settings.Instance
	return s
}

// add records result r of claim number claim, which took d.
func (rep *runReport) add(r gradcheck.Result, claim int, d time.Duration) {
	rep.Results = append(rep.Results, r)
	rep.Summary.Add(r.Verdict)
	rep.claimOf = append(rep.claimOf, claim)
	rep.times = append(rep.times, d)
}

// rerun returns the command that verifies the claim of result i again,
// alone, or "" when it passed.
func (rep *runReport) rerun(i int) string {
	r := rep.Results[i]
	if r.Verdict == gradcheck.Pass {
		return ""
	}
	c := rep.Claims[rep.claimOf[i]]
	return shellJoin(rerunArgs(target{selector: c.Select, sizes: c.Sizes}, r, rep.settings()))
}

// reruns lists the re-run commands of the results that did not pass.
func (rep *runReport) reruns() []string {
	var out []string
	for i := range rep.Results {
		if cmd := rep.rerun(i); cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}

// reportJSON encodes the report, indented, with a final newline. JSON has
// no NaN or Inf: every non-finite number is written as 0, and the result's
// reason names the fields that held one.
func reportJSON(rep *runReport) ([]byte, error) {
	cp := *rep
	cp.Results = append([]gradcheck.Result(nil), rep.Results...)
	for i := range cp.Results {
		sanitize(&cp.Results[i])
	}
	b, err := json.MarshalIndent(&cp, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the report: %w", err)
	}
	return append(b, '\n'), nil
}

// readReport decodes a JSON report; name names it in errors.
func readReport(name string, data []byte) (*runReport, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rep runReport
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: %v", name, err)
	}
	switch {
	case rep.Version != gradcheck.ReportVersion:
		return nil, fmt.Errorf("%s: report version %d, this gradcheck reads version %d", name, rep.Version, gradcheck.ReportVersion)
	case rep.Gradcheck == "" || rep.Settings.Batch < 1:
		return nil, fmt.Errorf("%s: not a gradcheck JSON report (no version or settings)", name)
	}
	if rep.Settings.Sizes == nil {
		rep.Settings.Sizes = map[string]int{}
	}
	return &rep, nil
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
