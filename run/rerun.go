package run

import (
	"strconv"
	"strings"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// rerunArgs returns the command line that verifies the claim of result r
// again, alone, with the settings that produced r: its seed and sizes,
// the settings that differ from the defaults, the instance that failed
// worst (for a fail) or the instance that was asked for, and the backend
// that r came from (cpu or gpu): without it a failure found with
// --backend cpu on a machine with a GPU would be re-run on the GPU. A
// backend of another name (a merged JSON file may say anything) is not
// written.
func rerunArgs(c ClaimRef, r gradcheck.Result, s gradcheck.Settings, backend string) []string {
	d := gradcheck.DefaultSettings()
	args := append([]string{"gradcheck"}, c.Select...)
	args = append(args, "--seed", strconv.FormatUint(s.Seed, 10))
	if sizes := formulas.FormatSizes(c.Sizes); sizes != "" {
		args = append(args, "--size", sizes)
	}
	if s.Batch != d.Batch {
		args = append(args, "--batch", strconv.Itoa(s.Batch))
	}
	if s.Dirs != d.Dirs {
		args = append(args, "--dirs", strconv.Itoa(s.Dirs))
	}
	if s.Mode != d.Mode {
		args = append(args, "--mode", string(s.Mode))
	}
	if s.RTol != d.RTol {
		args = append(args, "--rtol", strconv.FormatFloat(s.RTol, 'g', -1, 64))
	}
	if s.ATol != d.ATol {
		args = append(args, "--atol", strconv.FormatFloat(s.ATol, 'g', -1, 64))
	}
	switch {
	case s.Instance >= 0:
		args = append(args, "--instance", strconv.Itoa(s.Instance))
	case r.Verdict == gradcheck.Fail:
		args = append(args, "--instance", strconv.Itoa(r.Worst.Instance))
	}
	if backend == "cpu" || backend == "gpu" {
		args = append(args, "--backend", backend)
	}
	return args
}

// shellJoin quotes args for a POSIX shell and joins them.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// shellQuote quotes one argument: not at all when it is plain, in double
// quotes when that suffices (A' reads as "A'"), else in single quotes.
func shellQuote(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-+=:,./@%", r)) {
			plain = false
			break
		}
	}
	switch {
	case plain:
		return s
	case !strings.ContainsAny(s, "\"$`\\!"):
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
