package statemgr_test

import (
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
	"github.com/thebigfile/bigfile/statemgr/statemgrtest"
)

// Example runs two rounds, certifies the second and answers a read_state
// request for a request status with a certificate.
func Example() {
	key := statemgrtest.FakeKey{1} // a replica uses the subnet's threshold BLS key
	sm, err := statemgr.Open(statemgr.Config{Store: statemgr.NewMemStore(), Signer: key})
	if err != nil {
		panic(err)
	}
	call := bigfile.MessageID{0xab}
	for h := bigfile.Height(1); h <= 2; h++ {
		s := sm.State()
		s.SetTime(bigfile.Time(1_700_000_000_000_000_000 + h))
		_ = s.WritePage(bigfile.CubeID(1), 0, []byte("cube memory"))
		status := "processing"
		if h == 2 {
			status = "replied"
		}
		s.SetRequestStatus(call, statemgr.RequestStatus{Status: status, Reply: []byte("DIDL\x00\x00")})
		if _, err := sm.Commit(h); err != nil {
			panic(err)
		}
	}
	if _, err := sm.Certify(2); err != nil {
		panic(err)
	}

	enc, err := sm.Certified().Certificate(statemgr.RequestStatusPath(call))
	if err != nil {
		panic(err)
	}
	cert, _ := hashtree.DecodeCertificate(enc)
	v, st := cert.Tree.Lookup(append(statemgr.RequestStatusPath(call), []byte("status"))...)
	fmt.Println(st, string(v))
	t, _ := cert.Time()
	fmt.Println(uint64(t))
	_, st = cert.Tree.Lookup(statemgr.CubePath(1, "certified_data")...)
	fmt.Println("unrequested path:", st)
	// Output:
	// found replied
	// 1700000000000000002
	// unrequested path: unknown
}
