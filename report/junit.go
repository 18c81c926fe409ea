package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// The JUnit XML report follows the schema that Jenkins, GitLab and the
// GitHub test-report actions read (the one Maven Surefire writes):
//
//	testsuites(name tests failures errors skipped time)
//	  testsuite(name tests failures errors skipped time)
//	    properties > property(name value)
//	    testcase(name classname time)
//	      failure(message type) | error(message type) | skipped(message)
//
// with one testcase per claim and sizes. A fail is a failure whose message
// is the diagnosis; an error, or an inconclusive verdict, is an error; a
// claim that an interrupted run did not reach is skipped. The counting
// attributes are always written, zero or not (go-junit-report's junit
// package omits skipped="0" and the testsuites counts when zero, which is
// why these few types are our own).

type junitTestsuites struct {
	XMLName xml.Name `xml:"testsuites"`
	junitCounts
	Suites []junitTestsuite `xml:"testsuite"`
}

type junitTestsuite struct {
	junitCounts
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Testcases  []junitTestcase `xml:"testcase"`
}

// junitCounts are the attributes that testsuites and testsuite share.
type junitCounts struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestcase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	Time      string       `xml:"time,attr"`
	Failure   *junitResult `xml:"failure"`
	Error     *junitResult `xml:"error"`
	Skipped   *junitResult `xml:"skipped"`
	SystemOut *junitOutput `xml:"system-out"`
}

type junitOutput struct {
	Text string `xml:",cdata"`
}

type junitResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// seconds writes a duration as JUnit does: seconds, 3 decimals.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

var junitFormat = format{name: "junit", write: writeJUnit, exts: []string{".xml"}, help: `JUnit XML for CI test reports: one testcase per claim and sizes;
a fail is a <failure> whose message is the diagnosis.`}

// writeJUnit writes the report as JUnit XML.
func writeJUnit(w io.Writer, rep *run.Report) error {
	suite := junitTestsuite{junitCounts: junitCounts{Name: "gradcheck", Time: seconds(rep.Elapsed)}}
	if rep.Shard != nil {
		suite.Name += " shard " + rep.Shard.String()
	}
	prop := func(name, value string) {
		suite.Properties = append(suite.Properties, junitProperty{Name: name, Value: value})
	}
	prop("gradcheck", rep.Gradcheck)
	prop("backend", rep.Backend)
	prop("seed", strconv.FormatUint(rep.Seed, 10))
	if sizes := formulas.FormatSizes(rep.Settings.Sizes); sizes != "" {
		prop("size", sizes)
	}
	prop("batch", strconv.Itoa(rep.Settings.Batch))
	prop("dirs", strconv.Itoa(rep.Settings.Dirs))
	prop("mode", string(rep.Settings.Mode))
	prop("rtol", strconv.FormatFloat(rep.Settings.RTol, 'g', -1, 64))
	prop("atol", strconv.FormatFloat(rep.Settings.ATol, 'g', -1, 64))
	if rep.Settings.Instance >= 0 {
		prop("instance", strconv.Itoa(rep.Settings.Instance))
	}
	if rep.Incomplete {
		prop("incomplete", "true")
	}

	for i, r := range rep.Results {
		tc := junitTestcase{Name: testcaseName(r.Name, r.Sizes), Classname: r.Name}
		if i < len(rep.Times) {
			tc.Time = seconds(rep.Times[i])
		} else {
			tc.Time = seconds(0)
		}
		res := &junitResult{Message: note(r), Text: xmlChars(junitText(rep, i))}
		switch r.Verdict {
		case gradcheck.Pass:
			tc.SystemOut = &junitOutput{Text: res.Text}
		case gradcheck.Fail:
			res.Type = r.Diagnosis
			if res.Type == "" {
				res.Type = "fail"
			}
			tc.Failure = res
			suite.Failures++
		default: // error, inconclusive
			res.Type = string(r.Verdict)
			res.Message = string(r.Verdict) + ": " + res.Message
			tc.Error = res
			suite.Errors++
		}
		suite.Testcases = append(suite.Testcases, tc)
	}
	for _, c := range rep.NotRun {
		suite.Testcases = append(suite.Testcases, junitTestcase{
			Name: testcaseName(c.Name, c.Sizes), Classname: c.Name, Time: seconds(0),
			Skipped: &junitResult{Message: "not run: the run was interrupted"},
		})
		suite.Skipped++
	}
	suite.Tests = len(suite.Testcases)

	all := junitTestsuites{junitCounts: suite.junitCounts, Suites: []junitTestsuite{suite}}
	all.Name = "gradcheck"
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("encoding the JUnit report: %w", err)
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// xmlChars replaces what XML 1.0 cannot hold, even in CDATA (control
// characters such as ESC, which a claim name of a spec file may have,
// and invalid UTF-8), with U+FFFD, as encoding/xml does in attributes
// but not in CDATA. (U+FFFD itself counts as bad here, so that invalid
// UTF-8, which ranges as U+FFFD, is rewritten too.)
func xmlChars(s string) string {
	ok := func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r < 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
	}
	if strings.IndexFunc(s, func(r rune) bool { return !ok(r) }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if !ok(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// testcaseName names the testcase of a claim at its sizes: "tr-ax [m=40,n=48]".
func testcaseName(name string, sizes map[string]int) string {
	if len(sizes) == 0 {
		return name
	}
	return name + " [" + formulas.FormatSizes(sizes) + "]"
}

// junitText is the body of result i's testcase: the numbers, the worst
// entries and the command that re-runs it.
func junitText(rep *run.Report, i int) string {
	r := rep.Results[i]
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s", r.Verdict, r.Kind, formulas.FormatSizes(r.Sizes))
	switch first, last := r.Instances[0], r.Instances[1]-1; {
	case last == first:
		fmt.Fprintf(&b, ", instance %d", first)
	case last > first:
		fmt.Fprintf(&b, ", instances %d to %d", first, last)
	}
	if decisive(r) {
		fmt.Fprintf(&b, ", max relative error %.3g, tolerance %.3g\n", r.MaxRelErr, r.Tolerance)
	} else {
		b.WriteString("\n")
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "%s\n", oneLine(r.Reason))
	}
	if r.Verdict != gradcheck.Pass && decisive(r) {
		w := r.Worst
		fmt.Fprintf(&b, "worst comparison: instance %d, direction %d: finite difference %.6g, claimed %.6g\n",
			w.Instance, w.Direction, w.FiniteDiff, w.Claimed)
	}
	if r.Verdict == gradcheck.Fail && len(r.Entries) > 0 {
		b.WriteString(entriesText(r))
	}
	if r.Verdict == gradcheck.Fail && r.Expected != "" {
		fmt.Fprintf(&b, "expected, derived from f: %s %s\n", r.Kind, r.Expected)
	}
	if cmd := rep.Rerun(i); cmd != "" {
		fmt.Fprintf(&b, "re-run: %s\n", cmd)
	}
	return b.String()
}
