package routing

import (
	"crypto/sha256"
	"fmt"
	"unicode/utf8"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// SliceVersion is the version of the stream slice encoding that this
// package writes and the only one it reads.
const SliceVersion = 1

// sliceMagic starts every encoded slice: "BXS" (BIG XNet slice).
const sliceMagic = "BXS"

// digestDomain separates slice digests from every other SHA-256 use, in
// the state tree's domain-separator style: length byte, then the tag.
const digestDomain = "\x0fbig-xnet-slice1"

// StreamHeader is the state of a stream as its sender saw it when the slice
// was cut, together with the sender's signals for the reverse stream.
type StreamHeader struct {
	// Begin and End bound the messages still in the stream: [Begin, End).
	// Messages below Begin were acknowledged and garbage-collected.
	Begin, End uint64
	// SignalsEnd is the index of the next message the sender expects on the
	// reverse stream: it has inducted (or rejected) every message below.
	SignalsEnd uint64
	// RejectSignals lists, increasing, indices below SignalsEnd of reverse
	// stream messages the sender refused because the receiving cube is not
	// hosted there (after a migration): their sender must reroute them.
	RejectSignals []uint64
}

// Slice is a certified piece of the stream from subnet From to subnet To:
// the header plus the messages with indices [Begin, Begin+len(Messages)).
//
// # Encoding (version 1)
//
// All integers are minimal unsigned LEB128 ("uv"); "bytes" is a uv length
// followed by that many bytes; a principal is one length byte (at most 29)
// followed by its bytes; cycles are two uv, high then low 64 bits.
//
//	slice    = "BXS" 0x01 principal(From) principal(To) uv(Height)
//	           uv(Header.Begin) uv(Header.End) uv(Header.SignalsEnd)
//	           uv(len(RejectSignals)) uv(signal)...
//	           uv(Begin) uv(len(Messages)) message...
//	           bytes(Certification)
//	message  = 0x01 request | 0x02 response
//	request  = uv(Sender) principal(Receiver) bytes(Method) bytes(Arg)
//	           cycles(Cycles) uv(Callback) uv(Deadline)
//	response = uv(Originator) principal(Respondent) uv(Callback)
//	           cycles(Refund) uv(Deadline) reject-code(1 byte, 0 for a reply)
//	           bytes(Reply) if the code is 0, else bytes(RejectMessage)
//
// Decoding is strict, so every slice has exactly one encoding: version 1
// only, minimal integers, reject signals strictly increasing and below
// SignalsEnd, Header.Begin <= Begin, Begin+len(Messages) <= Header.End,
// method names and reject messages valid UTF-8, reject codes 0..6, and no
// trailing bytes.
//
// The digest ([Slice.Digest]) is SHA-256 of the 16-byte domain
// "\x0fbig-xnet-slice1" followed by the encoding without its final
// bytes(Certification) field; it is what the sending subnet certifies.
type Slice struct {
	From, To bigfile.SubnetID // sending and receiving subnet
	// Height is the sender's height whose state the slice was cut from.
	Height bigfile.Height
	Header StreamHeader
	// Begin is the index of Messages[0] in the stream.
	Begin    uint64
	Messages []Message // requests and responses only
	// Certification is the sending subnet's proof of the digest, in the
	// format of the [Certifier] that made it; routing does not look inside.
	Certification []byte

	digest    bigfile.Hash // set by DecodeSlice: the digest of the decoded bytes
	hasDigest bool
}

// End returns the index after the slice's last message.
func (s *Slice) End() uint64 { return s.Begin + uint64(len(s.Messages)) }

// Digest returns the hash that the sending subnet certifies: SHA-256 over
// the domain separator and the encoding of everything but the
// certification.
func (s *Slice) Digest() bigfile.Hash {
	if s.hasDigest {
		return s.digest
	}
	return digestOf(s.appendContent(nil))
}

func digestOf(content []byte) bigfile.Hash {
	h := sha256.New()
	h.Write([]byte(digestDomain))
	h.Write(content)
	return bigfile.Hash(h.Sum(nil))
}

// MarshalBinary returns the version 1 encoding of s. It fails only for a
// message of a kind other than request or response, or an invalid reject
// code.
func (s *Slice) MarshalBinary() ([]byte, error) {
	for i := range s.Messages {
		m := &s.Messages[i]
		if m.Kind != KindRequest && m.Kind != KindResponse {
			return nil, fmt.Errorf("%w: message %d is a %s", ErrMalformedSlice, i, m.Kind)
		}
		if m.Kind == KindResponse && m.Response.Reject > bigfile.RejectSysUnknown {
			return nil, fmt.Errorf("%w: message %d has reject code %d", ErrMalformedSlice, i, m.Response.Reject)
		}
	}
	b := s.appendContent(make([]byte, 0, 64+s.sizeHint()))
	b = appendBytes(b, s.Certification)
	return b, nil
}

func (s *Slice) sizeHint() int {
	n := len(s.Certification)
	for i := range s.Messages {
		n += 64 + s.Messages[i].payloadSize()
	}
	return n
}

func (s *Slice) appendContent(b []byte) []byte {
	b = s.appendHeader(b, len(s.Messages))
	for i := range s.Messages {
		b = appendMessage(b, &s.Messages[i])
	}
	return b
}

// appendHeader appends everything before the messages, for n messages.
func (s *Slice) appendHeader(b []byte, n int) []byte {
	b = append(b, sliceMagic...)
	b = append(b, SliceVersion)
	b = appendPrincipal(b, s.From.Principal)
	b = appendPrincipal(b, s.To.Principal)
	b = leb128.AppendUint(b, uint64(s.Height))
	b = leb128.AppendUint(b, s.Header.Begin)
	b = leb128.AppendUint(b, s.Header.End)
	b = leb128.AppendUint(b, s.Header.SignalsEnd)
	b = leb128.AppendUint(b, uint64(len(s.Header.RejectSignals)))
	for _, x := range s.Header.RejectSignals {
		b = leb128.AppendUint(b, x)
	}
	b = leb128.AppendUint(b, s.Begin)
	return leb128.AppendUint(b, uint64(n))
}

func appendMessage(b []byte, m *Message) []byte {
	switch m.Kind {
	case KindRequest:
		r := &m.Request
		b = append(b, byte(KindRequest))
		b = leb128.AppendUint(b, uint64(r.Sender))
		b = appendPrincipal(b, r.Receiver)
		b = appendBytes(b, []byte(r.Method))
		b = appendBytes(b, r.Arg)
		b = appendCycles(b, r.Cycles)
		b = leb128.AppendUint(b, uint64(r.Callback))
		b = leb128.AppendUint(b, uint64(r.Deadline))
	case KindResponse:
		r := &m.Response
		b = append(b, byte(KindResponse))
		b = leb128.AppendUint(b, uint64(r.Originator))
		b = appendPrincipal(b, r.Respondent)
		b = leb128.AppendUint(b, uint64(r.Callback))
		b = appendCycles(b, r.Refund)
		b = leb128.AppendUint(b, uint64(r.Deadline))
		b = append(b, byte(r.Reject))
		if r.Reject == 0 {
			b = appendBytes(b, r.Reply)
		} else {
			b = appendBytes(b, []byte(r.RejectMessage))
		}
	}
	return b
}

func appendPrincipal(b []byte, p bigfile.Principal) []byte {
	b = append(b, byte(p.Len()))
	return append(b, p.Bytes()...)
}

func appendBytes(b, data []byte) []byte {
	b = leb128.AppendUint(b, uint64(len(data)))
	return append(b, data...)
}

func appendCycles(b []byte, c bigfile.Cycles) []byte {
	b = leb128.AppendUint(b, c.Hi)
	return leb128.AppendUint(b, c.Lo)
}

// DecodeSlice decodes a version 1 slice. Every error wraps
// [ErrMalformedSlice]. The returned slice's byte fields alias data: the
// caller must not modify data afterwards. Decoding does not verify the
// certification; [Router.Induct] does.
func DecodeSlice(data []byte) (*Slice, error) {
	d := decoder{b: data}
	s, err := d.slice()
	if err != nil {
		return nil, fmt.Errorf("%w: at byte %d: %v", ErrMalformedSlice, d.off, err)
	}
	return s, nil
}

type decoder struct {
	b   []byte
	off int
}

func (d *decoder) slice() (*Slice, error) {
	if len(d.b) < len(sliceMagic)+1 || string(d.b[:len(sliceMagic)]) != sliceMagic {
		return nil, fmt.Errorf("bad magic")
	}
	if v := d.b[len(sliceMagic)]; v != SliceVersion {
		return nil, fmt.Errorf("unsupported version %d", v)
	}
	d.off = len(sliceMagic) + 1
	s := &Slice{}
	var err error
	if s.From.Principal, err = d.principal(); err != nil {
		return nil, err
	}
	if s.To.Principal, err = d.principal(); err != nil {
		return nil, err
	}
	var h uint64
	if h, err = d.uint(); err != nil {
		return nil, err
	}
	s.Height = bigfile.Height(h)
	if s.Header.Begin, err = d.uint(); err != nil {
		return nil, err
	}
	if s.Header.End, err = d.uint(); err != nil {
		return nil, err
	}
	if s.Header.Begin > s.Header.End {
		return nil, fmt.Errorf("header begin %d above end %d", s.Header.Begin, s.Header.End)
	}
	if s.Header.SignalsEnd, err = d.uint(); err != nil {
		return nil, err
	}
	n, err := d.count()
	if err != nil {
		return nil, err
	}
	if n > 0 {
		s.Header.RejectSignals = make([]uint64, n)
	}
	for i := range s.Header.RejectSignals {
		x, err := d.uint()
		if err != nil {
			return nil, err
		}
		if x >= s.Header.SignalsEnd || (i > 0 && x <= s.Header.RejectSignals[i-1]) {
			return nil, fmt.Errorf("reject signal %d out of order or not below signals end", x)
		}
		s.Header.RejectSignals[i] = x
	}
	if s.Begin, err = d.uint(); err != nil {
		return nil, err
	}
	if n, err = d.count(); err != nil {
		return nil, err
	}
	// Messages must lie within the stream the header describes; the
	// receiver relies on it to compare the slice with its own signals.
	if s.Begin < s.Header.Begin || s.Begin > s.Header.End || uint64(n) > s.Header.End-s.Begin {
		return nil, fmt.Errorf("messages [%d, +%d) outside the stream [%d, %d)", s.Begin, n, s.Header.Begin, s.Header.End)
	}
	if n > 0 {
		s.Messages = make([]Message, n)
	}
	for i := range s.Messages {
		if err := d.message(&s.Messages[i]); err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
	}
	// The digest covers exactly the bytes before the certification, so
	// it is computed from the input without re-encoding.
	contentEnd := d.off
	if s.Certification, err = d.bytes(); err != nil {
		return nil, err
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%d trailing bytes", len(d.b)-d.off)
	}
	s.digest, s.hasDigest = digestOf(d.b[:contentEnd]), true
	return s, nil
}

func (d *decoder) message(m *Message) error {
	if d.off >= len(d.b) {
		return fmt.Errorf("truncated")
	}
	k := Kind(d.b[d.off])
	d.off++
	var err error
	var x uint64
	switch k {
	case KindRequest:
		m.Kind = k
		r := &m.Request
		if x, err = d.uint(); err != nil {
			return err
		}
		r.Sender = bigfile.CubeID(x)
		if r.Receiver, err = d.principal(); err != nil {
			return err
		}
		method, err := d.bytes()
		if err != nil {
			return err
		}
		if !utf8.Valid(method) {
			return fmt.Errorf("method name is not UTF-8")
		}
		r.Method = string(method)
		if r.Arg, err = d.bytes(); err != nil {
			return err
		}
		if r.Cycles, err = d.cycles(); err != nil {
			return err
		}
		if x, err = d.uint(); err != nil {
			return err
		}
		r.Callback = bigfile.CallbackID(x)
		if x, err = d.uint(); err != nil {
			return err
		}
		r.Deadline = bigfile.Time(x)
	case KindResponse:
		m.Kind = k
		r := &m.Response
		if x, err = d.uint(); err != nil {
			return err
		}
		r.Originator = bigfile.CubeID(x)
		if r.Respondent, err = d.principal(); err != nil {
			return err
		}
		if x, err = d.uint(); err != nil {
			return err
		}
		r.Callback = bigfile.CallbackID(x)
		if r.Refund, err = d.cycles(); err != nil {
			return err
		}
		if x, err = d.uint(); err != nil {
			return err
		}
		r.Deadline = bigfile.Time(x)
		if d.off >= len(d.b) {
			return fmt.Errorf("truncated")
		}
		r.Reject = bigfile.RejectCode(d.b[d.off])
		d.off++
		if r.Reject > bigfile.RejectSysUnknown {
			return fmt.Errorf("invalid reject code %d", r.Reject)
		}
		data, err := d.bytes()
		if err != nil {
			return err
		}
		// One field, read as the reply or the reject message by the code:
		// a response cannot carry both, so there is one encoding.
		if r.Reject == 0 {
			r.Reply = data
		} else {
			if !utf8.Valid(data) {
				return fmt.Errorf("reject message is not UTF-8")
			}
			r.RejectMessage = string(data)
		}
	default:
		return fmt.Errorf("unknown message kind %d", k)
	}
	return nil
}

func (d *decoder) uint() (uint64, error) {
	x, n, err := leb128.Uint(d.b[d.off:])
	d.off += n
	return x, err
}

// count reads a length or element count, bounded by the bytes left so that
// a hostile count cannot make the decoder allocate more than the input.
func (d *decoder) count() (int, error) {
	x, err := d.uint()
	if err != nil {
		return 0, err
	}
	if x > uint64(len(d.b)-d.off) {
		return 0, fmt.Errorf("count %d exceeds the %d bytes left", x, len(d.b)-d.off)
	}
	return int(x), nil
}

func (d *decoder) bytes() ([]byte, error) {
	n, err := d.count()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		d.off += 0
		return nil, nil
	}
	b := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return b, nil
}

func (d *decoder) principal() (bigfile.Principal, error) {
	if d.off >= len(d.b) {
		return bigfile.Principal{}, fmt.Errorf("truncated")
	}
	n := int(d.b[d.off])
	d.off++
	if n > bigfile.MaxPrincipalLen || n > len(d.b)-d.off {
		return bigfile.Principal{}, fmt.Errorf("principal of %d bytes", n)
	}
	p, err := bigfile.PrincipalFromBytes(d.b[d.off : d.off+n])
	d.off += n
	return p, err
}

func (d *decoder) cycles() (bigfile.Cycles, error) {
	hi, err := d.uint()
	if err != nil {
		return bigfile.Cycles{}, err
	}
	lo, err := d.uint()
	return bigfile.Cycles{Hi: hi, Lo: lo}, err
}
