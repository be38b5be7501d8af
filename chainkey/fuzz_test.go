package chainkey_test

import (
	"bytes"
	"testing"

	"github.com/thebigfile/bigfile/chainkey"
)

func FuzzBeacon(f *testing.F) {
	ks := keys(f, 2, 3)
	gm, _ := chainkey.GenesisMessage(ks[0].PublicKey())
	b := chainkey.Beacon{Signature: thresholdSign(f, ks, []int{0, 1}, gm)}
	enc, _ := b.MarshalBinary()
	f.Add(enc)
	f.Add(enc[:20])
	f.Add(make([]byte, chainkey.BeaconSize))
	share, _ := ks[1].SignShare([]byte("m"))
	f.Add(share)
	f.Fuzz(func(t *testing.T, data []byte) {
		var b chainkey.Beacon
		if err := b.UnmarshalBinary(data); err == nil {
			out, err := b.MarshalBinary()
			if err != nil || !bytes.Equal(out, data) {
				t.Fatal("beacon: accepted non-canonical input")
			}
		}
		// Share and signature decoders behind the byte API never panic.
		_ = ks[0].VerifyShare([]byte("m"), data)
		_ = ks[0].Verify([]byte("m"), data)
		_, _ = ks[0].Combine([]byte("m"), [][]byte{data, share})
	})
}
