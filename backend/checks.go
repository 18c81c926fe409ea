package backend

import "fmt"

// The layout checks below are the preconditions of the operations of
// Backend, written once for every backend. A failed check is a programmer
// error: it panics with a message that starts with the backend's name and
// the operation, as in "cpu: MatMul: cannot multiply 3×4 by 3×4".

// CheckLayout panics unless l has at least one matrix of at least 1×1.
func CheckLayout(backend string, l Layout) {
	if l.Count < 1 || l.Rows < 1 || l.Cols < 1 {
		panic(fmt.Sprintf("%s: invalid layout %d×(%d×%d)", backend, l.Count, l.Rows, l.Cols))
	}
}

// CheckHost panics unless n values fill layout l, as FromHost needs.
func CheckHost(backend string, l Layout, n int) {
	if n != l.Size() {
		panic(fmt.Sprintf("%s: FromHost: %d values for layout %d×(%d×%d)", backend, n, l.Count, l.Rows, l.Cols))
	}
}

// CheckGather panics unless index names at least one matrix and each of
// its entries is a matrix of l, as Gather needs.
func CheckGather(backend string, l Layout, index []int) {
	if len(index) == 0 {
		panic(fmt.Sprintf("%s: Gather: no index", backend))
	}
	for k, i := range index {
		if i < 0 || i >= l.Count {
			panic(fmt.Sprintf("%s: Gather: index[%d] = %d outside the %d matrices", backend, k, i, l.Count))
		}
	}
}

// Square panics unless the matrices of l are square, and returns their
// order.
func Square(backend, op string, l Layout) int {
	if l.Rows != l.Cols {
		panic(fmt.Sprintf("%s: %s: matrix is %d×%d, not square", backend, op, l.Rows, l.Cols))
	}
	return l.Rows
}

// Broadcast checks that the counts of a and b divide one another and
// returns the count of the result with the ratio of each operand: result
// matrix j reads matrix j/ra of a and j/rb of b.
func Broadcast(backend, op string, a, b Layout) (count, ra, rb int) {
	if a.Count%b.Count != 0 && b.Count%a.Count != 0 {
		panic(fmt.Sprintf("%s: %s: counts %d and %d do not divide one another", backend, op, a.Count, b.Count))
	}
	count = max(a.Count, b.Count)
	return count, count / a.Count, count / b.Count
}

// SameShape panics unless a and b hold matrices of the same shape.
func SameShape(backend, op string, a, b Layout) {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		panic(fmt.Sprintf("%s: %s: shapes %d×%d and %d×%d differ", backend, op, a.Rows, a.Cols, b.Rows, b.Cols))
	}
}

// CheckMatMul panics unless the matrices of a can multiply those of b.
func CheckMatMul(backend string, a, b Layout) {
	if a.Cols != b.Rows {
		panic(fmt.Sprintf("%s: MatMul: cannot multiply %d×%d by %d×%d", backend, a.Rows, a.Cols, b.Rows, b.Cols))
	}
}

// CheckScale panics unless the factors s of Scale or AddScaled (op) are
// 1×1.
func CheckScale(backend, op string, s Layout) {
	if s.Rows != 1 || s.Cols != 1 {
		panic(fmt.Sprintf("%s: %s: factor is %d×%d, not 1×1", backend, op, s.Rows, s.Cols))
	}
}

// BroadcastScaled checks the operands of AddScaled, x + s·h: x and h of
// one shape, s of 1×1 factors, and counts that divide one another. It
// returns the count of the result with the ratio of each operand: result
// matrix j reads matrix j/rx of x, factor j/rs of s and matrix j/rh of h.
func BroadcastScaled(backend string, x, s, h Layout) (count, rx, rs, rh int) {
	CheckScale(backend, "AddScaled", s)
	SameShape(backend, "AddScaled", x, h)
	sh, _, _ := Broadcast(backend, "AddScaled", s, h)
	count, _, _ = Broadcast(backend, "AddScaled", x, Layout{Count: sh})
	Broadcast(backend, "AddScaled", s, Layout{Count: count})
	Broadcast(backend, "AddScaled", h, Layout{Count: count})
	return count, count / x.Count, count / s.Count, count / h.Count
}

// CheckColumn panics unless the matrices of a are column vectors, as Diag
// needs.
func CheckColumn(backend, op string, a Layout) {
	if a.Cols != 1 {
		panic(fmt.Sprintf("%s: %s: operand is %d×%d, not a column vector", backend, op, a.Rows, a.Cols))
	}
}
