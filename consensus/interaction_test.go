package consensus_test

import (
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/thebigfile/bigfile/consensus/consensustest"
)

// TestInteraction runs the protocol traces in testdata. Regenerate the
// expected output with: go test ./consensus -run TestInteraction -rewrite
func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		env := &consensustest.InteractionEnv{}
		datadriven.RunTest(t, path, env.Handle)
	})
}
