package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestRerunBackend checks that the re-run commands of every format name
// the backend the results came from: a failure found with --backend cpu on
// a machine with a GPU was re-run on the GPU. A backend that is neither
// (as a hand-written JSON report may hold) is not written into a command.
func TestRerunBackend(t *testing.T) {
	for _, tt := range []struct {
		backend, want string
	}{
		{"cpu", " --backend cpu"},
		{"gpu", " --backend gpu"},
		{"", ""},
		{"gpu; rm -rf ~", ""},
	} {
		rep := goldenReport()
		rep.Backend = tt.backend
		for _, format := range []string{"text", "markdown", "junit"} {
			var b bytes.Buffer
			if err := Write(&b, format, rep); err != nil {
				t.Fatal(err)
			}
			var lines []string
			for line := range strings.SplitSeq(b.String(), "\n") {
				if i := strings.Index(line, "gradcheck check --spec"); i >= 0 || strings.Contains(line, "gradcheck run ") {
					lines = append(lines, strings.TrimSpace(line))
				}
			}
			if len(lines) != 3 {
				t.Errorf("%s, backend %q: %d re-run commands, want 3:\n%s", format, tt.backend, len(lines), b.String())
			}
			for _, line := range lines {
				ends := strings.HasSuffix(line, tt.want)
				if !ends || tt.want == "" && strings.Contains(line, "--backend") {
					t.Errorf("%s, backend %q: re-run command %q, want it to end with %q", format, tt.backend, line, tt.want)
				}
			}
		}
	}
}
