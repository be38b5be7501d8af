package dkg_test

import (
	"bytes"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
	"github.com/thebigfile/bigfile/chainkey/dkg"
)

// Decoders reject malformed input or accept exactly their own encoding.
func FuzzDecode(f *testing.F) {
	nodes := chainkeytest.NewNodes(8, 3)
	run, err := chainkeytest.RunDKG(8, nodes, 2)
	if err != nil {
		f.Fatal(err)
	}
	db, _ := run.Dealings[0].MarshalBinary()
	tb, _ := run.Transcript.MarshalBinary()
	f.Add(db)
	f.Add(tb)
	f.Add(db[:60])
	f.Add([]byte{1, 0, 0, 0, 0})
	cp := make([]byte, dkg.ComplaintSize)
	cp[0] = 1
	f.Add(cp)
	f.Fuzz(func(t *testing.T, data []byte) {
		var d dkg.Dealing
		if err := d.UnmarshalBinary(data); err == nil {
			out, err := d.MarshalBinary()
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("dealing: accepted non-canonical input (%v)", err)
			}
			// Public verification must not panic on decoded junk.
			_ = run.Config.VerifyDealing(&d)
		}
		var tr dkg.Transcript
		if err := tr.UnmarshalBinary(data); err == nil {
			out, err := tr.MarshalBinary()
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("transcript: accepted non-canonical input (%v)", err)
			}
		}
		var c dkg.Complaint
		if err := c.UnmarshalBinary(data); err == nil {
			out, _ := c.MarshalBinary()
			if !bytes.Equal(out, data) {
				t.Fatal("complaint: accepted non-canonical input")
			}
			_ = run.Config.VerifyComplaint(run.Dealings[0], &c)
		}
	})
}
