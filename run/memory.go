package run

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// memShare is the share of the available memory that the default --mem
// gives one chunk of instances: the chunk's perturbed copies, with room
// left for the Go heap's garbage and for the rest of the machine.
const memShare = 4

// DefaultMemBytes returns the default memory budget of one chunk of
// instances (gradcheck.Settings.MemBytes, --mem): a quarter of the memory
// available now (MemAvailable of /proc/meminfo), at least 256 MiB; 2 GiB
// where that cannot be read.
func DefaultMemBytes() int64 {
	avail, ok := memAvailable()
	if !ok {
		return 2 << 30
	}
	return max(avail/memShare, 256<<20)
}

// memAvailable reads MemAvailable, in bytes, from /proc/meminfo (Linux).
func memAvailable() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// MemAvailable:   23652188 kB
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 && fields[0] == "MemAvailable:" && fields[2] == "kB" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			return kb << 10, err == nil && kb > 0
		}
	}
	return 0, false
}
