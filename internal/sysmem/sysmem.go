package sysmem

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// Available returns MemAvailable of /proc/meminfo in bytes: the memory
// the kernel can give a new program without swapping (Linux). It reports
// false where that cannot be read.
func Available() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return parse(f)
}

// parse reads MemAvailable from the text of /proc/meminfo.
func parse(r io.Reader) (int64, bool) {
	sc := bufio.NewScanner(r)
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
