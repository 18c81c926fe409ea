// Package report writes the report of a run (a run.Report) in the formats
// of gradcheck's --format: text (a table with the entries that disagree
// most, a summary line and the commands that re-run what did not pass),
// json (the schema run.ReadReport reads back), junit (JUnit XML for CI) and
// markdown (to paste into a pull request). Each format is one file here
// with a golden test (testdata/report.*); Write picks one by name.
//
// Table writes the text report row by row as results arrive, to several
// sinks at once, each with or without colour; Output sends a report where
// gradcheck's --format and --out say, through a Table. WriteClaims and
// WriteClaimsJSON write the listing of claims of gradcheck list.
package report
