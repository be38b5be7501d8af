package consensus_test

import (
	"os"
	"strconv"
	"testing"
)

func TestDebugSeed(t *testing.T) {
	v := os.Getenv("DEBUG_SEED")
	if v == "" {
		t.Skip()
	}
	seed, _ := strconv.ParseUint(v, 10, 64)
	s := newSchedule(seed)
	s.opts.Log = true
	s.opts.Verbose = true
	t.Log(s)
	debugLog = func(l string) { t.Log(l) }
	t.Log(runSchedule(s))
}
