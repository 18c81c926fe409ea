#!/usr/bin/env bash
# cuda-headers.sh: fetch what the `cuda` build of gradcheck needs from Debian
# bookworm's non-free CUDA 11.8 packages — headers, the link stubs of the
# driver and runtime, and NVRTC with its builtins — without installing
# them: the packages are downloaded with `apt-get download` and only those
# files are extracted into a cache directory (default .cache/cuda in the
# repository, git-ignored). It then prints the environment to build with:
#
#   eval "$(scripts/cuda-headers.sh)"
#   go vet -tags cuda ./...
#   go build -tags cuda ./gpu/...
#
# NVRTC needs no GPU and no driver, so the PTX generator runs on any such
# machine (go generate ./kernels). The driver stub (libcuda.so) only lets
# binaries link; they run where the NVIDIA driver is installed.
#
# The non-free component is added to apt's sources (a file of its own,
# /etc/apt/sources.list.d/gradcheck-non-free.sources) when no source has it;
# that, and apt-get update, need root. Set CUDA_CACHE to choose the cache
# directory. Running the script again only prints the environment.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${CUDA_CACHE:-$root/.cache/cuda}

print_env() {
	echo "export CGO_CFLAGS='-I$dest/include'"
	echo "export CGO_LDFLAGS='-L$dest/lib -Wl,-rpath,$dest/lib'"
	echo "export LD_LIBRARY_PATH='$dest/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}'"
}

if [ -f "$dest/.complete" ]; then
	print_env
	exit 0
fi

. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
	echo "cuda-headers.sh: made for Debian bookworm, this is ${PRETTY_NAME:-unknown}" >&2
	exit 1
fi

log() { echo "cuda-headers.sh: $*" >&2; }

# The non-free component, if no source has it yet.
if ! grep -rqsE '^[[:space:]]*(Components:.*[[:space:]]non-free([[:space:]]|$)|deb[[:space:]].*[[:space:]]non-free([[:space:]]|$))' \
	/etc/apt/sources.list /etc/apt/sources.list.d/; then
	log "adding the non-free component to apt's sources"
	cat >/etc/apt/sources.list.d/gradcheck-non-free.sources <<-EOF
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: non-free
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	apt-get update -qq >&2
fi

# The packages: headers and stubs (nvidia-cuda-dev), and NVRTC, whose
# package names carry their sonames (libnvrtc.so.11.2 with builtins 11.8 on
# bookworm); look them up instead of guessing.
pkgs=(nvidia-cuda-dev)
for pattern in '^libnvrtc[0-9.]+$' '^libnvrtc-builtins[0-9.]+$'; do
	name=$(apt-cache pkgnames | grep -E "$pattern" | sort -V | tail -n 1 || true)
	if [ -z "$name" ]; then
		log "no package matches $pattern; is non-free enabled (apt-get update)?"
		exit 1
	fi
	pkgs+=("$name")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "downloading ${pkgs[*]}"
start=$SECONDS
# apt's sandbox user must be able to write into the download directory.
chmod 755 "$work"
chown _apt "$work" 2>/dev/null || true
(cd "$work" && apt-get download -q "${pkgs[@]}" >&2)
log "downloaded $(du -ch "$work"/*.deb | tail -n 1 | cut -f1) in $((SECONDS - start)) s"

rm -rf "$dest"
mkdir -p "$dest/include" "$dest/lib"
# Only what the build needs is extracted (nvidia-cuda-dev unpacks to 2.8 GB,
# mostly static libraries): CUDA's headers, which Debian installs into
# /usr/include (cuda.h, nvrtc.h and what they include), the driver's link
# stub, the PTX assembler library (with which the PTX generator checks that
# its output assembles, as the driver will), and NVRTC with its builtins.
start=$SECONDS
lib=./usr/lib/x86_64-linux-gnu
dpkg-deb --fsys-tarfile "$work"/nvidia-cuda-dev_*.deb |
	tar -x -C "$work" ./usr/include "$lib/stubs/libcuda.so" "$lib/libnvptxcompiler_static.a"
cp -a "$work/usr/include/." "$dest/include/"
cp -a "$work/$lib/stubs/libcuda.so" "$work/$lib/libnvptxcompiler_static.a" "$dest/lib/"
for deb in "$work"/libnvrtc*.deb; do
	dpkg-deb -x "$deb" "$work/nvrtc"
done
cp -a "$work/nvrtc/$lib"/libnvrtc*.so* "$dest/lib/"
ln -s "$(cd "$dest/lib" && ls libnvrtc.so.* | sort -V | head -n 1)" "$dest/lib/libnvrtc.so"
log "extracted in $((SECONDS - start)) s"
touch "$dest/.complete"
log "extracted into $dest ($(du -sh "$dest" | cut -f1))"
print_env
