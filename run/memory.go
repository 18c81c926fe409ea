package run

import (
	"fmt"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/bench"
	"github.com/gradcheck/gradcheck/internal/sysmem"
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
	avail, ok := sysmem.Available()
	if !ok {
		return 2 << 30
	}
	return max(avail/memShare, 256<<20)
}

// CheckMemory refuses, before anything runs, a run in which one instance
// of some resolved target needs more memory than s.MemBytes (--mem) allows
// or the machine has available: not even a chunk of one instance would
// fit. Below that, a batch runs in chunks that fit. Its one-line message
// names the claim at its sizes and advises what would make it fit: lower
// --size (or --dirs), and raise --mem only where --mem, not the machine,
// is what binds.
func CheckMemory(targets []Target, s gradcheck.Settings) error {
	avail, known := sysmem.Available()
	for _, t := range targets {
		if t.Resolved == nil || t.Resolved.Claim.Invalid != nil {
			continue
		}
		need, err := gradcheck.InstanceBytes(t.Resolved, s)
		if err != nil {
			continue // the claim's verification reports it
		}
		if need <= s.MemBytes && (!known || need <= avail) {
			continue
		}
		return fmt.Errorf("%s: one instance needs %s, %s", nameAt(t.Claim.Name, t.Resolved.Sizes), bench.FormatNeed(need), limits(need, s.MemBytes, avail, known))
	}
	return nil
}

// limits says what one instance that needs need bytes does not fit in,
// and what would make it fit. Where the machine has less available than
// it needs, raising --mem cannot help, and is not advised: --mem 1TiB
// on a machine of 23 GiB said "raise --mem".
func limits(need, mem, avail int64, known bool) string {
	switch {
	case !known:
		return fmt.Sprintf("but --mem allows %s (the memory available is unknown); lower --size (or --dirs), or raise --mem", bench.FormatBytes(float64(mem)))
	case need > avail:
		return fmt.Sprintf("but the machine has only %s available (--mem allows %s); lower --size (or --dirs)", bench.FormatBytes(float64(avail)), bench.FormatBytes(float64(mem)))
	}
	return fmt.Sprintf("but --mem allows %s (the machine has %s available); lower --size (or --dirs), or raise --mem", bench.FormatBytes(float64(mem)), bench.FormatBytes(float64(avail)))
}
