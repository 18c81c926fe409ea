package main

import (
	"testing"
)

func TestEscapeGlob(t *testing.T) {
	if got := escapeGlob("a*b[c]"); got != `a\*b\[c\]` {
		t.Errorf("escapeGlob = %s", got)
	}
}
