package run

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
// quotes when that suffices (A' reads as "A'"), in dollar-single quotes
// when it holds a character that is not printable (a newline of a formula
// given on two lines: $'x\'*x\n'), else in single quotes. The report
// writes such a character escaped (report.Printable), which within double
// quotes the shell reads as it is: the re-run of --f "x'*x<newline>" read
// "x'*x\n", x'*x solved by n, another claim, and failed by another factor.
func shellQuote(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return dollarQuote(s)
	}
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

// dollarQuote quotes s in dollar-single quotes ($'...', POSIX.1-2024, and
// bash, ksh and zsh before), each character that is not printable, or
// byte that is not UTF-8, as its escape: a quoted argument of one line,
// printable, that the shell reads back as s.
func dollarQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsPrint(r):
			b.WriteString(s[i : i+width])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += width
	}
	b.WriteString("'")
	return b.String()
}
