package statemgrtest_test

import (
	"testing"

	"github.com/thebigfile/bigfile/statemgr"
	"github.com/thebigfile/bigfile/statemgr/statemgrtest"
)

func TestMemStore(t *testing.T) {
	statemgrtest.TestStore(t, func(*testing.T) statemgr.Store { return statemgr.NewMemStore() })
}
