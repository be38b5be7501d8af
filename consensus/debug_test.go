package consensus_test

import (
	"os"
	"strconv"
	"testing"
)

// TestDebugSeed replays one simulation schedule with the event log on, for
// investigating a failing seed:
//
//	DEBUG_SEED=170 go test ./consensus -run TestDebugSeed -v
//
// It is skipped unless DEBUG_SEED is set.
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
