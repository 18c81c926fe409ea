#!/usr/bin/env bash
# gpu-check_test.sh: on a machine without a GPU (make test), check that
# scripts/gpu-check.sh
#
#   1. fails within 30 s, with exit status 1 and one line on stderr that
#      says why, nothing on stdout, and the reason in the summary;
#   2. given a libcuda.so.1 that cannot load (an empty file, found through
#      LD_LIBRARY_PATH) and the archive of make gpu-bundle
#      (bin/gpu-bundle.tgz, what travels to a GPU machine), unpacks the
#      archive, runs the worker from it, reports the loader's own words
#      for its failure, skips the GPU's steps, and removes what it unpacked.
#
# Where the driver is installed it says so and checks nothing.
set -uo pipefail
cd "$(dirname "$0")/.."

if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' || [ -e /usr/local/nvidia/lib64/libcuda.so.1 ]; then
	echo "gpu-check_test.sh: SKIPPED, this machine has the NVIDIA driver"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() {
	echo "gpu-check_test.sh: FAIL: $*"
	echo "  stdout: $(cat "$dir/stdout")"
	echo "  stderr: $(cat "$dir/stderr")"
	exit 1
}

# 1. No driver.
t0=$SECONDS
timeout 30 scripts/gpu-check.sh "$dir/out" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
dt=$((SECONDS - t0))
[ $rc = 1 ] || fail "exit status $rc after ${dt}s, want 1"
[ ! -s "$dir/stdout" ] || fail "it wrote to stdout"
[ "$(wc -l <"$dir/stderr")" = 1 ] || fail "stderr has $(wc -l <"$dir/stderr") lines, want 1"
grep -q '^gpu-check: no GPU here: .*libcuda\.so\.1' "$dir/stderr" || fail "stderr does not say that there is no GPU"
grep -q '^gpu .*FAIL.*no GPU here' "$dir/out/summary.txt" || fail "the summary does not say it: $(cat "$dir/out/summary.txt")"
echo "gpu-check_test.sh: ok, failed in ${dt}s: $(cat "$dir/stderr")"

# 2. A driver that cannot load, and the bundle as it travels: the archive
# alone, in a folder of its own (GPU_BUNDLE).
[ -f bin/gpu-bundle.tgz ] || fail "bin/gpu-bundle.tgz is missing: run make gpu-bundle first"
mkdir -p "$dir/driver" "$dir/carried" && : >"$dir/driver/libcuda.so.1"
cp bin/gpu-bundle.tgz "$dir/carried/"
t0=$SECONDS
LD_LIBRARY_PATH=$dir/driver GPU_BUNDLE=$dir/carried GPU_CHECK_BUDGET=25 TMPDIR=$dir \
	timeout 60 scripts/gpu-check.sh "$dir/out2" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
dt=$((SECONDS - t0))
summary=$dir/out2/summary.txt
[ $rc = 1 ] || fail "exit status $rc after ${dt}s with a driver that cannot load, want 1"
grep -q '^bundle .* ok .*unpacked .*gpu-bundle\.tgz (gradcheck GPU bundle' "$summary" ||
	fail "the summary does not say the archive was unpacked: $(cat "$summary")"
grep -q '^worker .*FAIL.*gradcheck-bundle\.[^/]*/gradcheck-cuda: .*libcuda\.so\.1: file too short' "$summary" ||
	fail "the worker's line does not hold the loader's words: $(grep '^worker' "$summary")"
grep -q '^gpu-check: the worker did not start: .*file too short' "$dir/stderr" || fail "stderr does not say why the worker did not start"
grep -q '^gpu-tests .*SKIP.*the worker did not start' "$summary" || fail "the GPU tests were not skipped: $(grep '^gpu-tests' "$summary")"
! ls -d "$dir"/gradcheck-bundle.* >/dev/null 2>&1 || fail "the unpacked bundle was left behind"
echo "gpu-check_test.sh: ok, with a driver that cannot load it ran the worker from the archive and stopped in ${dt}s: $(grep '^worker ' "$summary" | tr -s ' ')"
