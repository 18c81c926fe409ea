#!/usr/bin/env bash
# gpu-check_test.sh: on a machine without a GPU (make test), check that
# scripts/gpu-check.sh fails within 30 s, with exit status 1 and one line on
# stderr that says why, nothing on stdout, and the reason in the summary.
# Where the driver is installed it says so and checks nothing.
set -uo pipefail
cd "$(dirname "$0")/.."

if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' || [ -e /usr/local/nvidia/lib64/libcuda.so.1 ]; then
	echo "gpu-check_test.sh: SKIPPED, this machine has the NVIDIA driver"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
t0=$SECONDS
timeout 30 scripts/gpu-check.sh "$dir/out" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
dt=$((SECONDS - t0))
fail() {
	echo "gpu-check_test.sh: FAIL: $*"
	echo "  stdout: $(cat "$dir/stdout")"
	echo "  stderr: $(cat "$dir/stderr")"
	exit 1
}
[ $rc = 1 ] || fail "exit status $rc after ${dt}s, want 1"
[ ! -s "$dir/stdout" ] || fail "it wrote to stdout"
[ "$(wc -l <"$dir/stderr")" = 1 ] || fail "stderr has $(wc -l <"$dir/stderr") lines, want 1"
grep -q '^gpu-check: no GPU here: .*libcuda\.so\.1' "$dir/stderr" || fail "stderr does not say that there is no GPU"
grep -q '^gpu .*FAIL.*no GPU here' "$dir/out/summary.txt" || fail "the summary does not say it: $(cat "$dir/out/summary.txt")"
echo "gpu-check_test.sh: ok, failed in ${dt}s: $(cat "$dir/stderr")"
