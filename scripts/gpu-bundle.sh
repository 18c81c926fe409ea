#!/usr/bin/env bash
# gpu-bundle.sh: build what a GPU machine without a Go toolchain needs to
# run scripts/gpu-check.sh, into bin/ (make gpu-bundle):
#
#   bin/gradcheck        the command, CPU backend on OpenBLAS linked
#                        statically when libopenblas.a is installed (else
#                        pure Go), the reference of `bench --backend cpu,gpu`
#   bin/gradcheck-cuda   the GPU worker (-tags cuda)
#   bin/gpu.test         the GPU backend's tests, compiled with -tags cuda:
#                        every test runs on the emulation and on GPU 0
#   bin/BUNDLE           what was built, from which commit, and each file's
#                        dynamic libraries and newest glibc symbol version
#   bin/gpu-bundle.tgz   the four above in one gzip archive (16 MB against
#                        53 MB), which is what travels: scripts/gpu-check.sh
#                        unpacks it where the files themselves are missing
#
# Each must need nothing at run time but the driver's libcuda.so.1 and
# glibc (libc, libm, libpthread, libdl, librt, the loader): the script
# reads every file's NEEDED list with readelf and fails otherwise, and
# fails when the archive and the tracked files together exceed 60 MiB (what
# travels to a lent GPU machine is at most 64 MiB, the working tree
# included; the rest is left for untracked files). The files unpacked
# would not fit beside the tracked files (58.8 MB of 62.9 on 2026-12-06),
# so only the archive is carried.
set -euo pipefail
cd "$(dirname "$0")/.."

out=bin
limit=$((60 << 20))
allowed='^(libcuda\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux-x86-64\.so\.2)$'

log() { echo "gpu-bundle.sh: $*" >&2; }

mkdir -p "$out"
eval "$(scripts/cuda-headers.sh)"
# Only the -L of the cache (whose stub libcuda.so links): its rpath is of
# no use on another machine.
cuda_ld=${CGO_LDFLAGS%% *}

if echo 'int main(void) { return 0; }' | gcc -x c - -Wl,-Bstatic -lopenblas -Wl,-Bdynamic -lm -lpthread -o /dev/null 2>/dev/null; then
	log "bin/gradcheck: OpenBLAS, linked statically"
	CGO_LDFLAGS="-Wl,-Bstatic -lopenblas -Wl,-Bdynamic -lm -lpthread" \
		go build -tags openblas -ldflags=-s -o "$out/gradcheck" ./cmd/gradcheck
	cpu="OpenBLAS (static)"
else
	log "bin/gradcheck: pure Go (no libopenblas.a: install libopenblas-dev for OpenBLAS)"
	CGO_ENABLED=0 go build -ldflags=-s -o "$out/gradcheck" ./cmd/gradcheck
	cpu="gonum, pure Go"
fi
log "bin/gradcheck-cuda"
CGO_LDFLAGS="$cuda_ld" go build -tags cuda -ldflags=-s -o "$out/gradcheck-cuda" ./cmd/gradcheck
log "bin/gpu.test"
CGO_LDFLAGS="$cuda_ld" go test -tags cuda -c -ldflags='-s "-extldflags=-static-libstdc++ -static-libgcc"' \
	-o "$out/gpu.test" ./gpu/

files=("$out/gradcheck" "$out/gradcheck-cuda" "$out/gpu.test")
{
	echo "gradcheck GPU bundle, built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "bin/gradcheck CPU linear algebra: $cpu"
} >"$out/BUNDLE"
bad=0
for f in "${files[@]}"; do
	needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	glibc=$(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 || true)
	echo "$f $(stat -c %s "$f") bytes; needs: ${needed:-nothing (static)}; newest symbol: ${glibc:-none}" >>"$out/BUNDLE"
	for lib in $needed; do
		if ! [[ $lib =~ $allowed ]]; then
			log "$f needs $lib, which a GPU machine may not have (only libcuda.so.1 and glibc are allowed)"
			bad=1
		fi
	done
done
total=$(cat "${files[@]}" | wc -c)
tracked=$(git ls-files -z | xargs -0 cat 2>/dev/null | wc -c)
echo "total $total bytes unpacked" >>"$out/BUNDLE"
archive=$out/gpu-bundle.tgz
tar -C "$out" -cf - BUNDLE "${files[@]#"$out/"}" | gzip -6 >"$archive.tmp" && mv "$archive.tmp" "$archive"
packed=$(stat -c %s "$archive")
log "$archive: $packed bytes, with the $tracked bytes of the tracked files $((packed + tracked)) (limit $limit)"
if [ $((packed + tracked)) -gt "$limit" ]; then
	log "the archive ($packed bytes) and the tracked files ($tracked) are more than $limit bytes together"
	bad=1
fi
cat "$out/BUNDLE" >&2
exit $bad
