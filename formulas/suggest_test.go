package formulas

import "testing"

func TestSuggest(t *testing.T) {
	commands := []string{"list", "run", "check", "merge", "bench", "derive", "selftest", "help", "version"}
	funcs := []string{"sign", "sigmoid", "softmax", "softplus", "sqrt", "sum", "tr"}
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"chek", commands, "check"},
		{"CHECK", commands, "check"},
		{"drive", commands, "derive"},
		{"self", commands, "selftest"},
		{"sel", commands, "selftest"},
		{"frobnicate", commands, ""},
		// A unique completion beats a closer edit.
		{"sigm", funcs, "sigmoid"},
		{"sigmo", funcs, "sigmoid"},
		{"softp", funcs, "softplus"},
		// An ambiguous start, or one too short, falls back to edits.
		{"sig", funcs, "sign"},
		{"soft", funcs, ""},
		{"si", funcs, ""},
		{"s", funcs, ""},
		{"sqr", funcs, "sqrt"},
		// Edits: one up to five letters, two beyond.
		{"sise", []string{"size", "seed", "batch"}, "size"},
		{"sumx", funcs, "sum"},
		{"tracee", funcs, ""},
		{"sigmiod", funcs, "sigmoid"},
		{"x", []string{"f"}, ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.name, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", tt.name, tt.candidates, got, tt.want)
		}
	}
}
