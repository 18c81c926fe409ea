#!/usr/bin/env bash
# bench-openblas.sh: install OpenBLAS (Debian's libopenblas-dev) if it is
# missing, test the CPU backend's OpenBLAS path (-tags openblas), and time
# the batched operations and whole verifications of bench/ on both the
# pure-Go and the OpenBLAS path, one after the other, on this machine.
#
#   scripts/bench-openblas.sh               tests, then the op and Verify benchmarks
#   BENCH='Ops/cpu/(MatMul|Inv)' scripts/bench-openblas.sh   a subset
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/openblas.sh

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
make test-openblas

bench=${BENCH:-.}
for tags in "" "-tags openblas"; do
	echo "== go test ${tags:-(pure Go)} -bench '$bench' ./bench/"
	go test $tags -run '^$' -bench "$bench" ./bench/
done
