package bench

import "github.com/gradcheck/gradcheck/backend"

// Op names one method of backend.Backend in a Counter's tallies.
type Op string

// The operations of backend.Backend, with the floating-point operations
// (flops) and the bytes that Cost counts for each. Sizes are per result
// matrix and are multiplied by the result's count. Cubic operations count
// their leading term, as LAPACK benchmarks do; an elementwise function
// (exp, log, tanh, pow) counts as one flop per entry, as an addition does.
// Bytes count every operand entry read once and every result entry written
// once, 8 bytes each: the least memory traffic the operation needs.
const (
	OpFromHost    Op = "FromHost"    // 0 flops; bytes: the data copied in
	OpToHost      Op = "ToHost"      // 0 flops; bytes: the data copied out
	OpFree        Op = "Free"        // 0 flops, 0 bytes
	OpGaussian    Op = "Gaussian"    // 0 flops (integer Philox rounds); bytes: the result
	OpEye         Op = "Eye"         // 0 flops
	OpElementwise Op = "Elementwise" // 1 flop per entry
	OpMap         Op = "Map"         // 1 flop per entry
	OpScale       Op = "Scale"       // 1 flop per entry
	OpAddScaled   Op = "AddScaled"   // 2 flops per entry (multiply, add)
	OpMatMul      Op = "MatMul"      // 2mkn for an m×k by k×n product
	OpTranspose   Op = "Transpose"   // 0 flops
	OpVec         Op = "Vec"         // 0 flops
	OpGather      Op = "Gather"      // 0 flops; bytes: the result, read and written
	OpKron        Op = "Kron"        // 1 flop per entry of the result
	OpInv         Op = "Inv"         // 2n³: LU 2n³/3, then the inverse from it 4n³/3
	OpDet         Op = "Det"         // 2n³/3: LU
	OpLogDet      Op = "LogDet"      // 2n³/3: LU
	OpTrace       Op = "Trace"       // n additions
	OpSum         Op = "Sum"         // one addition per entry
	OpDot         Op = "Dot"         // 2 flops per entry (multiply, add)
	OpDiag        Op = "Diag"        // 0 flops
	OpDiagOf      Op = "DiagOf"      // 0 flops
	OpSoftmax     Op = "Softmax"     // 4 flops per entry (max, exp, sum, divide)
	OpLogSumExp   Op = "LogSumExp"   // 3 flops per entry (max, exp, sum)
	OpSolve       Op = "Solve"       // 2n³/3 + 2n²k: LU, then two triangular solves of k columns
	OpSignChanges Op = "SignChanges" // 0 flops (comparisons)
)

// Cost returns the flops and bytes that op costs when it produces result
// from the given operands (see Op for the model).
func Cost(op Op, result backend.Layout, operands ...backend.Layout) (flops, bytes float64) {
	count := float64(result.Count)
	entries := float64(result.Rows * result.Cols) // of one result matrix
	bytes = 8 * float64(result.Size())
	for _, l := range operands {
		bytes += 8 * float64(l.Size())
	}
	switch op {
	case OpFree:
		return 0, 0
	case OpToHost:
		// The result is the host copy of the operand: count it once.
		return 0, 8 * float64(operands[0].Size())
	case OpGather:
		// Only the gathered matrices of the operand are read.
		return 0, 2 * 8 * float64(result.Size())
	case OpElementwise, OpMap, OpScale, OpKron:
		flops = entries
	case OpMatMul:
		m, k, n := float64(operands[0].Rows), float64(operands[0].Cols), float64(operands[1].Cols)
		flops = 2 * m * k * n
	case OpInv:
		n := float64(operands[0].Rows)
		flops = 2 * n * n * n
	case OpDet, OpLogDet:
		n := float64(operands[0].Rows)
		flops = 2 * n * n * n / 3
	case OpTrace:
		flops = float64(operands[0].Rows)
	case OpSum:
		flops = float64(operands[0].Rows * operands[0].Cols)
	case OpAddScaled:
		flops = 2 * entries
	case OpDot:
		flops = 2 * float64(operands[0].Rows*operands[0].Cols)
	case OpSoftmax:
		flops = 4 * entries
	case OpLogSumExp:
		flops = 3 * float64(operands[0].Rows*operands[0].Cols)
	case OpSolve:
		n, k := float64(operands[0].Rows), float64(operands[1].Cols)
		flops = 2*n*n*n/3 + 2*n*n*k
	}
	return count * flops, bytes
}

// luFamily reports whether op's flops are those of an LU factorization,
// whose machine peak differs from that of a matrix product.
func luFamily(op Op) bool {
	return op == OpInv || op == OpDet || op == OpLogDet || op == OpSolve
}
