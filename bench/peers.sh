#!/usr/bin/env bash
# peers.sh: time the same claims through PyTorch's torch.autograd.gradcheck
# and through gradcheck, side by side on this machine, and print one table
# with the ratio torch time / gradcheck time per verified instance (see
# bench/README.md for how each pairing is like for like).
#
#   bench/peers.sh                          every check and size
#   bench/peers.sh --full-sizes 16 --single-sizes 512 --json out.json
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
echo "== bin/gradcheck on $(make -s linalg); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" bench/peers_torch.py --gradcheck bin/gradcheck "$@"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
