#!/usr/bin/env bash
# perf.sh: every measurement of issue 15 in one run, on the machine at
# hand, into one folder (default bench/out/perf-DATE): gradcheck side by
# side with torch.autograd.gradcheck on the same BLAS (peers.sh), the
# fraction of the DGEMM and LU peaks (gradcheck bench --peak), the share of
# the Gaussian draws, the peak memory of entrywise checks, the cost of a
# trivial directional check, and the small-matrix LU against gonum's and
# OpenBLAS's (go test -bench SmallLU ./cpu/). Each step notes the load average; compare
# ratios measured in one run, and re-run on a quiet machine.
#
#   bench/perf.sh [OUTDIR]        3-20 minutes on 2 quiet cores (30 under load 20)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/out/perf-$(date -u +%Y%m%dT%H%M)}
mkdir -p "$out"
load() { echo "== $1; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%H:%M:%S) UTC"; }
make -s build
gc=bin/gradcheck

{
	load "peers (bench/peers.sh)"
	bench/peers.sh --json "$out/peers.json"
	load "peers done"
} 2>&1 | tee "$out/peers.txt"

{
	load "fraction of peak, one direction and the defaults (batch 8, 3 directions)"
	"$gc" bench det tr-axb diff-inv diff-product logdet-spd --peak --runs 2 --sizes 512,1024 \
		--format json --out "$out/peak.json"
	load "peak done"
	python3 - "$out/peak.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("share of the time inside the backend spent drawing Gaussians (philox):")
for r in d["results"]:
    g = sum(o["seconds"] for o in r["ops"] if o["op"] == "Gaussian")
    print(f"  {r['claim']:13} n={r['n']:5}  {100 * g / r['op_seconds']:5.1f}%")
PY
} 2>&1 | tee "$out/peak.txt"

{
	load "peak memory (maximum resident set) of entrywise checks at n = 32, batch 8"
	for c in det tr-axb diff-inv; do
		/usr/bin/time -f "$c: %M KB max resident, %e s wall, %U s user, %S s system" \
			"$gc" run "$c" --mode entrywise --size n=32,m=32,k=32 --batch 8 --backend cpu --progress never >/dev/null
	done
	load "the trivial directional check: tr(X), n = 1024, one direction, batch 1 (fastest of 3)"
	for _ in 1 2 3; do
		/usr/bin/time -f "tr(X): %e s wall, %U s user, %S s system, %M KB" "$gc" check --f 'tr(X)' --wrt X \
			--grad 'eye(n)' --var X=n,n --size n=1024 --dirs 1 --batch 1 --backend cpu --progress never >/dev/null
	done
	load "CLI against in-process, entrywise det at n = 32, batch 8 (the fastest of 5 processes against the fastest of 5 runs in one)"
	python3 - "$gc" <<'PY'
import json, subprocess, sys, tempfile, time
gc, batch = sys.argv[1], 8
check = ["det", "--mode", "entrywise", "--batch", str(batch), "--backend", "cpu"]
times = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run([gc, "run", *check, "--size", "n=32", "--progress", "never"], check=True, capture_output=True)
    times.append(time.perf_counter() - t)
cli = min(times) / batch
with tempfile.NamedTemporaryFile(suffix=".json") as f:
    subprocess.run([gc, "bench", *check, "--sizes", "32", "--runs", "5", "--format", "json", "--out", f.name],
                   check=True, capture_output=True)
    inproc = json.load(f)["results"][0]["seconds_per_instance"]
print(f"cli: {cli * 1e3:.2f} ms per instance ({min(times) * 1e3:.1f} ms for {batch}); "
      f"in process: {inproc * 1e3:.2f} ms; ratio {cli / inproc:.2f}")
PY
	load "done"
} 2>&1 | tee "$out/memory.txt"

{
	load "small-matrix LU and inverse, one matrix on one core: smallLU, gonum, this build's large-order path"
	tags=()
	if "$gc" --version | grep -q 'linear algebra: OpenBLAS'; then tags=(-tags openblas); fi
	go test "${tags[@]}" -run '^$' -bench 'SmallLU/.*/n=(16|32|64|96)/' -benchtime 0.5s ./cpu/ | grep -E '^Benchmark'
	load "done"
} 2>&1 | tee "$out/smalllu.txt"
echo "perf.sh: results in $out"
