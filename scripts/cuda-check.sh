#!/usr/bin/env bash
# cuda-check.sh: the checks of the `cuda` build that need no GPU, against
# the CUDA 11.8 headers and stubs of scripts/cuda-headers.sh: vet and build
# everything with the tag cuda, compile the GPU backend's tests for a GPU
# machine, and check that the committed PTX is exactly what NVRTC makes of
# the kernel sources and that it assembles for sm_75 and sm_90.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/cuda-headers.sh)"
set -x
go vet -tags cuda ./...
go build -tags cuda ./gpu/...
go build -tags cuda -o /dev/null ./cmd/gradcheck
go test -tags cuda -c -o /dev/null ./gpu/
go test -count=1 -tags cuda ./kernels/...
