#!/usr/bin/env bash
# gpu-check.sh OUTDIR: the GPU backend on a real GPU, in one time-boxed run
# (at most 6 minutes) on a machine that has the NVIDIA driver but no Go
# toolchain. It runs the bundle of `make gpu-bundle` (bin/, or
# $GPU_BUNDLE), built elsewhere and carried along with the repository:
# bin/gpu-bundle.tgz, which it unpacks into a temporary folder, or where
# that is missing the files bin/gradcheck, bin/gradcheck-cuda, bin/gpu.test.
#
# Every step runs under `timeout` (SIGINT, so that bench writes what it
# measured; SIGKILL 15 s later), writes its output to OUTDIR/STEP.log
# (and its reports to OUTDIR/STEP.json), and adds one line to
# OUTDIR/summary.txt: the step, ok / FAIL / TIMEOUT / SKIP, its seconds and
# a note. The steps, most important first (a step that would overrun the
# 6 minutes is skipped):
#
#   gpu         find the driver's libcuda.so.1, adding its folder to
#               LD_LIBRARY_PATH when the loader does not search it
#   env         GPU, driver, library path, glibc, bundle, tools (env.log)
#   worker      the worker started alone: its hello, how long loading the
#               kernels took (machine code for the GPU where kernels/sass
#               has it), or the driver's own words when it cannot start;
#               worker-ptx the same from the PTX (GRADCHECK_GPU_PTX=1),
#               which the driver compiles
#   gpu-tests   the GPU backend's tests on GPU 0 against the CPU backend
#   kernels     GFLOP/s of batched products, LU factorizations (Det) and
#               inverses at n = 256, 1024, 2048, with each kernel of the
#               products: on the FP64 tensor cores fetching by cp.async
#               (the default) or into registers, and on the CUDA cores; and
#               Det and Inv with the LU's panels in global memory instead
#               of registers (BenchmarkKernels of package gpu)
#   registry-*  the whole registry on the GPU and on the CPU, and a per-claim
#               diff of verdicts and numbers (registry-diff.log); again on
#               the GPU with the other kernels of the products
#               (registry-gpu-dmma, registry-gpu-fma, and their diffs)
#   bench-*     gradcheck bench --backend cpu,gpu at n = 256 (batch 132),
#               and at n = 1024, 2048 on each backend apart, --dirs 1: a
#               batch of 132 on the GPU (one instance per SM of an H200),
#               8 on the CPU at n = 1024 and 4 at n = 2048, where 132 would
#               not fit the time; --runs 2, times per verified instance;
#               the GPU at n = 2048 after the sanitizers, the CPU at
#               n = 2048 last;
#               bench-1024-cores: the GPU at n = 1024 with the products on
#               the CUDA cores (GRADCHECK_GPU_GEMM=fma), for the tensor
#               cores' share
#   torch       torch.autograd.gradcheck on CUDA in float64 beside gradcheck
#               on the GPU (bench/peers_torch.py): fast mode at equal
#               evaluations at n = 1024, both in process and both as fresh
#               processes (gradcheck run against a python3 that imports
#               torch), slow mode at n = 16, 32 (needs python3 with torch)
#   memcheck,   compute-sanitizer on the kernel tests (when it exists)
#   racecheck
#   ncu-*       Nsight Compute's speed of light of the LU kernels in the
#               GPU tests at n = 300, and of the products and the LU's
#               kernels in BenchmarkKernels at n = 1024 (when ncu exists)
#   targets     the GPU issue's targets judged from the outputs, with the
#               tables for the READMEs (scripts/gpu-targets.py, targets.md)
#
# On a machine without a GPU it fails at once, with one line on stderr
# (make test checks this: scripts/gpu-check_test.sh). Exit status: 0 when
# every step that ran passed, 1 otherwise.
#
# On a lent GPU machine, carrying bin/gpu-bundle.tgz (16 MB; bin/ whole
# would not fit the 64 MiB that travels), where only files under $OUT come
# back (8 at most):
#
#   scripts/gpu-check.sh /tmp/gc; tar -czf $OUT/gpu-check.tgz -C /tmp gc; cp /tmp/gc/summary.txt /tmp/gc/targets.md $OUT/
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: scripts/gpu-check.sh OUTDIR" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd) || {
	echo "gpu-check: cannot create $1" >&2
	exit 2
}
bin=${GPU_BUNDLE:-$root/bin}
summary=$out/summary.txt
: >"$summary"

budget=${GPU_CHECK_BUDGET:-345} # seconds for the whole run, kills included
start=$SECONDS
failed=0
gpu_ok=1 # cleared when the worker cannot start: the GPU steps are skipped

# note STEP STATUS SECONDS TEXT: one line of the summary, echoed to stderr.
note() {
	printf '%-16s %-8s %5ss  %s\n' "$1" "$2" "$3" "$4" | tee -a "$summary" >&2
}

# step NAME LIMIT CMD...: run CMD under timeout (LIMIT seconds, less when
# the budget is nearly spent), output to NAME.log; 0 when it passed.
step() {
	local name=$1 limit=$2
	shift 2
	# The kill comes 15 s after the interrupt (bench finishes the
	# verification under way first): both within the budget.
	local left=$((budget - (SECONDS - start) - 15))
	[ "$limit" -le "$left" ] || limit=$left
	if [ "$limit" -lt 5 ]; then
		note "$name" SKIP 0 "out of time (the run is limited to ${budget}s)"
		return 1
	fi
	local t0=$SECONDS rc
	# Through bash, so that CMD may be one of the functions below; in a
	# subshell whose stderr drops bash's report of a killed job.
	(
		timeout -s INT -k 15 "$limit" bash -c '"$@"' "$name" "$@" >"$out/$name.log" 2>&1
		exit $?
	) 2>/dev/null
	rc=$?
	local dt=$((SECONDS - t0)) last
	last=$(grep -v '^[[:space:]]*$' "$out/$name.log" | tail -n 1 | cut -c1-200)
	case $rc in
	0) note "$name" ok "$dt" "$last" ;;
	124 | 137) note "$name" TIMEOUT "$dt" "killed after ${limit}s: $last" ;;
	*) note "$name" FAIL "$dt" "exit $rc: $last" ;;
	esac
	[ $rc = 0 ] || failed=1
	return $rc
}

# gpustep is step for the steps that need the GPU.
gpustep() {
	if [ $gpu_ok = 0 ]; then
		note "$1" SKIP 0 "the worker did not start"
		return 1
	fi
	step "$@"
}

# --- gpu: the driver's library --------------------------------------------
# The folders where container runtimes and distributions put the driver's
# libcuda.so.1, for when the loader's cache does not list it.
driver_dirs=(/usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64
	/usr/lib/wsl/lib /run/nvidia/driver/usr/lib/x86_64-linux-gnu /usr/local/cuda/compat)
libcuda=$(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 .*x86-64/ { print $NF; exit }')
added=""
if [ -z "$libcuda" ]; then
	path=${LD_LIBRARY_PATH:-}
	for d in ${path//:/ } "${driver_dirs[@]}"; do
		if [ -e "$d/libcuda.so.1" ]; then
			libcuda=$d/libcuda.so.1
			case ":${LD_LIBRARY_PATH:-}:" in
			*":$d:"*) ;;
			*)
				export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
				added=" (added $d to LD_LIBRARY_PATH)"
				;;
			esac
			break
		fi
	done
fi
if [ -z "$libcuda" ]; then
	msg="no GPU here: the NVIDIA driver's libcuda.so.1 is neither in the loader's cache nor in LD_LIBRARY_PATH, ${driver_dirs[*]}"
	note gpu FAIL 0 "$msg" 2>/dev/null
	echo "gpu-check: $msg" >&2
	exit 1
fi
note gpu ok $((SECONDS - start)) "$(readlink -f "$libcuda")$added"

# The archive wins over files beside it: a rerun on a machine kept warm
# finds the files unpacked by the run before, while the archive carried
# is the new build.
if [ -f "$bin/gpu-bundle.tgz" ]; then
	unpacked=$(mktemp -d "${TMPDIR:-/tmp}/gradcheck-bundle.XXXXXX") &&
		tar -xzf "$bin/gpu-bundle.tgz" -C "$unpacked" 2>"$out/bundle.log" || {
		note bundle FAIL 0 "cannot unpack $bin/gpu-bundle.tgz: $(head -n 1 "$out/bundle.log")"
		echo "gpu-check: cannot unpack $bin/gpu-bundle.tgz: $(head -n 1 "$out/bundle.log")" >&2
		exit 1
	}
	trap 'rm -rf "$unpacked"' EXIT
	rm -f "$out/bundle.log"
	note bundle ok 0 "unpacked $bin/gpu-bundle.tgz ($(head -n 1 "$unpacked/BUNDLE" 2>/dev/null))"
	bin=$unpacked
fi
for f in gradcheck gradcheck-cuda gpu.test; do
	if [ ! -x "$bin/$f" ]; then
		note bundle FAIL 0 "$bin/$f is missing: run 'make gpu-bundle' where Go is, and carry bin/gpu-bundle.tgz"
		echo "gpu-check: $bin/$f is missing: run 'make gpu-bundle' where Go is, and carry bin/gpu-bundle.tgz" >&2
		exit 1
	fi
done
export GRADCHECK_WORKER=$bin/gradcheck-cuda GRADCHECK_EXAMPLES=$root/examples
export bin out root libcuda
cd "$root" || exit 1

# --- env --------------------------------------------------------------------
environment() {
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(uname -a)"
	echo "cpus: $(nproc), memory: $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
	echo "libcuda: $libcuda -> $(readlink -f "$libcuda")"
	echo "LD_LIBRARY_PATH: ${LD_LIBRARY_PATH:-}"
	echo "glibc: $(ldd --version 2>/dev/null | head -n 1)"
	echo "== bundle"
	cat "$bin/BUNDLE" 2>/dev/null || echo "(no $bin/BUNDLE)"
	echo "== nvidia-smi"
	if command -v nvidia-smi >/dev/null; then
		nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem,power.limit,compute_mode --format=csv
		nvidia-smi
	else
		echo "(no nvidia-smi)"
	fi
	echo "== tools"
	for t in compute-sanitizer ncu nvcc python3; do
		echo "$t: $(command -v $t || echo none)"
	done
	python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available() and torch.cuda.get_device_name(0))' 2>&1 || true
}
export -f environment
step env 20 environment

# --- worker -----------------------------------------------------------------
# Alone, with stdin closed: it says hello once its context is made and the
# PTX is compiled (--verbose logs how long each took), then exits.
worker() {
	local t0 t1 rc
	t0=$(date +%s%N)
	"$bin/gradcheck-cuda" worker --verbose </dev/null >"$out/worker.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	echo "worker: exit $rc after $(((t1 - t0) / 1000000)) ms; its output:"
	cat "$out/worker.out" && rm -f "$out/worker.out"
	return $rc
}
export -f worker
if ! step worker 60 worker || ! grep -q '"protocol"' "$out/worker.log"; then
	gpu_ok=0
	echo "gpu-check: the worker did not start: $(head -c 600 "$out/worker.log" | tr '\n' ' ')" >&2
fi
GRADCHECK_GPU_PTX=1 gpustep worker-ptx 60 worker

# --- gpu-tests --------------------------------------------------------------
# The tests of package gpu on GPU 0 only (the emulation is tested by make
# test); GRADCHECK_GPU_SYNC makes every launch report its own fault.
GRADCHECK_TEST_DEVICES=cuda GRADCHECK_GPU_SYNC=1 gpustep gpu-tests 90 "$bin/gpu.test" -test.count=1 -test.v

# --- kernels ----------------------------------------------------------------
# The rates of the products and of LU alone, tensor cores against CUDA
# cores: the figures the claims' GFLOP/s in bench are bounded by.
GRADCHECK_TEST_DEVICES=cuda gpustep kernels 75 "$bin/gpu.test" -test.run '^$' \
	-test.bench BenchmarkKernels -test.benchtime 5x

# --- registry ---------------------------------------------------------------
# registry BACKEND [NAME]: the registry on BACKEND, reported in
# registry-NAME.json (NAME defaults to BACKEND).
registry() {
	"$bin/gradcheck" run --backend "$1" --format json --out "$out/registry-${2:-$1}.json" --progress never
	[ $? -le 1 ] # a claim that fails is reported by the diff
}
export -f registry
gpustep registry-gpu 60 registry gpu
step registry-cpu 40 registry cpu
# registry_diff NAME: registry-NAME.json against the CPU's, claim by claim.
registry_diff() {
	if [ -s "$out/registry-$1.json" ] && [ -s "$out/registry-cpu.json" ]; then
		step "registry-diff${1#gpu}" 15 python3 "$root/scripts/gpu-diff.py" "$out/registry-cpu.json" "$out/registry-$1.json"
	else
		note "registry-diff${1#gpu}" SKIP 0 "a registry report is missing"
	fi
}
registry_diff gpu
# The other kernels of the products (the default is dmma-async on a GPU
# with FP64 tensor cores), so that one run tells which agree.
for p in dmma fma; do
	GRADCHECK_GPU_GEMM=$p gpustep "registry-gpu-$p" 30 registry gpu "gpu-$p" && registry_diff "gpu-$p"
done

# --- bench ------------------------------------------------------------------
bench() {
	local name=$1
	shift
	"$bin/gradcheck" bench "$@" --runs 2 --mem 16GiB --format json --out "$out/$name.json"
}
export -f bench
gpustep bench-256 60 bench bench-256 --backend cpu,gpu --sizes 256 --batch 132
gpustep bench-1024-gpu 50 bench bench-1024-gpu --backend gpu --sizes 1024 --batch 132 --dirs 1
GRADCHECK_GPU_GEMM=fma gpustep bench-1024-cores 50 bench bench-1024-cores --backend gpu --sizes 1024 --batch 132 --dirs 1
step bench-1024-cpu 40 bench bench-1024-cpu --backend cpu --sizes 1024 --batch 8 --dirs 1

# --- torch ------------------------------------------------------------------
if timeout 10 python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)' 2>/dev/null; then
	gpustep torch 85 python3 "$root/bench/peers_torch.py" --device cuda --backend gpu \
		--gradcheck "$bin/gradcheck" --full-sizes 16,32 --single-sizes 1024 --min-time 0.3 \
		--torch-repeat 1 --json "$out/torch.json"
else
	note torch SKIP 0 "no python3 with torch"
fi

# --- compute-sanitizer ------------------------------------------------------
# On the tests of the kernels that use shared memory and index by hand: the
# one-block and the blocked LU (Det, LogDet, Inv from n = 1 to 300; Solve),
# the products, the reductions. racecheck is much slower (on an H200,
# TestLU under racecheck did not finish in 60 s, nor TestSolve): the
# products of TestMatMul (both kernels' staging in shared memory) and the
# blocked LU of TestBlockedLUIsDgetf2 (panels, substitutions).
if command -v compute-sanitizer >/dev/null; then
	GRADCHECK_TEST_DEVICES=cuda GRADCHECK_GPU_SYNC=1 gpustep memcheck 45 \
		compute-sanitizer --tool memcheck --error-exitcode 9 \
		"$bin/gpu.test" -test.count=1 -test.run 'TestLU|TestBlockedLU|TestSolve|TestShapes|TestMatMul|TestTensorCores|TestGaussian|TestReduce'
	GRADCHECK_TEST_DEVICES=cuda GRADCHECK_GPU_SYNC=1 gpustep racecheck 60 \
		compute-sanitizer --tool racecheck --error-exitcode 9 \
		"$bin/gpu.test" -test.count=1 -test.run 'TestMatMul$|TestBlockedLUIsDgetf2'
else
	note memcheck SKIP 0 "no compute-sanitizer"
fi

# --- the GPU at n = 2048, after the sanitizers: a column of the tables only --
gpustep bench-2048-gpu 60 bench bench-2048-gpu --backend gpu --sizes 2048 --batch 132 --dirs 1

# --- ncu ----------------------------------------------------------------------
# Where the time of the GPU goes, for the report of any missed target: the
# speed of light (compute and memory throughput against the chip's peaks)
# of the blocked LU's kernels (panel, substitution, trailing product) at
# n = 300 and of the products of the kernel tests. ncu profiles the test
# binary itself: through gradcheck it would have to follow the worker
# process, which it did not (2026-12-04: "No kernels were profiled").
# Clocks are left alone (--clock-control none).
profile() {
	cd "$root/gpu" && ncu --clock-control none -k "regex:$1" --launch-skip "$2" -c "$3" \
		--section SpeedOfLight "$bin/gpu.test" -test.count=1 -test.run "$4"
}
# profile_bench KERNELS SKIP COUNT BENCH: the same on the benchmarks BENCH
# of BenchmarkKernels, run once.
profile_bench() {
	cd "$root/gpu" && ncu --clock-control none -k "regex:$1" --launch-skip "$2" -c "$3" \
		--section SpeedOfLight "$bin/gpu.test" -test.run '^$' -test.bench "$4" -test.benchtime 1x
}
export -f profile profile_bench
if command -v ncu >/dev/null; then
	GRADCHECK_TEST_DEVICES=cuda gpustep ncu-lu 60 profile 'gc_gemm|gc_lu_panel|gc_lu_trsm' 300 6 'TestLU$'
	GRADCHECK_TEST_DEVICES=cuda gpustep ncu-gemm 40 profile_bench gc_gemm 0 6 \
		'BenchmarkKernels/.*/n=1024/.*/.*/MatMul'
	GRADCHECK_TEST_DEVICES=cuda gpustep ncu-lu-1024 50 profile_bench 'gc_gemm|gc_lu_panel|gc_lu_trsm' 40 8 \
		'BenchmarkKernels/.*/n=1024/.*/dmma-async/Det$'
else
	note ncu SKIP 0 "no ncu"
fi

# --- the CPU at n = 2048, last: the least certain to fit -----------------------
step bench-2048-cpu 45 bench bench-2048-cpu --backend cpu --sizes 2048 --batch 4 --dirs 1

# --- targets: the issue's targets judged from the files above ----------------
# Not a step under the budget: it reads files only, and must run even when
# the steps have spent the budget. A missed target does not fail the run.
t0=$SECONDS
if timeout 20 python3 "$root/scripts/gpu-targets.py" "$out" >"$out/targets.md" 2>"$out/targets.log"; then
	note targets ok $((SECONDS - t0)) "$(tail -n 1 "$out/targets.md") (targets.md)"
else
	note targets FAIL $((SECONDS - t0)) "$(tail -n 1 "$out/targets.log")"
	failed=1
fi

note total "$([ $failed = 0 ] && echo ok || echo FAIL)" $((SECONDS - start)) "of ${budget}s; outputs in $out"
exit $failed
