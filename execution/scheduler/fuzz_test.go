package scheduler_test

import (
	"encoding/binary"
	"testing"

	"github.com/thebigfile/bigfile"
)

// FuzzRounds runs a workload decoded from the input (receivers, call
// depths, targets, instruction burns, messages per round) with one worker
// and with three, with a small slice so that executions pause: every
// ingress message must be answered and both runs must agree byte for
// byte.
func FuzzRounds(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{0xff, 0x00, 0x80, 0x7f, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc})
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		const cubes = 6
		var batches [][]bigfile.Ingress
		var cur []bigfile.Ingress
		for i := 0; i+4 <= len(data) && i < 4*200; i += 4 {
			b := data[i : i+4]
			recv := bigfile.CubeID(1 + int(b[0])%cubes)
			target := bigfile.CubeID(1 + int(b[1])%(cubes+1)) // sometimes missing
			depth := b[2] % 4
			burn := uint32(binary.LittleEndian.Uint16([]byte{b[3], 0})) * 3
			cur = append(cur, bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: recv.Principal(), Method: "work",
				Arg: workArg(target, depth, burn), Nonce: binary.BigEndian.AppendUint32(nil, uint32(i))})
			if b[3]%5 == 0 {
				batches = append(batches, cur)
				cur = nil
			}
		}
		batches = append(batches, cur)
		n := 0
		for _, b := range batches {
			n += len(b)
		}
		st1, out1, got1 := transcriptNoPauseCheck(t, 1, batches, cubes, n)
		st3, out3, got3 := transcriptNoPauseCheck(t, 3, batches, cubes, n)
		if got1 != n || got3 != n {
			t.Fatalf("answered %d and %d of %d", got1, got3, n)
		}
		if st1 != st3 || out1 != out3 {
			t.Fatal("one and three workers disagree")
		}
	})
}
