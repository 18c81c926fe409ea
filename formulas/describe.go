package formulas

import (
	"fmt"
	"strings"
)

// String writes the claim in one line, as in "grad_X tr(A*X) = A'", or
// "grad_x r'*r = 2*A'*r where r = A*x - b" with definitions, for listings
// and reports.
func (c *Claim) String() string {
	f, rhs := oneLine(c.FText), oneLine(c.RhsText)
	var s string
	switch c.Kind {
	case Grad:
		s = fmt.Sprintf("grad_%s %s = %s", c.Wrt, f, rhs)
		if c.Layout == Numerator {
			s += " (numerator layout)"
		}
	case Diff:
		s = fmt.Sprintf("d(%s)[d%s] = %s", f, c.Wrt, rhs)
	case Jac:
		s = fmt.Sprintf("jac_%s %s = %s", c.Wrt, f, rhs)
	case Hess:
		s = fmt.Sprintf("hess_%s %s = %s", c.Wrt, f, rhs)
	default:
		s = fmt.Sprintf("%s = %s", f, rhs)
	}
	for i, d := range c.Where {
		sep := ", "
		if i == 0 {
			sep = " where "
		}
		s += fmt.Sprintf("%s%s = %s", sep, d.Name, oneLine(d.Text))
	}
	return strings.TrimSpace(s)
}

// oneLine joins the lines of s with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
