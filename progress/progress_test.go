package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestModes checks what each mode writes off a terminal (a buffer): plain
// lines with the count for Always, nothing for Auto and Never, and that
// writes through Bar.Writer pass unchanged.
func TestModes(t *testing.T) {
	o := Options{Description: "verifying", Unit: "claims", Prefix: "tool: ", Refresh: time.Millisecond, PlainInterval: time.Millisecond}
	for _, tc := range []struct {
		mode  string
		total int
		want  []string // lines that must be written, in order
	}{
		{Always, 2, []string{"tool: verifying: 0 of 2 claims in 0s\n", "tool: verifying: 1 of 2 claims in "}},
		{Auto, 2, nil},
		{Never, 2, nil},
		{Always, 0, nil}, // nothing to count
	} {
		var log, out bytes.Buffer
		b := Start(&log, tc.mode, tc.total, o)
		if (b == nil) != (tc.want == nil) {
			t.Fatalf("%s, total %d: Start returned %v", tc.mode, tc.total, b)
		}
		waitFor(t, &log, b, "0 of")
		b.Step()
		waitFor(t, &log, b, "1 of")
		if _, err := b.Writer(&out).Write([]byte("row\n")); err != nil {
			t.Fatal(err)
		}
		b.Finish()
		if out.String() != "row\n" {
			t.Errorf("%s: the writer wrote %q, want %q", tc.mode, out.String(), "row\n")
		}
		got := log.String()
		if tc.want == nil && got != "" {
			t.Errorf("%s, total %d: wrote %q, want nothing", tc.mode, tc.total, got)
		}
		at := 0
		for _, w := range tc.want {
			i := strings.Index(got[at:], w)
			if i < 0 {
				t.Errorf("%s: %q lacks %q after byte %d", tc.mode, got, w, at)
				break
			}
			at += i + len(w)
		}
		if strings.Contains(got, "\r") {
			t.Errorf("%s: plain lines hold a carriage return: %q", tc.mode, got)
		}
	}
}

// waitFor waits until a plain line with the count want is written, for a
// bar that writes any; it holds b's lock to read the buffer safely.
func waitFor(t *testing.T, log *bytes.Buffer, b *Bar, want string) {
	t.Helper()
	if b == nil {
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		b.mu.Lock()
		ok := strings.Contains(log.String(), want)
		b.mu.Unlock()
		if ok {
			return
		}
	}
	t.Fatalf("no line with %q in 10s", want)
}

// TestCurrent checks that a plain line names the item being done once it
// has run CurrentAfter, and an item done before that is not named.
func TestCurrent(t *testing.T) {
	var log bytes.Buffer
	o := Options{Description: "verifying", Unit: "claims", PlainInterval: time.Millisecond, CurrentAfter: 20 * time.Millisecond}
	b := Start(&log, Always, 2, o)
	b.Current("quick")
	b.Step()
	b.Current("diff-expm")
	waitFor(t, &log, b, "; now diff-expm for ")
	b.Finish()
	if strings.Contains(log.String(), "quick") {
		t.Errorf("an item done within CurrentAfter is named: %q", log.String())
	}
	// A long name is cut, so that the line fits a terminal.
	log.Reset()
	b = Start(&log, Always, 1, o)
	b.Current("a-claim-whose-name-goes-on-and-on-for-sixty-characters-or-so")
	waitFor(t, &log, b, "; now a-claim-whose-name-goes… for ")
	b.Finish()
}
