package bench

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnWorkerSays checks that a worker that ends without a report is an
// error that quotes the last line it wrote on stderr (the loader's words
// for a missing libcuda.so.1 came apart from "exit status 127"; found by
// the exploratory helper).
func TestOnWorkerSays(t *testing.T) {
	worker := filepath.Join(t.TempDir(), "worker")
	script := "#!/bin/sh\necho 'starting' >&2\necho 'worker: error while loading shared libraries: libcuda.so.1: cannot open shared object file' >&2\nexit 127\n"
	if err := os.WriteFile(worker, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := OnWorker(context.Background(), worker, nil, io.Discard)
	var failed *WorkerError
	if !errors.As(err, &failed) || !strings.HasSuffix(err.Error(), "exit status 127; it said: worker: error while loading shared libraries: libcuda.so.1: cannot open shared object file") {
		t.Errorf("error %v, want the worker's last line after its exit status", err)
	}
}

// TestLastLine checks the line lastLine keeps across writes.
func TestLastLine(t *testing.T) {
	for _, tc := range []struct {
		writes []string
		want   string
	}{
		{nil, ""},
		{[]string{"one\ntwo\n"}, "two"},
		{[]string{"one\ntw", "o\n\n  \n"}, "two"},
		{[]string{"one\nunfinished"}, "unfinished"},
		{[]string{strings.Repeat("x", 2*maxSaid) + "\n"}, strings.Repeat("x", maxSaid)},
	} {
		var l lastLine
		for _, w := range tc.writes {
			l.Write([]byte(w))
		}
		if got := l.String(); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.writes, got, tc.want)
		}
	}
}
