package cpu

import (
	"testing"

	"github.com/gradcheck/gradcheck/backend/backendtest"
)

// TestConformance runs the conformance suite of package backend, with
// poisoned storage (see TestMain).
func TestConformance(t *testing.T) { backendtest.Run(t, New()) }
