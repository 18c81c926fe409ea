package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gradcheck/gradcheck"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a report that WriteJSON wrote.
func ReadJSON(r io.Reader, rep *Report) error {
	return json.NewDecoder(r).Decode(rep)
}

// WriteText writes r as tables: the machine and peaks, one row per
// measurement, and the fitted growth exponents.
func WriteText(w io.Writer, r Report) error {
	m := r.Machine
	var b strings.Builder
	fmt.Fprintf(&b, "machine: %s, %d cores (GOMAXPROCS %d), %s/%s, %s; CPU linear algebra: %s",
		m.CPU, m.NumCPU, m.GOMAXPROCS, m.OS, m.Arch, m.Go, m.Linalg)
	if m.LoadAvg != "" {
		fmt.Fprintf(&b, "; load %s", m.LoadAvg)
	}
	fmt.Fprintf(&b, "\nsettings: batch %d, dirs %d, mode %s, memory budget %s per chunk; fastest of %d runs\n",
		r.Batch, r.Dirs, r.Mode, FormatBytes(float64(r.MemBytes)), r.Runs)
	for _, p := range r.Peaks {
		fmt.Fprintf(&b, "peak of %s: DGEMM %.1f GFLOP/s (n=%d), LU %.1f GFLOP/s (n=%d), %d matrices per call\n",
			p.Backend, p.DGEMM, p.DGEMMSize, p.LU, p.LUSize, p.Count)
	}
	if r.Incomplete {
		b.WriteString("INCOMPLETE: interrupted; the measurements that finished follow\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLAIM\tN\tBACKEND\tVERDICT\tEVALS\tTIME/INST\tEVALS/S\tGFLOP/S\tPEAK\tTENSORS\tHEAP")
	for _, x := range r.Results {
		peak := "-"
		if x.FracPeak > 0 {
			peak = fmt.Sprintf("%.0f%% %s", 100*x.FracPeak, x.PeakKind)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%.3g\t%.1f\t%s\t%s\t%s\n",
			x.Claim, x.N, x.Backend, x.Verdict, x.Evaluations, seconds(x.PerInstance), x.EvalsPerSecond,
			x.GFLOPS, peak, FormatBytes(float64(x.PeakTensorBytes)), FormatBytes(float64(x.PeakHeapBytes)))
	}
	tw.Flush()
	if len(r.Fits) > 0 {
		b.WriteString("\ngrowth per verified instance, fitted as n^p over the sizes run:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CLAIM\tBACKEND\tSIZES\tTIME p\tFLOPS p")
		for _, f := range r.Fits {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\n", f.Claim, f.Backend, ints(f.Sizes), f.TimeExponent, f.FlopExponent)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// seconds formats a duration in seconds with a unit that keeps three
// significant digits readable.
func seconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.2fs", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3gms", s*1e3)
	}
	return fmt.Sprintf("%.3gµs", s*1e6)
}

// FormatBytes formats a number of bytes in binary units to four
// significant digits: "512 MiB", "5.788 GiB".
func FormatBytes(n float64) string {
	const unit = 1024
	for _, u := range []string{"B", "KiB", "MiB", "GiB"} {
		if n < unit {
			return fmt.Sprintf("%.4g %s", n, u)
		}
		n /= unit
	}
	return fmt.Sprintf("%.4g TiB", n)
}

// FormatNeed formats the memory one instance needs (InstanceBytes) as "at
// least 1.31 TiB", or "more than 5.243e+05 TiB" where the estimate
// saturated at gradcheck.MaxInstanceBytes: n = 10⁹ and n = 2³¹-1 printed the same number as
// if it were exact.
func FormatNeed(need int64) string {
	if need >= gradcheck.MaxInstanceBytes {
		return "more than " + FormatBytes(gradcheck.MaxInstanceBytes)
	}
	return "at least " + FormatBytes(float64(need))
}

// ints formats sizes as 64,256,1024.
func ints(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

// byteUnits are the suffixes ParseBytes accepts, by their power of 1024.
var byteUnits = [][]string{{"", "b"}, {"k", "kb", "kib"}, {"m", "mb", "mib"}, {"g", "gb", "gib"}, {"t", "tb", "tib"}}

// ParseBytes parses a size in bytes with an optional binary unit, as in
// 512MiB or 4g, the form --mem takes; it must be at least 1 MiB, the least
// a chunk of one n = 16 instance needs.
func ParseBytes(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	num := strings.TrimRightFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' })
	unit := strings.TrimSpace(s[len(num):])
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("not a size (want bytes, or a number with a unit: 512MiB, 4GiB)")
	}
	for power, names := range byteUnits {
		if slices.Contains(names, unit) {
			x *= math.Pow(1024, float64(power))
			switch {
			case x < 1<<20:
				return 0, fmt.Errorf("must be at least 1MiB")
			case x > 1<<62:
				return 0, fmt.Errorf("too large")
			}
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("unknown unit %q (want B, KiB, MiB, GiB or TiB)", unit)
}

// Write writes rep in format text (WriteText) or json (WriteJSON).
func Write(w io.Writer, format string, rep Report) error {
	switch format {
	case "text":
		return WriteText(w, rep)
	case "json":
		return WriteJSON(w, rep)
	}
	return fmt.Errorf("unknown bench report format %q (formats: text, json)", format)
}

// Add appends the measurements of r, made on another backend, to rep.
func (rep *Report) Add(r Report) {
	rep.Peaks = append(rep.Peaks, r.Peaks...)
	rep.Results = append(rep.Results, r.Results...)
	rep.Fits = append(rep.Fits, r.Fits...)
	rep.Incomplete = rep.Incomplete || r.Incomplete
}
