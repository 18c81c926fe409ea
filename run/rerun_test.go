package run

import "testing"

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"logdet":       "logdet",
		"n=48,m=40":    "n=48,m=40",
		"A'":           `"A'"`,
		"tr(A*X)":      `"tr(A*X)"`,
		`a"b'`:         `'a"b'\'''`,
		"":             `""`,
		"$HOME":        `'$HOME'`,
		"wrong-tr-\\*": `'wrong-tr-\*'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
