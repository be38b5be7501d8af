package consensus

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/thebigfile/bigfile"
)

// ErrCorruptStore reports a store file whose records do not check.
var ErrCorruptStore = errors.New("consensus: corrupt store")

// FileStore is a [Store] and [Loader] in one append-only file, so a node
// resumes after its process restarts. Each record is a 4-byte big-endian
// length, a 4-byte CRC-32C of the body, and the body: a tag byte (1: an
// artifact in [Encode] form, 2: the delivered height, 3: a purge height)
// then the data. Appends are fsynced before they return. Purge rewrites
// the file without the purged artifacts (to a temporary file, renamed into
// place). A torn final record — a crash during an append — is dropped on
// open; corruption elsewhere is an error. FileStore is safe for concurrent
// use.
type FileStore struct {
	mu        sync.Mutex
	path      string
	f         *os.File
	arts      []Artifact
	delivered bigfile.Height
}

const (
	recArtifact  = 1
	recDelivered = 2
	recPurge     = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenFileStore opens or creates the store file at path. It returns an
// error wrapping [ErrCorruptStore] for a damaged file.
func OpenFileStore(path string) (*FileStore, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	s := &FileStore{path: path}
	good, err := s.replay(data)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(int64(good)); err != nil { // drop a torn tail
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(int64(good), io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	s.f = f
	return s, nil
}

// replay applies the records in data and returns the length of its valid
// prefix.
func (s *FileStore) replay(data []byte) (int, error) {
	off := 0
	for off < len(data) {
		if len(data)-off < 8 {
			return off, nil // torn header
		}
		n := int(binary.BigEndian.Uint32(data[off:]))
		sum := binary.BigEndian.Uint32(data[off+4:])
		if n > len(data)-off-8 {
			return off, nil // torn body
		}
		body := data[off+8 : off+8+n]
		if crc32.Checksum(body, castagnoli) != sum {
			if off+8+n == len(data) {
				return off, nil // torn final record
			}
			return 0, fmt.Errorf("%w: checksum at offset %d", ErrCorruptStore, off)
		}
		if err := s.apply(body); err != nil {
			return 0, fmt.Errorf("%w: record at offset %d: %v", ErrCorruptStore, off, err)
		}
		off += 8 + n
	}
	return off, nil
}

func (s *FileStore) apply(body []byte) error {
	if len(body) == 0 {
		return errors.New("empty record")
	}
	switch body[0] {
	case recArtifact:
		a, err := Decode(body[1:])
		if err != nil {
			return err
		}
		s.arts = append(s.arts, a)
	case recDelivered, recPurge:
		h, n := binary.Uvarint(body[1:])
		if n <= 0 || n != len(body)-1 {
			return errors.New("bad height")
		}
		if body[0] == recDelivered {
			s.delivered = bigfile.Height(h)
		} else {
			s.purge(bigfile.Height(h))
		}
	default:
		return fmt.Errorf("unknown tag %d", body[0])
	}
	return nil
}

func appendRecord(buf []byte, tag byte, data []byte) []byte {
	body := append([]byte{tag}, data...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(body)))
	buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(body, castagnoli))
	return append(buf, body...)
}

func (s *FileStore) write(buf []byte) error {
	if _, err := s.f.Write(buf); err != nil {
		return err
	}
	return s.f.Sync()
}

// Append implements [Store].
func (s *FileStore) Append(as []Artifact) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var buf []byte
	for _, a := range as {
		buf = appendRecord(buf, recArtifact, Encode(a))
	}
	if err := s.write(buf); err != nil {
		return err
	}
	s.arts = append(s.arts, as...)
	return nil
}

// SetDelivered implements [Store].
func (s *FileStore) SetDelivered(h bigfile.Height) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == s.delivered {
		return nil
	}
	if err := s.write(appendRecord(nil, recDelivered, binary.AppendUvarint(nil, uint64(h)))); err != nil {
		return err
	}
	s.delivered = h
	return nil
}

func (s *FileStore) purge(h bigfile.Height) {
	kept := s.arts[:0]
	for _, a := range s.arts {
		if a.ArtifactHeight() >= h {
			kept = append(kept, a)
		}
	}
	clear(s.arts[len(kept):])
	s.arts = kept
}

// Purge implements [Store]: it rewrites the file with what remains.
func (s *FileStore) Purge(h bigfile.Height) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge(h)
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	for _, a := range s.arts {
		w.Write(appendRecord(nil, recArtifact, Encode(a)))
	}
	w.Write(appendRecord(nil, recDelivered, binary.AppendUvarint(nil, uint64(s.delivered))))
	w.Flush()
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	t, err := os.Open(tmp)
	if err != nil {
		return err
	}
	err = t.Sync()
	t.Close()
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		d.Sync()
		d.Close()
	}
	s.f.Close()
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.f = f
	return nil
}

// Load implements [Loader]. The returned slice is a copy.
func (s *FileStore) Load() ([]Artifact, bigfile.Height, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Artifact(nil), s.arts...), s.delivered, nil
}

// Close closes the file.
func (s *FileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.Close()
}
