package run

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// Report is the report of a run: the fields of the JSON schema of
// DESIGN.md (version, backend, seed, results, summary) and what a shard
// report needs to be merged: the settings, the shard, and every claim of
// the whole run. Its JSON form holds no timings (Times and Elapsed are
// left out), so that the same seed and flags give the same bytes.
type Report struct {
	Version int `json:"version"`
	// Gradcheck is the version of gradcheck that made the report.
	Gradcheck string `json:"gradcheck"`
	Backend   string `json:"backend"`
	Seed      uint64 `json:"seed"`
	// Incomplete is set when the run was interrupted: Results lack the
	// claims that had not finished.
	Incomplete bool           `json:"incomplete"`
	Settings   ReportSettings `json:"settings"`
	// Shard is the part of a sharded run the report holds; nil for an
	// unsharded run and a merged report.
	Shard *Shard `json:"shard,omitempty"`
	// Claims lists every claim of the run, sharded or not, in order.
	Claims  []ClaimRef         `json:"claims"`
	Results []gradcheck.Result `json:"results"`
	Summary gradcheck.Summary  `json:"summary"`

	// ClaimOf holds the index in Claims of each result's claim; it is not
	// written, and ReadReport rebuilds it from the plan.
	ClaimOf []int `json:"-"`
	// Times holds how long each result took (JUnit reports them), and
	// Elapsed the whole run; both are zero for a merged report.
	Times   []time.Duration `json:"-"`
	Elapsed time.Duration   `json:"-"`
	// NotRun lists the claims an interrupted run did not finish.
	NotRun []ClaimRef `json:"-"`
}

// ReportSettings are the settings that decide the results: every shard of
// a run must have the same. The seed is the report's.
type ReportSettings struct {
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

// ClaimRef names one claim of a run at its sizes, and how to select it
// alone again.
type ClaimRef struct {
	Name  string         `json:"name"`
	Kind  formulas.Kind  `json:"kind"`
	Sizes map[string]int `json:"sizes"`
	// Claim is the claim in one line, as in "grad_X tr(A*X) = A'".
	Claim string `json:"claim"`
	// Select are the arguments after "gradcheck" that select this claim
	// and no other, as in ["run", "logdet-spd"].
	Select []string `json:"select"`
	// Invalid is set for a claim that did not parse, type-check or
	// resolve at its sizes (formulas.Claim.Invalid): its result is an
	// error that running it again cannot change, so it gets no re-run
	// command.
	Invalid bool `json:"invalid,omitempty"`
}

// newReport starts the report of a run of targets by gradcheck version
// version.
func newReport(version, backend string, targets []Target, s gradcheck.Settings, sh *Shard) *Report {
	sizes := s.Sizes
	if sizes == nil {
		sizes = map[string]int{}
	}
	rep := &Report{
		Version:   gradcheck.ReportVersion,
		Gradcheck: version,
		Backend:   backend,
		Seed:      s.Seed,
		Settings: ReportSettings{Sizes: sizes, Batch: s.Batch, Dirs: s.Dirs, Mode: s.Mode,
			RTol: s.RTol, ATol: s.ATol, Instance: s.Instance},
		Shard:   sh,
		Claims:  make([]ClaimRef, len(targets)),
		Results: []gradcheck.Result{},
	}
	for i, t := range targets {
		rep.Claims[i] = t.Ref()
	}
	return rep
}

// Ref is the resolved target's entry in the claims of a report.
func (t Target) Ref() ClaimRef {
	c := t.Resolved.Claim
	sizes := t.Resolved.Sizes
	if c.Invalid == nil {
		sizes = c.ReadSizes(sizes) // as its result's (see gradcheck.VerifyResolved)
	}
	return ClaimRef{Name: c.Name, Kind: c.Kind, Sizes: sizes, Claim: c.String(), Select: t.Select, Invalid: c.Invalid != nil}
}

// settings returns the verifier settings the report was made with.
func (rep *Report) settings() gradcheck.Settings {
	s := gradcheck.DefaultSettings()
	s.Sizes = rep.Settings.Sizes
	s.Batch, s.Dirs, s.Mode = rep.Settings.Batch, rep.Settings.Dirs, rep.Settings.Mode
	s.Seed, s.RTol, s.ATol = rep.Seed, rep.Settings.RTol, rep.Settings.ATol
	s.Instance = rep.Settings.Instance
	return s
}

// add records result r of claim number claim, which took d.
func (rep *Report) add(r gradcheck.Result, claim int, d time.Duration) {
	rep.Results = append(rep.Results, r)
	rep.Summary.Add(r.Verdict)
	rep.ClaimOf = append(rep.ClaimOf, claim)
	rep.Times = append(rep.Times, d)
}

// OK reports whether the run verified something and all of it passed: it
// has a result, was not interrupted (Incomplete), and no result is a
// fail, inconclusive or an error. Summary.OK alone says only that no
// result failed: it holds for an interrupted run that verified nothing.
func (rep *Report) OK() bool {
	return !rep.Incomplete && len(rep.Results) > 0 && rep.Summary.OK()
}

// Rerun returns the command that verifies the claim of result i again,
// alone, or "" when it passed, when its claim is invalid (ClaimRef.Invalid:
// the same command gives the same error), or when the report does not say
// which of its Claims the result is of (a Report made by hand, without
// ClaimOf: Run, ReadReport and Merge fill it in).
func (rep *Report) Rerun(i int) string {
	r := rep.Results[i]
	if r.Verdict == gradcheck.Pass || i >= len(rep.ClaimOf) || rep.ClaimOf[i] < 0 || rep.ClaimOf[i] >= len(rep.Claims) {
		return ""
	}
	c := rep.Claims[rep.ClaimOf[i]]
	if c.Invalid {
		return ""
	}
	return shellJoin(rerunArgs(c, r, rep.settings(), rep.Backend))
}

// Reruns lists the re-run commands of the results that did not pass.
func (rep *Report) Reruns() []string {
	var out []string
	for i := range rep.Results {
		if cmd := rep.Rerun(i); cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}

// ReadReport decodes a JSON report (report.Write's json format); name
// names it in errors. The JSON does not say which claim each result is
// of: ReadReport finds it (ClaimOf) from the plan of the report's shard,
// as Merge does, and refuses a report whose results are not those of its
// jobs.
func ReadReport(name string, data []byte) (*Report, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		// A report whose run died before it was written, or a file
		// made by the shell's redirection: "EOF" said nothing of it.
		return nil, fmt.Errorf("%s: empty file", name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: %v", name, err)
	}
	// One report per file: a second one, or anything else after it (two
	// reports written into one file), is not a report.
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: more data after the report", name)
	}
	switch {
	case rep.Version == 0:
		// Every report has a version from 1: {} is not an old report.
		return nil, fmt.Errorf("%s: not a gradcheck JSON report (no version field)", name)
	case rep.Version != gradcheck.ReportVersion:
		return nil, fmt.Errorf("%s: report version %d, this gradcheck reads version %d", name, rep.Version, gradcheck.ReportVersion)
	case rep.Gradcheck == "" || rep.Settings.Batch < 1:
		return nil, fmt.Errorf("%s: not a gradcheck JSON report (no version or settings)", name)
	case rep.Shard != nil && rep.Shard.check() != nil:
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: shard %s is out of range (I/N with 0 ≤ I < N)", name, rep.Shard)
	}
	if rep.Settings.Sizes == nil {
		rep.Settings.Sizes = map[string]int{}
	}
	// ClaimOf is not written: the plan says which claim each result is
	// of, as Merge reads it. Without it, Rerun, and so every format but
	// json, could not name the claim of a result that did not pass.
	sh := shardOf(&rep)
	jobs, err := Plan(len(rep.Claims), rep.settings(), sh.Count)
	if err != nil {
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: %v", name, err)
	}
	mine, err := JobsOf(jobs, sh)
	if err != nil {
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: %v", name, err)
	}
	if len(rep.Results) > len(mine) || !rep.Incomplete && len(rep.Results) < len(mine) {
		return nil, fmt.Errorf("%s: not a gradcheck JSON report: it has %d results, but its run (shard %s) has %d jobs", name, len(rep.Results), sh, len(mine))
	}
	rep.ClaimOf = make([]int, len(rep.Results))
	for i, r := range rep.Results {
		c := rep.Claims[mine[i].Target]
		if r.Name != c.Name || !maps.Equal(r.Sizes, c.Sizes) {
			return nil, fmt.Errorf("%s: not a gradcheck JSON report: result %d is %s, but job %d of its run is %s",
				name, i, nameAt(r.Name, r.Sizes), i, nameAt(c.Name, c.Sizes))
		}
		rep.ClaimOf[i] = mine[i].Target
	}
	return &rep, nil
}
