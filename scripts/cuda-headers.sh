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
# /etc/apt/sources.list.d/gradcheck-non-free.sources) when no source has it,
# on the mirror (and keyring) of the machine's existing source of the
# release; that, and apt-get update, need root. Set CUDA_CACHE to choose the cache
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

# mirror prints the URI and keyring of the first apt source of the
# release's main suite (deb822 *.sources or one-line *.list files), so that
# the non-free component is fetched from the mirror the machine already uses.
mirror() {
	awk -v suite="$VERSION_CODENAME" '
		function flush() {
			if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && (" " suites " ") ~ (" " suite " ") && uri != "" && !found) {
				print uri, (key == "" ? "-" : key); found = 1
			}
			types = suites = uri = key = ""
		}
		FNR == 1 { flush() }
		/^[[:space:]]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
		/^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
		/^URIs:/ { uri = $2 }
		/^Signed-By:/ { key = $2 }
		/^deb[[:space:]]/ {
			line = $0; k = ""
			if (match(line, /signed-by=[^] ]+/)) { k = substr(line, RSTART + 10, RLENGTH - 10) }
			gsub(/\[[^]]*\]/, "", line); split(line, f, /[[:space:]]+/)
			if (f[3] == suite && !found) { print f[2], (k == "" ? "-" : k); found = 1 }
		}
		END { flush() }
	' "$@" 2>/dev/null
}

# The non-free component, if no source has it yet.
if ! grep -rqsE '^[[:space:]]*(Components:.*[[:space:]]non-free([[:space:]]|$)|deb[[:space:]].*[[:space:]]non-free([[:space:]]|$))' \
	/etc/apt/sources.list /etc/apt/sources.list.d/; then
	read -r uri key < <(mirror $(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null) || true) || true
	if [ -z "${uri:-}" ]; then
		log "no apt source of $VERSION_CODENAME found to add the non-free component to"
		exit 1
	fi
	log "adding the non-free component of $uri to apt's sources"
	{
		echo "Types: deb"
		echo "URIs: $uri"
		echo "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates"
		echo "Components: non-free"
		[ "$key" = - ] || echo "Signed-By: $key"
	} >/etc/apt/sources.list.d/gradcheck-non-free.sources
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
