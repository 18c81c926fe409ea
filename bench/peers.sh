#!/usr/bin/env bash
# peers.sh: time the same claims through PyTorch's torch.autograd.gradcheck
# and through gradcheck, side by side on this machine, and print one table
# with the ratio torch time / gradcheck time per verified instance (see
# bench/README.md for how each pairing is like for like).
#
#   bench/peers.sh                          every check and size (issue 15's comparison)
#   bench/peers.sh --full-sizes 16 --single-sizes 512 --json out.json
#
# Both sides must run on the same BLAS: it names the library each side
# loads (gradcheck: the libopenblas its binary links, or gonum's pure Go;
# torch: the BLAS mapped into its process after a product, which for
# Debian's python3-torch is whatever libblas.so.3 points to) and refuses to
# compare different ones unless PEERS_MIXED_BLAS=1 (then it warns).
#
# It installs Debian's python3-torch if the system Python lacks torch, and
# builds bin/gradcheck with `make build`
# (OpenBLAS when libopenblas-dev is installed: scripts/bench-openblas.sh
# installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

python=/usr/bin/python3
if ! "$python" -c 'import torch' 2>/dev/null; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	if ! apt-cache policy python3-torch | grep -q 'Candidate: [0-9]'; then
		echo "peers.sh: no python3-torch package in the configured Debian repositories" >&2
		exit 1
	fi
	echo "peers.sh: installing python3-torch" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-torch
fi

make -s build
# gradcheck's BLAS: the file its binary loads for libopenblas, if any.
gc_blas=$(ldd bin/gradcheck | awk '/libopenblas/ {print $3}')
if [ -n "$gc_blas" ]; then gc_blas=$(readlink -f "$gc_blas"); else gc_blas="none (gonum, pure Go)"; fi
# torch's BLAS: the BLAS libraries mapped into a process that multiplied.
torch_blas=$("$python" -c '
import torch
torch.ones(64, 64) @ torch.ones(64, 64)
info = [p for p in torch.__config__.show().replace(",", "\n").split("\n") if "BLAS_INFO" in p]
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
print(" ".join(libs), "(" + (info[0].split()[-1] if info else "BLAS_INFO unknown") + ")")')
echo "== gradcheck BLAS: $gc_blas"
echo "== torch BLAS:     $torch_blas"
same=0
case "$gc_blas" in /*) case "$torch_blas" in *"$gc_blas"*) same=1 ;; esac ;; esac
if [ "$same" != 1 ]; then
	msg="the two sides use different BLAS libraries: the comparison would not be like for like (install libopenblas-dev, whose libblas.so.3 alternative torch then uses, and rebuild with make build)"
	if [ "${PEERS_MIXED_BLAS:-0}" != 1 ]; then
		echo "peers.sh: $msg; set PEERS_MIXED_BLAS=1 to compare anyway" >&2
		exit 1
	fi
	echo "peers.sh: WARNING: $msg" >&2
fi
echo "== bin/gradcheck on $(make -s linalg); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" bench/peers_torch.py --gradcheck bin/gradcheck "$@"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
