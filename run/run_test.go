package run

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// fakeEngine is an Engine of its own, as a new place to run claims would
// be: it runs slots jobs at once, each after a random delay, passes every
// claim but fails itself on the claim called fail.
type fakeEngine struct {
	slots int
	mu    sync.Mutex
	seen  []string // claim and instance range, in the order verified
}

func (e *fakeEngine) Name() string { return "fake" }
func (e *fakeEngine) Slots() int   { return e.slots }
func (e *fakeEngine) Close() error { return nil }

func (e *fakeEngine) Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error) {
	time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
	e.mu.Lock()
	e.seen = append(e.seen, rc.Claim.Name)
	e.mu.Unlock()
	if rc.Claim.Name == "fail" {
		return gradcheck.Result{}, errors.New("worker died:\nexit 3")
	}
	return gradcheck.Result{Name: rc.Claim.Name, Kind: rc.Claim.Kind, Verdict: gradcheck.Pass,
		Instances: [2]int{s.InstanceFrom, s.InstanceTo}}, nil
}

// targets returns resolved targets of the claims called names.
func targets(t *testing.T, names ...string) []Target {
	t.Helper()
	ts := make([]Target, len(names))
	for i, name := range names {
		c, err := formulas.Build(formulas.Spec{Name: name, F: "tr(X)", Wrt: "X", Grad: "eye(n)",
			Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: "n,n"}}}})
		if err != nil {
			t.Fatal(err)
		}
		ts[i] = Target{Claim: c, Select: []string{"run", name}}
	}
	if _, err := Resolve(ts, map[string]int{"n": 3}); err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestRunOnOwnEngine runs a sharded plan on an engine of its own with
// three slots: the results come in the order of the plan whatever order
// the jobs finish in, OnResult sees each, and a job on which the engine
// failed is an error result whose reason is one line, with ErrEngine.
func TestRunOnOwnEngine(t *testing.T) {
	eng := &fakeEngine{slots: 3}
	s := gradcheck.DefaultSettings()
	cfg := Config{Engine: eng, Targets: targets(t, "a", "fail", "c", "d"), Settings: s,
		Shard: &Shard{Index: 1, Count: 2}, Version: "test"}
	var done []int
	cfg.OnResult = func(k, total int, r gradcheck.Result, _ time.Duration) { done = append(done, k) }
	rep, err := Run(context.Background(), cfg)
	if !errors.Is(err, ErrEngine) {
		t.Errorf("Run: %v, want ErrEngine", err)
	}
	_, mine, err := cfg.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(mine) || !slices.Equal(done, []int{1, 2, 3, 4}) {
		t.Fatalf("%d results for %d jobs, OnResult %v", len(rep.Results), len(mine), done)
	}
	for i, jb := range mine {
		r, name := rep.Results[i], cfg.Targets[jb.Target].Claim.Name
		switch {
		case r.Name != name || rep.ClaimOf[i] != jb.Target:
			t.Errorf("result %d is %s (claim %d), job %d is %s", i, r.Name, rep.ClaimOf[i], i, name)
		case name == "fail" && (r.Verdict != gradcheck.Error || r.Reason != "worker died: exit 3"):
			t.Errorf("failed job: %s %q", r.Verdict, r.Reason)
		case name != "fail" && (r.Verdict != gradcheck.Pass || r.Instances != [2]int{jb.From, jb.To}):
			t.Errorf("job %+v: %s on instances %v", jb, r.Verdict, r.Instances)
		case r.Sizes["n"] != 3:
			t.Errorf("result %d sizes %v", i, r.Sizes)
		}
	}
	if rep.Backend != "fake" || rep.Gradcheck != "test" || rep.Shard.String() != "1/2" || len(rep.Claims) != 4 {
		t.Errorf("report header %+v", rep)
	}
}

// cancelEngine passes every claim, and cancels the run while it verifies
// the claim called cancel.
type cancelEngine struct {
	fakeEngine
	cancel context.CancelFunc
}

func (e *cancelEngine) Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error) {
	if rc.Claim.Name == "cancel" {
		e.cancel()
	}
	return e.fakeEngine.Verify(ctx, rc, s)
}

// TestRunStopped checks what Run tells of a run that stopped early: an
// interrupted run (before it starts, or midway) returns ctx.Err() beside
// its report, marked incomplete and listing the jobs not run, and the
// report is not OK. Run returned a nil error, and Summary.OK held for a
// run that verified one claim of three; a run of no targets passed.
func TestRunStopped(t *testing.T) {
	for _, tt := range []struct {
		name            string
		targets         []string
		early           bool // cancel before the run starts
		deadline        bool // stop by a deadline, not a cancel
		wantErr         error
		results, notRun int
		ok              bool
	}{
		{name: "complete", targets: []string{"a", "b"}, results: 2, ok: true},
		{name: "cancelled before", targets: []string{"a", "b"}, early: true, wantErr: context.Canceled, notRun: 2},
		{name: "cancelled midway", targets: []string{"a", "cancel", "c"}, wantErr: context.Canceled, results: 1, notRun: 2},
		{name: "deadline before", targets: []string{"a"}, early: true, deadline: true, wantErr: context.DeadlineExceeded, notRun: 1},
		{name: "engine failed and cancelled", targets: []string{"fail", "cancel", "c"}, wantErr: ErrEngine, results: 1, notRun: 2},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		if tt.deadline {
			ctx, cancel = context.WithDeadline(context.Background(), time.Now())
		}
		if tt.early {
			cancel()
		}
		eng := &cancelEngine{fakeEngine: fakeEngine{slots: 1}, cancel: cancel}
		rep, err := Run(ctx, Config{Engine: eng, Targets: targets(t, tt.targets...), Settings: gradcheck.DefaultSettings(), Version: "test"})
		cancel()
		if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
		}
		if tt.name == "engine failed and cancelled" && !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled too", tt.name, err)
		}
		if rep == nil {
			t.Fatalf("%s: no report", tt.name)
		}
		if rep.Incomplete != (tt.notRun > 0) || len(rep.Results) != tt.results || len(rep.NotRun) != tt.notRun || rep.OK() != tt.ok {
			t.Errorf("%s: incomplete %v, %d results, %d not run, OK %v; want %d results, %d not run, OK %v",
				tt.name, rep.Incomplete, len(rep.Results), len(rep.NotRun), rep.OK(), tt.results, tt.notRun, tt.ok)
		}
	}
	rep, err := Run(context.Background(), Config{Engine: &fakeEngine{slots: 1}, Settings: gradcheck.DefaultSettings()})
	if rep != nil || err == nil || !strings.Contains(err.Error(), "no claims to run") {
		t.Errorf("Run of no targets = %v, error %v; want an error", rep, err)
	}
}

// TestReportOK checks Report.OK of reports made by hand: an empty or
// incomplete report is not OK, though its summary counts no failure.
func TestReportOK(t *testing.T) {
	pass := gradcheck.Result{Name: "a", Verdict: gradcheck.Pass}
	fail := gradcheck.Result{Name: "b", Verdict: gradcheck.Fail}
	for _, tt := range []struct {
		name       string
		results    []gradcheck.Result
		incomplete bool
		want       bool
	}{
		{"empty", nil, false, false},
		{"passed", []gradcheck.Result{pass}, false, true},
		{"failed", []gradcheck.Result{pass, fail}, false, false},
		{"incomplete", []gradcheck.Result{pass}, true, false},
	} {
		rep := &Report{Incomplete: tt.incomplete}
		for i, r := range tt.results {
			rep.add(r, i, 0)
		}
		if got := rep.OK(); got != tt.want {
			t.Errorf("%s: OK() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestResolveUnresolvable checks a target that does not resolve at the
// sizes given (softmax of one row): among others it becomes an invalid
// claim, an error result whose reason is the shape error, and the others
// resolve; alone it is the error. Its sizes are used all the same.
func TestResolveUnresolvable(t *testing.T) {
	build := func(name, f, grad, shape string) Target {
		c, err := formulas.Build(formulas.Spec{Name: name, F: f, Wrt: "x", Grad: grad,
			Vars: []formulas.SpecVar{{Name: "x", VarSpec: formulas.VarSpec{Shape: shape}}}})
		if err != nil {
			t.Fatal(err)
		}
		return Target{Claim: c, Select: []string{"run", name}}
	}
	sizes := map[string]int{"n": 1}
	ts := []Target{build("sum", "sum(x)", "ones(n,1)", "n"), build("lse", "logsumexp(x)", "softmax(x)", "n")}
	if _, err := Resolve(ts, sizes); err != nil {
		t.Fatalf("two targets: %v", err)
	}
	if ts[0].Claim.Invalid != nil || ts[0].Resolved == nil || ts[0].Resolved.Claim != ts[0].Claim {
		t.Errorf("sum: invalid %v, resolved %v", ts[0].Claim.Invalid, ts[0].Resolved)
	}
	if ts[1].Claim.Invalid != nil {
		t.Errorf("lse: the claim itself became invalid: %v", ts[1].Claim.Invalid)
	}
	// VerifyResolved of the resolution panicked: it has no shapes.
	res := gradcheck.VerifyResolved(context.Background(), cpu.New(), ts[1].Resolved, gradcheck.DefaultSettings())
	if res.Verdict != gradcheck.Error || !strings.Contains(res.Reason, "at least 2 rows") {
		t.Errorf("lse: %s (%s), want an error naming softmax's rows", res.Verdict, res.Reason)
	}
	one := []Target{build("lse", "logsumexp(x)", "softmax(x)", "n")}
	if _, err := Resolve(one, map[string]int{"n": 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(one, sizes); err == nil || !strings.Contains(err.Error(), "at least 2 rows") || one[0].Resolved != nil {
		t.Errorf("one target: error %v, resolved %v; want softmax's rows and none", err, one[0].Resolved)
	}
	// Claims that do not resolve at n=1 still use n: only m is unused
	// (n was reported unused too).
	ts = []Target{build("lse", "logsumexp(x)", "softmax(x)", "n"), build("lse2", "logsumexp(2*x)", "2*softmax(2*x)", "n")}
	if unused, err := Resolve(ts, map[string]int{"n": 1, "m": 2}); err != nil || !slices.Equal(unused, []string{"m"}) {
		t.Errorf("unresolvable targets: unused %v, %v; want [m]", unused, err)
	}
}

// TestResolveAgain resolves the same targets at sizes where one of them
// does not resolve, then at sizes where it does: the failure was written
// into the target's claim, so that the second Resolve returned no error
// but Run, and gradcheck.Verify of the claim, still reported the 1×1
// softmax at n=4. A claim invalid of its own (a spec file's error) stays
// an error at every size.
func TestResolveAgain(t *testing.T) {
	build := func(name, f, grad string) *formulas.Claim {
		c, err := formulas.Build(formulas.Spec{Name: name, F: f, Wrt: "x", Grad: grad,
			Vars: []formulas.SpecVar{{Name: "x", VarSpec: formulas.VarSpec{Shape: "n"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	spec := *build("spec", "sum(x)", "ones(n,1)")
	spec.Invalid = errors.New("spec.yaml: claim spec: a bad field")
	s := gradcheck.DefaultSettings()
	s.Batch = 2
	for _, tt := range []struct {
		name    string
		claim   *formulas.Claim
		wantErr string // the reason of the Error verdict at n=4, or "" for none
	}{
		{"softmax", build("softmax", "sum(softmax(x))", "zeros(n,1)"), ""},
		{"logsumexp", build("lse", "logsumexp(x)", "softmax(x)"), ""},
		{"spec error", &spec, "a bad field"},
	} {
		ts := []Target{{Claim: tt.claim, Select: []string{"run", "x"}}, {Claim: build("sum", "sum(x)", "ones(n,1)"), Select: []string{"run", "sum"}}}
		if _, err := Resolve(ts, map[string]int{"n": 1}); err != nil {
			t.Fatalf("%s: n=1: %v", tt.name, err)
		}
		if _, err := Resolve(ts, map[string]int{"n": 4}); err != nil {
			t.Fatalf("%s: n=4: %v", tt.name, err)
		}
		s.Sizes = map[string]int{"n": 4}
		rep, err := Run(context.Background(), Config{Engine: Local{}, Targets: ts, Settings: s, Version: "test"})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r := rep.Results[0]; (r.Verdict == gradcheck.Error) != (tt.wantErr != "") || !strings.Contains(r.Reason, tt.wantErr) {
			t.Errorf("%s: Run at n=4: %s (%s), want error reason %q (\"\": no error)", tt.name, r.Verdict, r.Reason, tt.wantErr)
		}
		if r := gradcheck.Verify(context.Background(), cpu.New(), ts[0].Claim, s); (r.Verdict == gradcheck.Error) != (tt.wantErr != "") {
			t.Errorf("%s: Verify of the claim at n=4: %s (%s), want error reason %q (\"\": no error)", tt.name, r.Verdict, r.Reason, tt.wantErr)
		}
	}
}

// TestRunUnresolved checks that Run refuses targets that Resolve has not
// seen, naming the first: it panicked on a nil pointer.
func TestRunUnresolved(t *testing.T) {
	ts, err := RegistryTargets([]string{"det"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		targets []Target
		want    string
	}{
		{ts, "target det is not resolved: call run.Resolve"},
		{append(targets(t, "a"), Target{}), "target number 1 is not resolved: call run.Resolve"},
	} {
		rep, err := Run(context.Background(), Config{Engine: Local{}, Targets: tt.targets, Settings: gradcheck.DefaultSettings()})
		if rep != nil || err == nil || err.Error() != tt.want {
			t.Errorf("Run = %v, error %v, want %q", rep, err, tt.want)
		}
	}
}

// TestRunDefaultVersion checks that a run whose Config leaves Version
// empty writes a version, so that its JSON report reads back: it wrote
// "gradcheck": "", which ReadReport refuses.
func TestRunDefaultVersion(t *testing.T) {
	rep, err := Run(context.Background(), Config{Engine: &fakeEngine{slots: 1}, Targets: targets(t, "a"), Settings: gradcheck.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Gradcheck != buildVersion() || rep.Gradcheck == "" {
		t.Errorf("version %q, want %q", rep.Gradcheck, buildVersion())
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadReport("r.json", data); err != nil {
		t.Error(err)
	}
}
