package gradcheck

import (
	"context"
	"reflect"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestMatrixFunctionsPerInstance checks that the claims with e^X and
// log X give the same result whether the instances are verified in one
// chunk or one at a time (a memory budget that fits one instance): their
// scaling was chosen for the whole chunk, so that an instance's numbers,
// and with them a sharded run's and `--instance K`'s, depended on the
// instances beside it (diff-logm-unit at n = 8, seed 7).
func TestMatrixFunctionsPerInstance(t *testing.T) {
	claims, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"diff-expm": true, "diff-logm": true, "diff-logm-spd": true, "diff-logm-unit": true}
	b := cpu.New()
	for _, c := range claims {
		if !want[c.Name] {
			continue
		}
		delete(want, c.Name)
		for _, seed := range []uint64{1, 7} {
			s := DefaultSettings()
			s.Sizes, s.Seed = map[string]int{"n": 8}, seed
			whole := Verify(context.Background(), b, c, s)
			s.MemBytes = 1 // one instance per chunk
			alone := Verify(context.Background(), b, c, s)
			if !reflect.DeepEqual(whole, alone) {
				t.Errorf("%s seed %d: one chunk and one instance at a time differ:\n%+v\n%+v", c.Name, seed, whole, alone)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("not in the registry: %v", want)
	}
}
