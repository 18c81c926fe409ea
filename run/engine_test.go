package run

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartEngine checks StartEngine on a machine whose GPU worker cannot
// start: cpu and auto give the CPU engine, auto with one line on stderr or
// none when stderr is nil (it panicked), gpu is ErrNoGPU, and a name that
// is no backend is an error (it ran on the CPU, saying "no GPU").
func TestStartEngine(t *testing.T) {
	t.Setenv("GRADCHECK_WORKER", filepath.Join(t.TempDir(), "no-such-worker"))
	for _, tt := range []struct {
		name   string
		stderr bool
		engine string // "" for an error
		err    string
	}{
		{"cpu", false, "cpu", ""},
		{"cpu", true, "cpu", ""},
		{"auto", false, "cpu", ""},
		{"auto", true, "cpu", ""},
		{"gpu", false, "", "gpu backend"},
		{"cuda", true, "", `unknown backend "cuda": want cpu, gpu or auto`},
		{"bogus", true, "", `unknown backend "bogus"`},
		{"", true, "", `unknown backend ""`},
		{"CPU", true, "", `unknown backend "CPU"`},
	} {
		var stderr strings.Builder
		var w io.Writer // nil unless tt.stderr
		if tt.stderr {
			w = &stderr
		}
		var eng Engine
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			eng, err = StartEngine(context.Background(), tt.name, w)
		}()
		switch {
		case tt.engine != "" && (err != nil || eng.Name() != tt.engine):
			t.Errorf("StartEngine(%q, stderr %v): %v, want the %s engine", tt.name, tt.stderr, err, tt.engine)
		case tt.engine == "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("StartEngine(%q): error %v, want one with %q", tt.name, err, tt.err)
		case tt.engine == "" && stderr.Len() > 0:
			t.Errorf("StartEngine(%q) wrote %q", tt.name, stderr.String())
		case tt.name == "auto" && tt.stderr && !strings.Contains(stderr.String(), "using the CPU"):
			t.Errorf("StartEngine(auto) wrote %q, want the fallback noted", stderr.String())
		}
		if eng != nil {
			eng.Close()
		}
	}
}
