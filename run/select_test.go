package run

import "testing"

func TestEscapeGlob(t *testing.T) {
	if got := EscapeGlob("a*b[c]"); got != `a\*b\[c\]` {
		t.Errorf("EscapeGlob = %s", got)
	}
}
