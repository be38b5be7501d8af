package routing_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
)

func sampleSlice() *routing.Slice {
	return &routing.Slice{
		From: subnetA, To: subnetB, Height: 7,
		Header: routing.StreamHeader{Begin: 3, End: 6, SignalsEnd: 9, RejectSignals: []uint64{4, 8}},
		Begin:  4,
		Messages: []routing.Message{
			routing.RequestMessage(bigfile.Request{Sender: 1, Receiver: bigfile.CubeID(100).Principal(), Method: "double",
				Arg: []byte{1, 2, 3}, Cycles: bigfile.Cycles{Hi: 1, Lo: 300}, Callback: 17, Deadline: 5}),
			routing.ResponseMessage(bigfile.Response{Originator: 2, Respondent: bigfile.ManagementCube, Callback: 1 << 40,
				Refund: bigfile.CyclesFromUint64(9), Reject: bigfile.RejectCanisterReject, RejectMessage: "no ✓"}),
		},
		Certification: []byte("cert"),
	}
}

var sliceCmp = cmp.Options{cmpopts.IgnoreUnexported(routing.Slice{}), cmp.Comparer(func(a, b bigfile.Principal) bool { return a == b }),
	cmpopts.EquateEmpty()}

func TestSliceRoundTrip(t *testing.T) {
	s := sampleSlice()
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := routing.DecodeSlice(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, got, sliceCmp); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
	if got.Digest() != s.Digest() {
		t.Fatal("digest of the decoded slice differs")
	}
	// The certification is not part of the digest.
	s.Certification = []byte("other")
	if got.Digest() != s.Digest() {
		t.Fatal("digest depends on the certification")
	}
	s.Messages[0].Request.Callback++
	if got.Digest() == s.Digest() {
		t.Fatal("digest ignores a message field")
	}
}

// TestSliceGolden pins the version 1 encoding byte for byte.
func TestSliceGolden(t *testing.T) {
	s := &routing.Slice{From: subnetA, To: subnetB, Height: 2, Header: routing.StreamHeader{End: 1},
		Messages: []routing.Message{routing.RequestMessage(bigfile.Request{Sender: 1, Receiver: bigfile.CubeID(100).Principal(), Method: "m", Callback: 3})}}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("BXS\x01")
	want = append(want, 29)
	want = append(want, subnetA.Bytes()...)
	want = append(want, 29)
	want = append(want, subnetB.Bytes()...)
	want = append(want, 2, 0, 1, 0, 0) // height, begin, end, signals end, no reject signals
	want = append(want, 0, 1)          // messages from 0, one of them
	want = append(want, 1, 1, 10, 0, 0, 0, 0, 0, 0, 0, 100, 1, 1, 1, 'm', 0, 0, 0, 3, 0)
	want = append(want, 0) // empty certification
	if !bytes.Equal(b, want) {
		t.Fatalf("encoding\n got %x\nwant %x", b, want)
	}
}

func TestDecodeSliceStrict(t *testing.T) {
	good, _ := sampleSlice().MarshalBinary()
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"version 2", func(b []byte) []byte { b[3] = 2; return b }},
		{"trailing byte", func(b []byte) []byte { return append(b, 0) }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }},
		{"principal too long", func(b []byte) []byte { b[4] = 30; return b }},
	} {
		b := tc.edit(bytes.Clone(good))
		if _, err := routing.DecodeSlice(b); !errors.Is(err, routing.ErrMalformedSlice) {
			t.Errorf("%s: %v, want ErrMalformedSlice", tc.name, err)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*routing.Slice)
	}{
		{"reject signals unsorted", func(s *routing.Slice) { s.Header.RejectSignals = []uint64{8, 4} }},
		{"reject signal at signals end", func(s *routing.Slice) { s.Header.RejectSignals = []uint64{9} }},
		{"messages before the stream", func(s *routing.Slice) { s.Begin = 2 }},
		{"messages past the stream", func(s *routing.Slice) { s.Header.End = 5 }},
		{"begin above end", func(s *routing.Slice) { s.Header.Begin = 7; s.Begin = 7; s.Messages = nil }},
		{"invalid reject code", func(s *routing.Slice) { s.Messages[1].Response.Reject = 7 }},
	} {
		s := sampleSlice()
		tc.edit(s)
		b, err := s.MarshalBinary()
		if err != nil {
			continue // refused already when encoding
		}
		if _, err := routing.DecodeSlice(b); !errors.Is(err, routing.ErrMalformedSlice) {
			t.Errorf("%s: %v, want ErrMalformedSlice", tc.name, err)
		}
	}
	// Non-minimal LEB128: the height 7 written as 0x87 0x00.
	i := 4 + 30 + 30
	b := append(append(bytes.Clone(good[:i]), 0x87, 0x00), good[i+1:]...)
	if _, err := routing.DecodeSlice(b); !errors.Is(err, routing.ErrMalformedSlice) {
		t.Errorf("overlong integer: %v", err)
	}
}

// FuzzDecodeSlice: decoding never panics, and whatever decodes encodes
// back to the same bytes (one encoding per slice) with the same digest.
func FuzzDecodeSlice(f *testing.F) {
	good, _ := sampleSlice().MarshalBinary()
	f.Add(good)
	empty, _ := (&routing.Slice{From: subnetB, To: subnetA}).MarshalBinary()
	f.Add(empty)
	f.Add([]byte("BXS\x01"))
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := routing.DecodeSlice(data)
		if err != nil {
			if !errors.Is(err, routing.ErrMalformedSlice) {
				t.Fatalf("error %v does not wrap ErrMalformedSlice", err)
			}
			return
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("re-encoding a decoded slice: %v", err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("not canonical:\n in  %x\n out %x", data, b)
		}
		fresh := *s
		fresh.Messages = append([]routing.Message(nil), s.Messages...)
		if s2, _ := routing.DecodeSlice(b); s2.Digest() != s.Digest() {
			t.Fatal("digest differs after re-encoding")
		}
	})
}
