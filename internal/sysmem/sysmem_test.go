package sysmem

import (
	"os"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		bytes      int64
		ok         bool
	}{
		{"meminfo", "MemTotal:       24564132 kB\nMemFree:         1234 kB\nMemAvailable:   23652188 kB\n", 23652188 << 10, true},
		{"missing", "MemTotal:       24564132 kB\n", 0, false},
		{"other unit", "MemAvailable:   23652188 MB\n", 0, false},
		{"zero", "MemAvailable:   0 kB\n", 0, false},
		{"not a number", "MemAvailable:   lots kB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bytes, ok := parse(strings.NewReader(tt.text))
			if ok != tt.ok || ok && bytes != tt.bytes {
				t.Errorf("%d, %v; want %d, %v", bytes, ok, tt.bytes, tt.ok)
			}
		})
	}
}

// TestAvailable checks the machine's own figure where it has one: more
// than nothing, less than the machine's total.
func TestAvailable(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("no /proc/meminfo here")
	}
	avail, ok := Available()
	if !ok || avail <= 0 || avail > 1<<50 {
		t.Errorf("Available() = %d, %v", avail, ok)
	}
}
