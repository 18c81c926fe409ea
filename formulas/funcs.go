package formulas

import (
	"fmt"
	"slices"
	"strings"
)

// Func describes one built-in function of the expression language: the
// parser, the shape inference, the help text and the evaluator of package
// gradcheck all read this table, so that a new function is one entry here
// and one in the evaluator's table. A symbolic differential rule, when the
// differential exists, belongs in the entry too.
type Func struct {
	Name string
	// MinArgs and MaxArgs bound the number of arguments.
	MinArgs, MaxArgs int
	// Sizes is set for the constructors eye, ones and zeros, whose
	// arguments are sizes: size symbols or positive integer literals.
	Sizes bool
	// Kinked is set for the functions whose derivative jumps where their
	// argument changes sign (abs, relu, step, sign; see KinkedNames): a
	// finite-difference stencil across such a point says nothing about the
	// derivative, so the verifier leaves it out of the comparison
	// (inconclusive there).
	Kinked bool
	// KinkedOfOne is set for norm2, which of one number is its absolute
	// value: a kink where that number changes sign (see KinkedAt).
	KinkedOfOne bool
	// Group orders the help: the functions are listed group by group.
	Group string
	// Usage shows a call; Doc says in a line what it computes and how.
	Usage, Doc string
	// Aliases are names used elsewhere (textbooks, NumPy, MATLAB) that
	// error messages suggest this function for.
	Aliases []string
	// shape gives the result's shape from the arguments' shapes (or, for
	// a constructor, from Shape{n, 1} per size argument), or an error
	// message saying what the function accepts.
	shape func(args []Shape) (Shape, string)
}

// Elementwise reports whether f maps each entry of its argument alone.
func (f *Func) Elementwise() bool { return f.Group == groupElementwise }

// Arity formats the number of arguments for an error message: "1
// argument", "1 or 2 arguments".
func (f *Func) Arity() string {
	switch {
	case f.MinArgs == f.MaxArgs && f.MinArgs == 1:
		return "1 argument"
	case f.MinArgs == f.MaxArgs:
		return fmt.Sprintf("%d arguments", f.MinArgs)
	}
	return fmt.Sprintf("%d or %d arguments", f.MinArgs, f.MaxArgs)
}

// Help groups, in the order the help lists them.
const (
	groupMatrix      = "matrix functions"
	groupReduce      = "reductions to a scalar"
	groupElementwise = "elementwise functions"
	groupVector      = "column-wise functions"
	groupConstruct   = "constants"
	groupOther       = "integrals"
)

// same is the shape rule of elementwise functions.
func same(a []Shape) (Shape, string) { return a[0], "" }

// scalar is the shape rule of reductions to a scalar.
func scalar([]Shape) (Shape, string) { return Shape{1, 1}, "" }

// squareTo returns the shape rule of a function of a square matrix whose
// result is the matrix's shape (same) or a scalar.
func squareTo(result func([]Shape) (Shape, string)) func([]Shape) (Shape, string) {
	return func(a []Shape) (Shape, string) {
		if !a[0].IsSquare() {
			return Shape{}, fmt.Sprintf("needs a square matrix, got %v", a[0])
		}
		return result(a)
	}
}

// elementwise returns the table entry of an elementwise function.
func elementwise(name, doc string, kinked bool, aliases ...string) *Func {
	return &Func{Name: name, MinArgs: 1, MaxArgs: 1, Kinked: kinked, Group: groupElementwise,
		Usage: name + "(X)", Doc: doc, Aliases: aliases, shape: same}
}

// funcs is the table of built-in functions, in the order of the help.
var funcs = []*Func{
	{Name: "tr", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "tr(X)", Doc: "trace",
		Aliases: []string{"trace"}, shape: squareTo(scalar)},
	{Name: "det", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "det(X)", Doc: "determinant, through LU",
		Aliases: []string{"determinant"}, shape: squareTo(scalar)},
	{Name: "logdet", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "logdet(X)",
		Doc:     "log of a positive determinant, a sum of logs of LU pivots (no overflow)",
		Aliases: []string{"logabsdet", "slogdet"}, shape: squareTo(scalar)},
	{Name: "inv", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "inv(X)", Doc: "inverse, through LU (prefer A\\B for inv(A)*B)",
		Aliases: []string{"inverse"}, shape: squareTo(same)},
	{Name: "expm", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "expm(X)", Doc: "matrix exponential (scaling and squaring)",
		Aliases: []string{"expmat", "mexp", "matrix_exp"}, shape: squareTo(same)},
	{Name: "logm", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "logm(X)", Doc: "principal matrix logarithm",
		Aliases: []string{"logmat", "mlog"}, shape: squareTo(same)},
	{Name: "sym", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "sym(X)", Doc: "symmetric part (X + X')/2",
		shape: squareTo(same)},
	{Name: "kron", MinArgs: 2, MaxArgs: 2, Group: groupMatrix, Usage: "kron(A, B)", Doc: "Kronecker product",
		Aliases: []string{"kronecker"}, shape: kronShape},
	{Name: "vec", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "vec(X)",
		Doc:     "the columns of X stacked into one column, (rows·cols)×1 (Magnus and Neudecker's vec)",
		Aliases: []string{"vectorize", "vectorise"}, shape: vecShape},
	{Name: "diag", MinArgs: 1, MaxArgs: 1, Group: groupMatrix, Usage: "diag(X)",
		Doc:     "vector → diagonal matrix, square matrix → its diagonal",
		Aliases: []string{"diagm"}, shape: diagShape},

	{Name: "sum", MinArgs: 1, MaxArgs: 1, Group: groupReduce, Usage: "sum(X)", Doc: "sum of all entries", shape: scalar},
	{Name: "mean", MinArgs: 1, MaxArgs: 1, Group: groupReduce, Usage: "mean(X)", Doc: "mean of all entries, sum(X)/(rows·cols)",
		Aliases: []string{"avg", "average"}, shape: scalar},
	{Name: "norm2", MinArgs: 1, MaxArgs: 1, KinkedOfOne: true, Group: groupReduce, Usage: "norm2(X)", Doc: "Euclidean or Frobenius norm",
		Aliases: []string{"frobenius"}, shape: scalar},
	{Name: "logsumexp", MinArgs: 1, MaxArgs: 1, Group: groupReduce, Usage: "logsumexp(X)",
		Doc:     "log of the sum of e^x over all entries, as m + log Σ e^(x−m), m = max x (no overflow)",
		Aliases: []string{"lse", "logaddexp"}, shape: scalar},

	elementwise("exp", "e^x", false),
	elementwise("log", "natural logarithm", false, "ln"),
	elementwise("sqrt", "square root", false),
	elementwise("abs", "absolute value (kink at 0)", true),
	elementwise("tanh", "hyperbolic tangent", false),
	elementwise("sigmoid", "logistic 1/(1+e^−x), as e^x/(1+e^x) for x < 0 (no overflow)", false, "logistic", "expit"),
	elementwise("softplus", "log(1+e^x), as max(x,0) + log1p(e^−|x|) (no overflow)", false),
	elementwise("log1p", "log(1+x), accurate for small x", false),
	elementwise("expm1", "e^x − 1, accurate for small x", false),
	elementwise("sin", "sine", false),
	elementwise("cos", "cosine", false),
	elementwise("relu", "max(x, 0) (kink at 0)", true),
	elementwise("step", "Heaviside step: 1 for x > 0, else 0 (the derivative of relu; jump at 0)", true, "heaviside"),
	elementwise("sign", "−1, 0 or 1 by the sign of x (the derivative of abs, 0 at 0; jump at 0)", true, "signum", "sgn"),
	elementwise("lgamma", "log Γ(x) for x > 0, NaN at x ≤ 0 (Taylor series at 1, 2 and its least value, Stirling's from 10)", false, "gammaln", "loggamma", "lngamma"),
	elementwise("digamma", "ψ(x) = Γ'(x)/Γ(x) = lgamma'(x) for x > 0, NaN at x ≤ 0", false, "psi"),
	elementwise("trigamma", "ψ'(x) = digamma'(x) for x > 0, NaN at x ≤ 0 (has no derivative in the language)", false),

	{Name: "softmax", MinArgs: 1, MaxArgs: 1, Group: groupVector, Usage: "softmax(X)",
		Doc:   "e^x/Σe^x of a vector, of a matrix column by column, as e^(x−m)/Σe^(x−m), m = the column's max",
		shape: softmaxShape},

	{Name: "eye", MinArgs: 1, MaxArgs: 1, Sizes: true, Group: groupConstruct, Usage: "eye(n)", Doc: "n×n identity",
		Aliases: []string{"identity"}, shape: func(a []Shape) (Shape, string) { return Shape{a[0].Rows, a[0].Rows}, "" }},
	{Name: "ones", MinArgs: 1, MaxArgs: 2, Sizes: true, Group: groupConstruct, Usage: "ones(n), ones(m, n)",
		Doc: "vector or matrix of ones", shape: filledShape},
	{Name: "zeros", MinArgs: 1, MaxArgs: 2, Sizes: true, Group: groupConstruct, Usage: "zeros(n), zeros(m, n)",
		Doc: "vector or matrix of zeros", shape: filledShape},

	{Name: "integral", MinArgs: 4, MaxArgs: 4, Group: groupOther, Usage: "integral(t, lo, hi, EXPR)",
		Doc:     "∫ EXPR dt from lo to hi (hi may be inf), Gauss–Legendre quadrature",
		Aliases: []string{"integrate", "int", "quad"}},
}

// byName indexes funcs.
var byName = func() map[string]*Func {
	m := make(map[string]*Func, len(funcs))
	for _, f := range funcs {
		m[f.Name] = f
	}
	return m
}()

// Lookup returns the built-in function name, or nil.
func Lookup(name string) *Func { return byName[name] }

// Funcs returns the built-in functions in the order of the help.
func Funcs() []*Func { return slices.Clone(funcs) }

func kronShape(a []Shape) (Shape, string) {
	rows, cols := int64(a[0].Rows)*int64(a[1].Rows), int64(a[0].Cols)*int64(a[1].Cols)
	if rows > MaxSize || cols > MaxSize || rows < 0 || cols < 0 {
		return Shape{}, fmt.Sprintf("result of %v ⊗ %v is too large", a[0], a[1])
	}
	return Shape{int(rows), int(cols)}, ""
}

func vecShape(a []Shape) (Shape, string) {
	if n := int64(a[0].Rows) * int64(a[0].Cols); n > MaxSize {
		return Shape{}, fmt.Sprintf("vec of %v has %d entries, more than %d", a[0], n, MaxSize)
	}
	return Shape{a[0].Rows * a[0].Cols, 1}, ""
}

func diagShape(a []Shape) (Shape, string) {
	switch {
	case a[0].Cols == 1:
		return Shape{a[0].Rows, a[0].Rows}, ""
	case a[0].IsSquare():
		return Shape{a[0].Rows, 1}, ""
	}
	return Shape{}, fmt.Sprintf("needs a column vector or a square matrix, got %v", a[0])
}

func softmaxShape(a []Shape) (Shape, string) {
	if a[0].Rows < 2 {
		return Shape{}, fmt.Sprintf("needs a column vector or a matrix (taken column by column) of at least 2 rows, got %v", a[0])
	}
	return a[0], ""
}

// filledShape is the shape of ones(n) (n×1) and ones(m, n).
func filledShape(a []Shape) (Shape, string) {
	if len(a) == 1 {
		return Shape{a[0].Rows, 1}, ""
	}
	return Shape{a[0].Rows, a[1].Rows}, ""
}

// IsFunc reports whether name is a built-in function of the expression
// language (and so cannot name a variable).
func IsFunc(name string) bool { return byName[name] != nil }

// transposeNames are the functions other languages transpose with
// (MATLAB's transpose, R's t); the language writes a postfix ' instead.
var transposeNames = []string{"transpose", "trans", "t", "ctranspose"}

// absentFuncs are names, in lower case, that users type for functions the
// language lacks, each with what to write instead or that it is not
// offered. The nearest name of the language is another function there
// (sqrtm → sqrt, which is elementwise; dot → det; pinv → inv), so funcHint
// says this instead. An expression to write is between backquotes, which
// the message drops (TestAbsentFuncs parses and shape-checks each).
var absentFuncs = func() map[string]string {
	m := map[string]string{}
	add := func(hint string, names ...string) {
		for _, n := range names {
			m[n] = hint
		}
	}
	add("the matrix square root is not in the language; sqrt is elementwise", "sqrtm", "msqrt")
	add("write `2.^x`", "exp2")
	add("write `10.^x`", "exp10")
	add("write `log(x)/log(2)`", "log2")
	add("write `log(x)/log(10)`", "log10")
	add("write `x.^p` (elementwise) or `X^2` (an integer power of a square matrix)", "pow", "power", "mpower")
	add("write `x.^2` (elementwise) or `X^2` (a square matrix times itself)", "square")
	add("write `x.^2`", "abs2")
	add("write `sum(x.^2)`, or `norm2(x)^2`", "sumsq")
	add("write `(exp(x) - exp(-x))/2`", "sinh")
	add("write `(exp(x) + exp(-x))/2`", "cosh")
	add("write `sin(x)./cos(x)`", "tan")
	add("write `log(x + sqrt(x.^2 + 1))`", "asinh", "arcsinh")
	add("write `log(x + sqrt(x.^2 - 1))` (x ≥ 1)", "acosh", "arccosh")
	add("write `log((1 + x)./(1 - x))/2`", "atanh", "arctanh")
	add("inverse trigonometric functions are not in the language", "asin", "acos", "atan", "atan2", "arcsin", "arccos", "arctan")
	add("not offered", "sinc")
	add("write `log(softmax(x))`, or `x - logsumexp(x)` of a vector", "logsoftmax", "log_softmax")
	add("write `-softplus(-x)`", "logsigmoid", "log_sigmoid")
	add("write `log(x./(1 - x))`", "logit")
	add("write `relu(x) + expm1(-relu(-x))`", "elu")
	add("write `relu(x) - 0.01*relu(-x)` (slope 0.01)", "leaky_relu", "leakyrelu")
	add("write `x.*sigmoid(x)`", "silu", "swish")
	add("not offered", "gelu", "selu")
	add("write `x'*y`, or `sum(x.*y)`", "dot", "vdot", "inner")
	add("write `x*y'`", "outer")
	add("write `A\\B` (solves A·X = B)", "solve", "linsolve", "mldivide")
	add("min and max are not in the language: max(x, y) is `relu(x - y) + y`, min(x, y) is `y - relu(y - x)`",
		"min", "max", "minimum", "maximum", "amin", "amax", "fmin", "fmax")
	add("the pseudo-inverse is not in the language; for X of full column rank it is `(X'*X)\\X'`", "pinv")
	add("the cofactor matrix is not in the language; for invertible X it is `det(X)*inv(X)'`", "cof", "cofactor")
	add("the adjugate is not in the language; for invertible X it is `det(X)*inv(X)`", "adj", "adjugate")
	add("the trace (nuclear) norm is not in the language", "trace_norm", "tracenorm", "nuclear_norm", "nuclearnorm", "norm_nuc")
	add("the entrywise 1-norm is `sum(abs(x))`; induced matrix norms are not in the language", "norm1")
	add("matrix decompositions are not in the language", "qr", "lu", "chol", "cholesky", "svd")
	add("eigenvalues are not in the language", "eig", "eigh", "eigvals", "eigs", "lambda_max", "lambda_min", "lambdamax", "lambdamin", "eigmax", "eigmin", "max_eig", "min_eig")
	// vec stacks the columns; NumPy's flatten and ravel the rows.
	add("flatten and ravel stack the rows: write `vec(X')` (vec stacks the columns)", "flatten", "ravel")
	add("reshaping is not in the language; declare each variable in the shape the formula uses", "reshape")
	// norm2 is only some of the norms of MATLAB's and NumPy's norm; a
	// call says which by its arguments (normHint).
	add(normAny, "norm")
	add("clamp(x, a, b) with a ≤ b is a + relu(x - a) - relu(x - b)", "clip", "clamp")
	add("write `mean((x - mean(x)).^2)`", "var", "variance")
	add("write `sqrt(mean((x - mean(x)).^2))`", "std")
	add("sizes are the size symbols of the shapes, as numbers: an m×n X has m*n entries", "numel", "len", "length", "size", "shape", "ndims")
	add("not offered", "erf", "erfc")
	add("triangular parts are not in the language", "tril", "triu")
	add("write `exp(lgamma(x))`, for x > 0", "gamma", "tgamma")
	add("polygamma(0, x) is `digamma(x)` and polygamma(1, x) is `trigamma(x)`; higher orders are not offered", "polygamma")
	add("not offered; with threshold p > 0 it is `0.5*x.^2 - 0.5*relu(abs(x) - p).^2`", "huber", "huber_loss", "smooth_l1")
	return m
}()

// matrixVariant returns the elementwise function whose name, with an m
// before or after it, name is (sinm, msin: a matrix sine), or "".
func matrixVariant(name string) string {
	for _, f := range funcs {
		if f.Elementwise() && (name == f.Name+"m" || name == "m"+f.Name) {
			return f.Name
		}
	}
	return ""
}

// otherVariant reports whether name is an elementwise function's name with
// an affix that usually makes it another function: a hyperbolic one (h
// after it), an inverse (a or arc before it) or another base (digits after
// it, as in exp2). Its nearest name, the function itself, is no typo of it.
func otherVariant(name string) bool {
	for _, f := range funcs {
		if !f.Elementwise() {
			continue
		}
		if rest, ok := strings.CutPrefix(name, f.Name); ok && (rest == "h" || rest != "" && strings.Trim(rest, "0123456789") == "") {
			return true
		}
		if name == "a"+f.Name || name == "arc"+f.Name {
			return true
		}
	}
	return false
}

// funcHint returns what an unknown function name most likely means, as a
// hint for the error message ("did you mean tr?"), or what to write where
// the language lacks the function, or "". The nearest name by spelling is
// suggested only where no table says otherwise and name is not a variant
// of an elementwise function (sqrtm, sinh, asin, log2), which that
// function is not.
func funcHint(name string) string {
	lower := strings.ToLower(name)
	if slices.Contains(transposeNames, lower) {
		return "the transpose is the postfix ', as in X'"
	}
	for _, f := range funcs {
		if slices.Contains(f.Aliases, lower) {
			return "did you mean " + f.Name + "?"
		}
	}
	if h, ok := absentFuncs[lower]; ok {
		return strings.ReplaceAll(h, "`", "")
	}
	if base := matrixVariant(lower); base != "" {
		return fmt.Sprintf("%s, a matrix function, is not in the language; %s is elementwise", name, base)
	}
	if otherVariant(lower) {
		return ""
	}
	names := make([]string, len(funcs))
	for i, f := range funcs {
		names[i] = f.Name
	}
	if s := Suggest(name, names); s != "" {
		return "did you mean " + s + "?"
	}
	// A known name that the unknown one starts with, longest first:
	// "trace" → tr, "logdeterminant" → logdet.
	best := ""
	for _, f := range names {
		if strings.HasPrefix(lower, f) && len(f) > len(best) {
			best = f
		}
	}
	if best == "" {
		return ""
	}
	return "did you mean " + best + "?"
}

// KinkedAt reports whether f has a kink where its argument, of rows×cols
// entries, changes sign: always for a Kinked f, and for one KinkedOfOne
// where the argument is one number. ∫ norm2(x − t) dt over an x of one
// entry is ∫ |x − t| dt, whose kink the quadrature did not watch, and its
// true gradient failed (found by the derive hunt).
func (f *Func) KinkedAt(rows, cols int) bool {
	return f.Kinked || f.KinkedOfOne && rows*cols == 1
}

// KinkedNames lists the functions with a kink (Func.Kinked) in the order
// of the table, then norm2 (Func.KinkedOfOne), as messages name them:
// "abs, relu, step, sign or norm2 of one number".
func KinkedNames() string {
	var names []string
	for _, f := range funcs {
		if f.Kinked {
			names = append(names, f.Name)
		}
	}
	for _, f := range funcs {
		if f.KinkedOfOne {
			names = append(names, f.Name+" of one number")
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// FuncHelp lists the functions and operators of the language for the help
// of the command line, group by group, one per line.
func FuncHelp() string {
	var b strings.Builder
	b.WriteString(`Operators: + - * (matrix product; a scalar times anything) .* ./ (entrywise)
  / (by a scalar) ^ (matrix or scalar power) .^ (entrywise power) ' (transpose)
  A\B (solve A·X = B through LU, never forming inv(A)). A scalar meets an
  array entry by entry in + - .* ./ .^: 1 + x, s - A, 1./x. Size symbols are
  numbers in expressions: 2/m*A'*(A*x - b), eye(n)/n. A finite-difference
  stencil across a kink of ` + KinkedNames() + ` is left out of the comparison.
`)
	group := ""
	for _, f := range funcs {
		if f.Group != group {
			group = f.Group
			fmt.Fprintf(&b, "%s%s:\n", strings.ToUpper(group[:1]), group[1:])
		}
		fmt.Fprintf(&b, "  %-22s %s\n", f.Usage, f.Doc)
	}
	return b.String()
}

// HasKink reports whether e applies a function with a kink (Func.Kinked:
// abs, relu, step, sign) anywhere, so that the verifier must evaluate each
// finite-difference stencil whole to see it straddle the kink.
func HasKink(e Expr) bool {
	switch e := e.(type) {
	case *Unary:
		return HasKink(e.X)
	case *Binary:
		return HasKink(e.L) || HasKink(e.R)
	case *Call:
		if f := Lookup(e.Func); f != nil && f.Kinked {
			return true
		}
		for _, a := range e.Args {
			if HasKink(a) {
				return true
			}
		}
	case *Integral:
		return HasKink(e.Lo) || HasKink(e.Hi) || HasKink(e.Body)
	}
	return false
}
