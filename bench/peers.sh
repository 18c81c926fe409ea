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
# runs on (gradcheck: the OpenBLAS its binary links, shared or static, as
# OpenBLAS reports its version and build, or gonum's pure Go; torch: the
# BLAS mapped into its process after a product, which for Debian's
# python3-torch is whatever libblas.so.3 points to, and what the OpenBLAS
# among them reports) and refuses to compare different ones unless
# PEERS_MIXED_BLAS=1 (then it warns).
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
# gradcheck's BLAS: OpenBLAS as the binary reports it (version and build
# options, as in "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY
# Haswell MAX_THREADS=64", then how it is linked), or gonum's pure Go.
gc_linalg=$(bin/gradcheck --version | sed -n 's/^CPU linear algebra: //p')
gc_blas=${gc_linalg%%,*}
# torch's BLAS: the BLAS libraries mapped into a process that multiplied,
# and the libopenblas among them as it reports itself.
torch_blas=$("$python" -c '
import ctypes, torch
torch.ones(64, 64) @ torch.ones(64, 64)
info = [p for p in torch.__config__.show().replace(",", "\n").split("\n") if "BLAS_INFO" in p]
libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
config = []
for lib in libs:
    get = getattr(ctypes.CDLL(lib), "openblas_get_config", None)
    if get is not None:
        get.restype = ctypes.c_char_p
        config.append(get().decode().strip())
print(" ".join(libs), "(" + (info[0].split()[-1] if info else "BLAS_INFO unknown") + ");", " ".join(sorted(set(config))) or "no OpenBLAS")')
echo "== gradcheck BLAS: $gc_linalg"
echo "== torch BLAS:     $torch_blas"
same=0
case "$gc_blas" in OpenBLAS*) case "$torch_blas" in *"; $gc_blas") same=1 ;; esac ;; esac
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
