package formulas

import (
	"strings"
	"testing"
)

// TestCharHints checks what the lexer says of the mathematical notation
// that a user sweep pasted into formulas, at the position of the character
// at fault, and that each expression a hint tells the user to write parses
// and type-checks.
func TestCharHints(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"Xᵀ", "1:2: unexpected character 'ᵀ': write the transpose as X'"},
		{"A*X⊤*B", "1:4: unexpected character '⊤': write the transpose as X'"},
		{"tr(X’*X)", "1:5: unexpected character '’': write the transpose with the ASCII quote, as X'"},
		{"X⁻¹", "1:2: unexpected character '⁻': write inv(X) for X⁻¹"},
		{"A*X⁻¹*B", "1:4: unexpected character '⁻': write inv(X) for X⁻¹"},
		{"X⁻ᵀ", "1:2: unexpected character '⁻': write inv(X)' for X⁻ᵀ"},
		{"x⁻²", "1:2: unexpected character '⁻': write x.^-2 elementwise, or inv(X)^2 for a square matrix"},
		{"x⁻¹²", "1:2: unexpected character '⁻': write x.^-12 elementwise, or inv(X)^12 for a square matrix"},
		{"x⁻", "1:2: unexpected character '⁻': write a power with ^ or .^"},
		{"X⁺*b", "1:2: unexpected character '⁺': the pseudo-inverse is not in the language; for X of full column rank it is (X'*X)\\X'"},
		{"X∘Y", "1:2: unexpected character '∘': write X.*Y for X∘Y"},
		{"sum(X ⊙ Y)", "1:7: unexpected character '⊙': write X.*Y for X⊙Y"},
		{"A⊗B", "1:2: unexpected character '⊗': write kron(A, B) for A⊗B"},
		{"A·B", "1:2: unexpected character '·': write * for the product"},
		{"A⋅B", "1:2: unexpected character '⋅': write * for the product"},
		{"2 × x", "1:3: unexpected character '×': write * for the product"},
		{"‖x‖", "1:1: unexpected character '‖': write norm2(x) for ‖x‖"},
		{"2*∥x∥", "1:3: unexpected character '∥': write norm2(x) for ∥x∥"},
		{"||x||^2", "1:1: unexpected character '|': write norm2(x) for ||x||"},
		{"|X|", "1:1: unexpected character '|': write abs(X) (entrywise) or det(X) for |X|"},
		{"log(|det(X)|)", "1:5: unexpected character '|': write abs(X) (entrywise) or det(X) for |X|"},
		{"A:B", "1:2: unexpected character ':': write sum(A.*B) or tr(A'*B) for the Frobenius product A:B"},
		{"(A*X) : B'", "1:7: unexpected character ':': write sum(A.*B) or tr(A'*B) for the Frobenius product A:B"},
		// Indexing keeps its message (TestBuildErrors: X(:,1)).
		{"X(:)", "1:3: unexpected character ':'"},
		{"X(1, :)", "1:6: unexpected character ':'"},
		{"x²", "1:2: unexpected character '²': write x.^2 elementwise, or X^2 for a square matrix"},
		{"X³ + x", "1:2: unexpected character '³': write x.^3 elementwise, or X^3 for a square matrix"},
		{"x¹⁰", "1:2: unexpected character '¹': write x.^10 elementwise, or X^10 for a square matrix"},
		{"√x", "1:1: unexpected character '√': write sqrt(x) for √x"},
		{"Σx", "1:1: unexpected character 'Σ': write sum(x) for Σx"},
		{"∑(x.^2)", "1:1: unexpected character '∑': write sum(x) for ∑x"},
		{"a − b", "1:3: unexpected character '−': write the minus sign as -"},
		{"a – b", "1:3: unexpected character '–': write the minus sign as -"},
		{"⟨A, X⟩", "1:1: unexpected character '⟨': write tr(A'*B) or sum(A.*B) for ⟨A, B⟩"},
		{"X^{T}", "1:3: unexpected character '{': group with parentheses ( )"},
		{"tr(A*\n  Xᵀ)", "2:4: unexpected character 'ᵀ': write the transpose as X'"},
		// MATLAB's norm(X, "fro") stops at the string.
		{`norm(X, "fro")`, `1:9: unexpected character '"': write norm2(X) for the Frobenius norm`},
		{`norm(X, "FRO")`, `1:9: unexpected character '"': write norm2(X) for the Frobenius norm`},
		{`"x"`, `1:1: unexpected character '"'`},
		// Characters without a hint are as before.
		{"x$", "1:2: unexpected character '$'"},
		{"é", "1:1: unexpected character 'é'"},
	}
	for _, tt := range tests {
		pe := parseError(t, tt.src, tt.want)
		if pe == nil {
			continue
		}
		h := charHint(tt.src, byteOffset(tt.src, pe.Pos))
		if (h != "") != strings.Contains(tt.want, "': ") {
			t.Errorf("Parse(%q): charHint at %v = %q, not the hint of %q", tt.src, pe.Pos, h, tt.want)
		}
		checkHintExprs(t, tt.src, h)
	}
}

// byteOffset returns the offset in src of the character at p.
func byteOffset(src string, p Pos) int {
	line, col := 1, 1
	for i, r := range src {
		if line == p.Line && col == p.Col {
			return i
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return len(src)
}
