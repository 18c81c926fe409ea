#!/usr/bin/env bash
# openblas.sh: make OpenBLAS (Debian's libopenblas-dev) available to the
# CPU backend's fast path (go build -tags openblas), installing it with
# apt-get where it is missing and this runs as root; exit 1, saying why,
# where it is missing and cannot be installed.
set -euo pipefail

# have reports whether the C compiler links -lopenblas, as cgo will (the
# ldconfig cache can list a library that was removed).
have() { echo 'int main(void) { return 0; }' | "${CC:-gcc}" -x c - -lopenblas -o /dev/null 2>/dev/null; }

have && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "openblas.sh: libopenblas-dev is not installed (install it as root: apt-get install libopenblas-dev)" >&2
	exit 1
fi
echo "openblas.sh: installing libopenblas-dev" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq libopenblas-dev >/dev/null 2>&1 ||
	{ apt-get update -qq && apt-get install -y -qq libopenblas-dev >/dev/null; }
have
