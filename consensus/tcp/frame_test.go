package tcp

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	writeFrame(&buf, []byte("hello"))
	f.Add(buf.Bytes())
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1})
	f.Add([]byte{0, 0, 0, 5, 'a'})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		msg, err := readFrame(r, 1<<16)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := writeFrame(&out, msg); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), data[:len(data)-r.Len()]) {
			t.Fatal("frame does not re-encode to its input")
		}
	})
}

func TestFrameTooLarge(t *testing.T) {
	if _, err := readFrame(bytes.NewReader([]byte{0, 1, 0, 0}), 100); !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("err = %v, want ErrFrameTooLarge", err)
	}
}
