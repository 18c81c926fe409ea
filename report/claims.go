package report

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gradcheck/gradcheck/formulas"
)

// WriteClaims lists claims to w as gradcheck list does: a table NAME KIND
// CLAIM SOURCE.
func WriteClaims(w io.Writer, claims []*formulas.Claim) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tCLAIM\tSOURCE")
	for _, c := range claims {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Kind, c.String(), oneLine(c.Source))
	}
	return tw.Flush()
}

// ClaimEntry is one claim in the JSON listing of WriteClaims.
type ClaimEntry struct {
	Name   string         `json:"name"`
	Kind   formulas.Kind  `json:"kind"`
	Claim  string         `json:"claim"`
	F      string         `json:"f"`
	Wrt    string         `json:"wrt,omitempty"`
	Rhs    string         `json:"rhs"`
	Layout string         `json:"layout,omitempty"`
	Vars   []ClaimVar     `json:"vars"`
	Sizes  map[string]int `json:"sizes,omitempty"`
	Source string         `json:"source"`
}

// ClaimVar is one variable declaration of a ClaimEntry.
type ClaimVar struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
	Dist  string `json:"dist"`
	Space string `json:"space,omitempty"`
}

// WriteClaimsJSON lists claims to w as gradcheck list --format json does:
// a JSON array of ClaimEntry, with each claim's parts and variables.
func WriteClaimsJSON(w io.Writer, claims []*formulas.Claim) error {
	entries := make([]ClaimEntry, len(claims))
	for i, c := range claims {
		le := ClaimEntry{
			Name: c.Name, Kind: c.Kind, Claim: c.String(),
			F: oneLine(c.FText), Wrt: c.Wrt, Rhs: oneLine(c.RhsText),
			Sizes: c.Sizes, Source: c.Source, Vars: []ClaimVar{},
		}
		if c.Layout == formulas.Numerator {
			le.Layout = string(c.Layout)
		}
		for _, v := range c.Vars {
			lv := ClaimVar{Name: v.Name, Shape: v.Dims[0] + "," + v.Dims[1], Dist: string(v.Dist)}
			if v.SymSpace {
				lv.Space = "sym"
			}
			le.Vars = append(le.Vars, lv)
		}
		entries[i] = le
	}
	b, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
