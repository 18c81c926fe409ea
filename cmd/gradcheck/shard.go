package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	gcrun "github.com/gradcheck/gradcheck/run"
)

// shardValue is the --shard flag, I/N.
type shardValue struct {
	spec *gcrun.Shard
}

func (v *shardValue) Type() string { return "I/N" }

func (v *shardValue) String() string {
	if v == nil || v.spec == nil {
		return ""
	}
	return v.spec.String()
}

func (v *shardValue) Set(s string) error {
	sh, err := gcrun.ParseShard(s)
	if err != nil {
		for part := range strings.SplitSeq(s, "/") {
			if _, e := strconv.Atoi(strings.TrimSpace(part)); errors.Is(e, strconv.ErrRange) {
				return fmt.Errorf("%s is out of range: INDEX and COUNT are at most %d", strings.TrimSpace(part), math.MaxInt)
			}
		}
		return err
	}
	sh.From = "--shard"
	v.spec = &sh
	return nil
}

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// shardOf returns the shard this process runs, or nil for an unsharded
// run (run.ChooseShard); cmd names the command for error messages.
func (c *commonFlags) shardOf(cmd string) (*gcrun.Shard, error) {
	nFlag := 0
	if c.fs.Changed("shards") {
		nFlag = c.shards
	}
	sh, err := gcrun.ChooseShard(c.shard.spec, nFlag, getenv)
	if err != nil {
		return nil, usageErrorf(cmd, "%v", err)
	}
	return sh, nil
}
