package candid

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"sort"
	"unicode/utf8"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// Default limits, used when the corresponding [Config] field is zero.
const (
	// DefaultMaxDepth is the default bound on the nesting of values and
	// type references followed while decoding one value.
	DefaultMaxDepth = 512
	// DefaultQuotaBase is the part of the default decoding quota that does
	// not depend on the input length.
	DefaultQuotaBase = 1 << 16
	// DefaultQuotaPerByte is the part of the default decoding quota granted
	// per input byte.
	DefaultQuotaPerByte = 4
)

// maxPrincipalLen is the longest principal (29 bytes).
const maxPrincipalLen = 29

// Config holds the decoder's limits. The zero Config is valid and uses the
// defaults; the package-level functions [Decode], [DecodeAs] and
// [Unmarshal] use it.
//
// The limits exist because Candid lets a short message describe a lot of
// work: a vec of null or of empty records costs no bytes per element, so a
// ten-byte message can claim 2^60 elements, and recursive types allow deep
// nesting. The quota bounds the work and the memory of one decode call; the
// depth bounds the Go stack.
type Config struct {
	// MaxDepth bounds the nesting of composite values (opt, vec, record,
	// variant) inside one argument. 0 means DefaultMaxDepth.
	MaxDepth int
	// Quota bounds the number of value steps of one decode call: every
	// value decoded or skipped, every vec element and every record field
	// costs one unit. Memory use is proportional to the units spent plus
	// the input length. 0 means DefaultQuotaBase + DefaultQuotaPerByte
	// units per input byte.
	Quota int
}

// Validate reports whether c's fields are in range.
func (c Config) Validate() error {
	if c.MaxDepth < 0 {
		return errorf(ErrLimit, "negative MaxDepth %d", c.MaxDepth)
	}
	if c.Quota < 0 {
		return errorf(ErrLimit, "negative Quota %d", c.Quota)
	}
	return nil
}

// Decode decodes a message with the default [Config]; see [Config.Decode].
func Decode(data []byte) ([]*Type, []Value, error) { return Config{}.Decode(data) }

// DecodeAs decodes a message at the expected types with the default
// [Config]; see [Config.DecodeAs].
func DecodeAs(data []byte, expected []*Type) ([]Value, error) {
	return Config{}.DecodeAs(data, expected)
}

// Decode decodes a message at the types it carries and returns those types
// and the values. Record fields and variant cases of the returned values
// have ids only (the wire has no names). A value of a future type (an
// opcode below -24) decodes as [Reserved].
//
// Errors are *[DecodeError] values wrapping [ErrInvalid] or [ErrLimit].
func (c Config) Decode(data []byte) ([]*Type, []Value, error) {
	d, err := c.newDecoder(data)
	if err != nil {
		return nil, nil, err
	}
	args, err := d.header()
	if err != nil {
		return nil, nil, err
	}
	vals := make([]Value, len(args))
	for i, t := range args {
		if vals[i], err = d.value(t, t); err != nil {
			return nil, nil, err
		}
	}
	if err := d.end(); err != nil {
		return nil, nil, err
	}
	return args, vals, nil
}

// DecodeAs decodes a message at the expected argument types, applying
// Candid's subtyping rules: extra arguments and unknown record fields are
// skipped; missing arguments and record fields of type opt, null or
// reserved read as null ([Opt]{}, [Null], [Reserved]); nat reads as int; any
// value reads as reserved; a value that does not decode at the expected
// opt type reads as none (the "special opt rule"), which also covers an
// unknown variant case inside an opt. Returned values use the names of the
// expected types' fields.
//
// Errors are *[DecodeError] values wrapping [ErrInvalid], [ErrMismatch] or
// [ErrLimit], or an error wrapping [ErrType] for an invalid expected type.
func (c Config) DecodeAs(data []byte, expected []*Type) ([]Value, error) {
	if err := validateTypes(expected); err != nil {
		return nil, err
	}
	d, err := c.newDecoder(data)
	if err != nil {
		return nil, err
	}
	return d.args(expected)
}

// newDecoder validates c and returns a decoder for data with c's limits
// resolved to their defaults.
func (c Config) newDecoder(data []byte) (*decoder, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d := &decoder{data: data, maxDepth: c.MaxDepth, quota: c.Quota}
	if d.maxDepth == 0 {
		d.maxDepth = DefaultMaxDepth
	}
	// The default quota grows with the input, so that any message whose
	// values take at least one byte each decodes, while zero-size values
	// (the only way to get more values than bytes) get a fixed allowance.
	if d.quota == 0 {
		d.quota = DefaultQuotaBase
		if len(data) < (math.MaxInt-DefaultQuotaBase)/DefaultQuotaPerByte {
			d.quota += DefaultQuotaPerByte * len(data)
		} else {
			d.quota = math.MaxInt
		}
	}
	return d, nil
}

// args decodes the argument list at the expected types. An argument list
// follows the rules of a tuple record: arguments the receiver does not
// expect are skipped (but still checked, so that a malformed tail is
// reported and trailing bytes are detected), and expected arguments the
// sender did not send must be optional.
func (d *decoder) args(expected []*Type) ([]Value, error) {
	wire, err := d.header()
	if err != nil {
		return nil, err
	}
	vals := make([]Value, len(expected))
	for i, e := range expected {
		if i < len(wire) {
			if vals[i], err = d.value(wire[i], e); err != nil {
				return nil, err
			}
			continue
		}
		if vals[i], err = d.absent(e, "argument"); err != nil {
			return nil, err
		}
	}
	for _, w := range wire[min(len(expected), len(wire)):] {
		if err := d.skip(w); err != nil {
			return nil, err
		}
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return vals, nil
}

// decoder reads one message. It never panics: every read is bounds-checked
// and every allocation is bounded by the input length or by the quota.
//
// Two kinds of failure matter to the decoding rules: ErrMismatch is a
// well-formed value that does not fit the expected type, and an enclosing
// opt absorbs it (the value reads as none); ErrInvalid and ErrLimit are
// fatal wherever they happen, because the rest of the message cannot be
// trusted or would cost too much.
type decoder struct {
	data     []byte // the whole message; never modified or retained
	pos      int    // offset of the next unread byte
	depth    int    // current nesting of composite values
	maxDepth int
	quota    int // remaining work units
	// table holds the wire type table. Entries point at each other (and
	// at the shared primitive types), so recursive wire types are cycles
	// within this slice, which is allocated once and never grows.
	table []Type
}

// fail returns a decoding error at the current offset.
func (d *decoder) fail(sentinel error, msg string) error {
	return &DecodeError{Offset: d.pos, Msg: msg, Err: sentinel}
}

// failAt returns a decoding error at offset off, typically the start of the
// value being decoded, which is where a reader of a hex dump should look.
func (d *decoder) failAt(off int, sentinel error, msg string) error {
	return &DecodeError{Offset: off, Msg: msg, Err: sentinel}
}

// end reports trailing bytes: a message holds exactly its arguments, and
// accepting garbage after them would let two different byte strings mean
// the same message.
func (d *decoder) end() error {
	if d.pos != len(d.data) {
		return d.fail(ErrInvalid, "trailing bytes")
	}
	return nil
}

// charge spends n units of quota. Once the quota is exhausted it stays
// exhausted, so a failure absorbed by an opt cannot be retried for free.
func (d *decoder) charge(n int) error {
	if n > d.quota || n < 0 {
		d.quota = 0
		return d.fail(ErrLimit, "decoding quota exhausted")
	}
	d.quota -= n
	return nil
}

// reserve fails if fewer than n units of quota remain, without spending
// them: a vec checks its length against the quota before decoding (and
// allocating for) its elements, each of which then pays for itself.
func (d *decoder) reserve(n int) error {
	if n > d.quota {
		return d.fail(ErrLimit, "decoding quota exhausted")
	}
	return nil
}

// uleb reads a ULEB128 number that must fit 64 bits (lengths, counts,
// field ids, variant indexes).
func (d *decoder) uleb() (uint64, error) {
	v, n, err := leb128.Uint(d.data[d.pos:])
	if err != nil {
		return 0, d.fail(ErrInvalid, err.Error())
	}
	d.pos += n
	return v, nil
}

// sleb reads an SLEB128 number that must fit 64 bits (type references).
func (d *decoder) sleb() (int64, error) {
	v, n, err := leb128.Int(d.data[d.pos:])
	if err != nil {
		return 0, d.fail(ErrInvalid, err.Error())
	}
	d.pos += n
	return v, nil
}

// count reads a length prefix. When every item takes at least minBytes
// bytes of input, a count larger than the rest of the input allows is
// rejected before anything is allocated for it; items that may take no
// bytes (minBytes 0: vec elements) are bounded by the quota instead. Counts
// beyond 2^31 are refused outright so that int conversions cannot wrap.
func (d *decoder) count(what string, minBytes int) (int, error) {
	start := d.pos
	v, err := d.uleb()
	if err != nil {
		return 0, err
	}
	if minBytes > 0 && v > uint64(len(d.data)-d.pos)/uint64(minBytes) {
		return 0, d.failAt(start, ErrInvalid, what+" longer than the input")
	}
	if v > math.MaxInt32 {
		return 0, d.failAt(start, ErrLimit, what+" too long")
	}
	return int(v), nil
}

// bytes returns the next n bytes of input (aliasing it: callers copy what
// they keep) and advances past them.
func (d *decoder) bytes(n int) ([]byte, error) {
	if n > len(d.data)-d.pos {
		return nil, d.fail(ErrInvalid, "unexpected end of input")
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// header reads the magic number, the type table and the argument types.
// All type-level checks happen here, once per message, so that decoding
// values can rely on them: references are in range, field ids strictly
// increase, and service methods have function types. The table may define
// recursive types and may define one type several times; both are legal.
func (d *decoder) header() ([]*Type, error) {
	if len(d.data) < 4 || string(d.data[:4]) != "DIDL" {
		return nil, d.fail(ErrInvalid, "missing DIDL magic number")
	}
	d.pos = 4
	n, err := d.count("type table", 1)
	if err != nil {
		return nil, err
	}
	// n is at most the remaining input length (each entry takes at least
	// one byte), so the table costs a bounded multiple of the input.
	d.table = make([]Type, n)
	for i := range d.table {
		if err := d.tableEntry(&d.table[i]); err != nil {
			return nil, err
		}
	}
	for i := range d.table {
		t := &d.table[i]
		if t.Kind != KindService {
			continue
		}
		for _, m := range t.Methods {
			if m.Type.Kind != KindFunc {
				return nil, d.fail(ErrInvalid, "service method "+quoteName(m.Name)+" does not have a func type")
			}
		}
	}
	m, err := d.count("argument list", 1)
	if err != nil {
		return nil, err
	}
	args := make([]*Type, m)
	for i := range args {
		if args[i], err = d.typeRef(); err != nil {
			return nil, err
		}
	}
	return args, nil
}

// typeRef reads a type reference: a primitive opcode or a table index.
// Constructor opcodes (opt, vec, ...) and future opcodes may only head a
// table entry, never appear as a reference; the spec's grammar I(...) only
// admits primitives and indexes, which is also what rules out type
// definitions such as "T = T" with no constructor in between.
func (d *decoder) typeRef() (*Type, error) {
	start := d.pos
	op, err := d.sleb()
	if err != nil {
		return nil, err
	}
	if op >= 0 {
		if op >= int64(len(d.table)) {
			return nil, d.failAt(start, ErrInvalid, "type index out of range")
		}
		return &d.table[op], nil
	}
	if op >= -17 || op == -24 {
		for k, c := range opcodes {
			if c == op && Kind(k).IsPrimitive() {
				return primTypes[k], nil
			}
		}
	}
	return nil, d.failAt(start, ErrInvalid, "invalid type reference")
}

// tableEntry reads one type table entry into t. Entries are filled in
// place, so a reference to an entry that has not been read yet is already
// a valid pointer; header completes every entry before any value is read.
func (d *decoder) tableEntry(t *Type) error {
	start := d.pos
	op, err := d.sleb()
	if err != nil {
		return err
	}
	switch op {
	case -18, -19: // opt, vec
		t.Kind = KindOpt
		if op == -19 {
			t.Kind = KindVec
		}
		t.Elem, err = d.typeRef()
		return err
	case -20, -21: // record, variant
		t.Kind = KindRecord
		if op == -21 {
			t.Kind = KindVariant
		}
		// Each field takes at least two bytes (an id and a reference).
		n, err := d.count("field list", 2)
		if err != nil {
			return err
		}
		t.Fields = make([]Field, n)
		for i := range t.Fields {
			fstart := d.pos
			id, err := d.uleb()
			if err != nil {
				return err
			}
			// Ids are 32-bit hashes; a larger one cannot come from a
			// conforming encoder, and accepting it would make two
			// encodings (id and id mod 2^32) of one type possible.
			if id > math.MaxUint32 {
				return d.failAt(fstart, ErrInvalid, "field id exceeds 32 bits")
			}
			// Strictly increasing ids: the spec's canonical order, which
			// the record merge and the variant search rely on, and which
			// rules out duplicate fields.
			if i > 0 && uint32(id) <= t.Fields[i-1].ID {
				return d.failAt(fstart, ErrInvalid, "field ids not strictly increasing")
			}
			t.Fields[i].ID = uint32(id)
			if t.Fields[i].Type, err = d.typeRef(); err != nil {
				return err
			}
		}
		return nil
	case -22: // func
		// Arguments, results, then annotation bytes; unknown annotations
		// are rejected, as the Rust and JavaScript decoders do.
		t.Kind = KindFunc
		for _, list := range []*[]*Type{&t.Args, &t.Results} {
			n, err := d.count("function type list", 1)
			if err != nil {
				return err
			}
			*list = make([]*Type, n)
			for i := range *list {
				if (*list)[i], err = d.typeRef(); err != nil {
					return err
				}
			}
		}
		n, err := d.count("annotation list", 1)
		if err != nil {
			return err
		}
		ann, _ := d.bytes(n)
		t.Annotations = make([]FuncAnnotation, n)
		for i, a := range ann {
			if a < byte(Query) || a > byte(CompositeQuery) {
				return d.failAt(d.pos-n+i, ErrInvalid, "invalid function annotation")
			}
			t.Annotations[i] = FuncAnnotation(a)
		}
		return nil
	case -23: // service
		// Methods by strictly increasing name; their types are checked to
		// be functions once the whole table is read (a method may refer
		// to a later entry).
		t.Kind = KindService
		n, err := d.count("method list", 2)
		if err != nil {
			return err
		}
		t.Methods = make([]Method, n)
		for i := range t.Methods {
			mstart := d.pos
			l, err := d.count("method name", 1)
			if err != nil {
				return err
			}
			name, err := d.bytes(l)
			if err != nil {
				return err
			}
			if !utf8.Valid(name) {
				return d.failAt(mstart, ErrInvalid, "method name is not valid UTF-8")
			}
			t.Methods[i].Name = string(name)
			if i > 0 && t.Methods[i].Name <= t.Methods[i-1].Name {
				return d.failAt(mstart, ErrInvalid, "method names not strictly increasing")
			}
			if t.Methods[i].Type, err = d.typeRef(); err != nil {
				return err
			}
		}
		return nil
	}
	if op < -24 {
		// A future type: a newer encoder's extension, described by a
		// length-prefixed blob that this decoder skips. Its values are
		// length-prefixed too, so they can be skipped as well.
		t.Kind = KindFuture
		t.Opcode = op
		n, err := d.count("future type", 1)
		if err != nil {
			return err
		}
		_, err = d.bytes(n)
		return err
	}
	return d.failAt(start, ErrInvalid, "invalid type table entry")
}

// enter and leave track the nesting depth of composite values. The depth
// bounds the Go stack: recursive wire types allow values whose every level
// takes no bytes (μx.record {x}), which only the depth limit stops.
func (d *decoder) enter() error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.fail(ErrLimit, "nesting too deep")
	}
	return nil
}

func (d *decoder) leave() { d.depth-- }

// isMismatch reports whether err is a type mismatch, the only error an opt
// may absorb.
func isMismatch(err error) bool {
	var de *DecodeError
	return errors.As(err, &de) && de.Err == ErrMismatch
}

// absent returns the value of a missing argument or record field of type
// e: null for opt, null and reserved types, an ErrMismatch error otherwise.
func (d *decoder) absent(e *Type, what string) (Value, error) {
	switch e.Kind {
	case KindOpt:
		return Opt{}, nil
	case KindNull:
		return Null{}, nil
	case KindReserved:
		return Reserved{}, nil
	}
	return nil, d.fail(ErrMismatch, "missing "+what+" of type "+e.Kind.String())
}

// value decodes one value of wire type w at the expected type e, following
// the decoding relation "v :? t ~> v'" of the Candid spec (section
// Deserialisation). The rules are value-level, as in the spec: a wire
// type need not be a subtype of the expected one as long as the value at
// hand decodes (an empty vec decodes at any vec type, a variant at a type
// lacking some of its other cases).
//
// Order matters: reserved and opt accept values of any wire type and are
// handled first; otherwise the wire and expected kinds must agree, with
// nat-as-int the only primitive coercion.
func (d *decoder) value(w, e *Type) (Value, error) {
	if err := d.charge(1); err != nil {
		return nil, err
	}
	start := d.pos
	mismatch := func() (Value, error) {
		return nil, d.failAt(start, ErrMismatch, "cannot decode "+w.Kind.String()+" as "+e.Kind.String())
	}
	switch e.Kind {
	case KindReserved:
		return Reserved{}, d.skip(w)
	case KindOpt:
		return d.opt(w, e)
	case KindFuture:
		// Only reachable from Decode, which expects the wire types: a
		// future value is skipped and reads as reserved.
		return Reserved{}, d.skip(w)
	}
	// No value has type empty, so a message claiming one is malformed,
	// whatever the receiver expects.
	if w.Kind == KindEmpty {
		return nil, d.fail(ErrInvalid, "value of type empty")
	}
	if w.Kind != e.Kind && !(w.Kind == KindNat && e.Kind == KindInt) {
		if w.Kind == KindFuture {
			// Skipped first so that a malformed future value is reported as
			// such rather than as a mismatch.
			if err := d.skip(w); err != nil {
				return nil, err
			}
		}
		return mismatch()
	}
	switch e.Kind {
	case KindNull:
		return Null{}, nil
	case KindBool:
		b, err := d.bytes(1)
		if err != nil {
			return nil, err
		}
		if b[0] > 1 {
			return nil, d.failAt(start, ErrInvalid, "invalid bool")
		}
		return b[0] == 1, nil
	case KindNat:
		v, n, err := leb128.BigUint(d.data[d.pos:])
		if err != nil {
			return nil, d.fail(ErrInvalid, err.Error())
		}
		d.pos += n
		return Nat{v}, nil
	case KindInt:
		// nat <: int: a nat on the wire is unsigned LEB128 and is read as
		// such, then widened.
		var v *big.Int
		var n int
		var err error
		if w.Kind == KindNat {
			v, n, err = leb128.BigUint(d.data[d.pos:])
		} else {
			v, n, err = leb128.BigInt(d.data[d.pos:])
		}
		if err != nil {
			return nil, d.fail(ErrInvalid, err.Error())
		}
		d.pos += n
		return Int{v}, nil
	case KindNat8, KindInt8:
		b, err := d.bytes(1)
		if err != nil {
			return nil, err
		}
		if e.Kind == KindNat8 {
			return b[0], nil
		}
		return int8(b[0]), nil
	case KindNat16, KindInt16:
		b, err := d.bytes(2)
		if err != nil {
			return nil, err
		}
		x := binary.LittleEndian.Uint16(b)
		if e.Kind == KindNat16 {
			return x, nil
		}
		return int16(x), nil
	case KindNat32, KindInt32, KindFloat32:
		b, err := d.bytes(4)
		if err != nil {
			return nil, err
		}
		x := binary.LittleEndian.Uint32(b)
		switch e.Kind {
		case KindNat32:
			return x, nil
		case KindInt32:
			return int32(x), nil
		}
		return math.Float32frombits(x), nil
	case KindNat64, KindInt64, KindFloat64:
		b, err := d.bytes(8)
		if err != nil {
			return nil, err
		}
		x := binary.LittleEndian.Uint64(b)
		switch e.Kind {
		case KindNat64:
			return x, nil
		case KindInt64:
			return int64(x), nil
		}
		return math.Float64frombits(x), nil
	case KindText:
		return d.text()
	case KindPrincipal:
		return d.principal()
	case KindService:
		// References decode unconditionally (spec: "References"): the
		// method sets of the two service types are not compared.
		p, err := d.principal()
		if err != nil {
			return nil, err
		}
		return ServiceRef{Principal: p}, nil
	case KindFunc:
		b, err := d.bytes(1)
		if err != nil {
			return nil, err
		}
		if b[0] != 1 {
			return nil, d.failAt(start, ErrInvalid, "opaque function reference")
		}
		p, err := d.principal()
		if err != nil {
			return nil, err
		}
		m, err := d.text()
		if err != nil {
			return nil, err
		}
		return FuncRef{Service: p, Method: m}, nil
	case KindVec:
		return d.vec(w, e)
	case KindRecord:
		return d.record(w, e)
	case KindVariant:
		return d.variant(w, e)
	}
	return nil, d.failAt(start, ErrType, "cannot decode at type "+e.Kind.String())
}

// opt decodes a value of wire type w at the expected opt type e, with the
// special opt rule: a value that does not decode at e.Elem gives none.
// The spec's cases, in order: null and reserved values give none; an opt
// value gives none or its content decoded at e.Elem; any other value is
// treated as if it were wrapped in an opt. The last case is what lets a
// sender make a field or argument more specific (opt T to T) without
// breaking receivers.
func (d *decoder) opt(w, e *Type) (Value, error) {
	switch w.Kind {
	case KindNull, KindReserved:
		return Opt{}, nil
	case KindOpt:
		b, err := d.bytes(1)
		if err != nil {
			return nil, err
		}
		switch b[0] {
		case 0:
			return Opt{}, nil
		case 1:
			return d.optInner(w.Elem, e.Elem)
		}
		return nil, d.fail(ErrInvalid, "invalid opt tag")
	}
	return d.optInner(w, e.Elem)
}

// optInner decodes the content of an opt: a value of wire type w at the
// expected type e, or none if that fails with a mismatch.
//
// A failed attempt rewinds to the start of the value and skips it by its
// wire type, which also validates it: a malformed value inside an opt is
// still an error. The attempt and the skip are both charged to the quota,
// so nested failing opts cannot multiply work beyond it.
func (d *decoder) optInner(w, e *Type) (Value, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	start := d.pos
	v, err := d.value(w, e)
	if err == nil {
		return Opt{v}, nil
	}
	if !isMismatch(err) {
		return nil, err
	}
	d.pos = start
	if err := d.skip(w); err != nil {
		return nil, err
	}
	return Opt{}, nil
}

// text reads a text value: a length and UTF-8 bytes, which must be valid
// (the spec requires decoders to reject invalid UTF-8).
func (d *decoder) text() (string, error) {
	start := d.pos
	n, err := d.count("text", 1)
	if err != nil {
		return "", err
	}
	b, _ := d.bytes(n)
	if !utf8.Valid(b) {
		return "", d.failAt(start, ErrInvalid, "text is not valid UTF-8")
	}
	return string(b), nil
}

// principal reads a principal (also the body of service references): the
// tag 1 and a blob of at most 29 bytes. Tag 0 is an opaque reference,
// meaningful only with a reference table, which the Internet Computer
// never sends; it is rejected as invalid.
func (d *decoder) principal() (bigfile.Principal, error) {
	start := d.pos
	b, err := d.bytes(1)
	if err != nil {
		return bigfile.Principal{}, err
	}
	if b[0] != 1 {
		return bigfile.Principal{}, d.failAt(start, ErrInvalid, "opaque principal reference")
	}
	n, err := d.count("principal", 1)
	if err != nil {
		return bigfile.Principal{}, err
	}
	if n > maxPrincipalLen {
		return bigfile.Principal{}, d.failAt(start, ErrInvalid, "principal longer than 29 bytes")
	}
	raw, _ := d.bytes(n)
	p, err := bigfile.PrincipalFromBytes(raw)
	if err != nil {
		return bigfile.Principal{}, d.failAt(start, ErrInvalid, err.Error())
	}
	return p, nil
}

// vec decodes a vector. A blob (vec nat8 on both sides) is copied in one
// step, since its length is already bounded by the input. Other vectors
// check their length against the quota before allocating, and the slice
// grows from at most 1024 elements, so a length prefix alone never causes
// a large allocation.
func (d *decoder) vec(w, e *Type) (Value, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	n, err := d.count("vec", 0)
	if err != nil {
		return nil, err
	}
	if e.Elem.Kind == KindNat8 && w.Elem.Kind == KindNat8 {
		b, err := d.bytes(n)
		if err != nil {
			return nil, err
		}
		return append([]byte{}, b...), nil
	}
	if err := d.reserve(n); err != nil {
		return nil, err
	}
	// A blob is expected but the wire elements are not nat8: each element
	// must still decode as nat8 (it only can if it is one, so this path
	// serves empty vectors and reports the mismatch otherwise).
	if e.Elem.Kind == KindNat8 {
		out := make([]byte, 0, min(n, len(d.data)-d.pos))
		for range n {
			v, err := d.value(w.Elem, e.Elem)
			if err != nil {
				return nil, err
			}
			x, ok := v.(uint8)
			if !ok {
				return nil, d.fail(ErrMismatch, "non-nat8 element in blob")
			}
			out = append(out, x)
		}
		return out, nil
	}
	out := make(Vec, 0, min(n, 1024))
	for range n {
		v, err := d.value(w.Elem, e.Elem)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// record decodes a record by merging the wire fields and the expected
// fields, both sorted by id: a field on both sides is decoded, a wire-only
// field is skipped, and an expected-only field must be optional (opt,
// null or reserved), which is how records gain optional fields without
// breaking older senders. The result has exactly the expected fields, in
// the expected order, which the Go mapping relies on.
func (d *decoder) record(w, e *Type) (Value, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	if err := d.charge(len(w.Fields) + len(e.Fields)); err != nil {
		return nil, err
	}
	out := make(Record, 0, len(e.Fields))
	j := 0
	missing := func(f Field) error {
		v, err := d.absent(f.Type, "record field "+fieldName(f))
		if err != nil {
			return err
		}
		out = append(out, FieldValue{ID: f.ID, Name: f.Name, Value: v})
		return nil
	}
	for _, wf := range w.Fields {
		for j < len(e.Fields) && e.Fields[j].ID < wf.ID {
			if err := missing(e.Fields[j]); err != nil {
				return nil, err
			}
			j++
		}
		if j < len(e.Fields) && e.Fields[j].ID == wf.ID {
			ef := e.Fields[j]
			v, err := d.value(wf.Type, ef.Type)
			if err != nil {
				return nil, err
			}
			out = append(out, FieldValue{ID: ef.ID, Name: ef.Name, Value: v})
			j++
			continue
		}
		if err := d.skip(wf.Type); err != nil {
			return nil, err
		}
	}
	for ; j < len(e.Fields); j++ {
		if err := missing(e.Fields[j]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// variant decodes a variant: the wire index selects a wire case, whose id
// must be one of the expected cases. An unknown case is a mismatch, which
// an enclosing opt turns into none; that is the spec's way of letting
// variants gain cases in results.
func (d *decoder) variant(w, e *Type) (Value, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	start := d.pos
	i, err := d.uleb()
	if err != nil {
		return nil, err
	}
	if i >= uint64(len(w.Fields)) {
		return nil, d.failAt(start, ErrInvalid, "variant index out of range")
	}
	wf := w.Fields[i]
	k := sort.Search(len(e.Fields), func(k int) bool { return e.Fields[k].ID >= wf.ID })
	if k == len(e.Fields) || e.Fields[k].ID != wf.ID {
		return nil, d.failAt(start, ErrMismatch, "unknown variant case "+fieldName(wf))
	}
	ef := e.Fields[k]
	v, err := d.value(wf.Type, ef.Type)
	if err != nil {
		return nil, err
	}
	return Variant{ID: ef.ID, Name: ef.Name, Value: v}, nil
}

// skip reads past one value of wire type w, checking that it is well
// formed: a skipped value must be as valid as a decoded one (valid UTF-8,
// minimal LEB128, tags in range), so the accepted set of messages does not
// depend on the receiver's types. It charges the quota like decoding does
// but allocates nothing besides error values.
func (d *decoder) skip(w *Type) error {
	if err := d.charge(1); err != nil {
		return err
	}
	start := d.pos
	switch w.Kind {
	case KindNull, KindReserved:
		return nil
	case KindEmpty:
		return d.fail(ErrInvalid, "value of type empty")
	case KindBool:
		b, err := d.bytes(1)
		if err == nil && b[0] > 1 {
			return d.failAt(start, ErrInvalid, "invalid bool")
		}
		return err
	case KindNat, KindInt:
		n, err := groupLen(d.data[d.pos:], w.Kind == KindInt)
		if err != nil {
			return d.fail(ErrInvalid, err.Error())
		}
		d.pos += n
		return nil
	case KindNat8, KindInt8:
		_, err := d.bytes(1)
		return err
	case KindNat16, KindInt16:
		_, err := d.bytes(2)
		return err
	case KindNat32, KindInt32, KindFloat32:
		_, err := d.bytes(4)
		return err
	case KindNat64, KindInt64, KindFloat64:
		_, err := d.bytes(8)
		return err
	case KindText:
		_, err := d.text()
		return err
	case KindPrincipal, KindService:
		_, err := d.principal()
		return err
	case KindFunc:
		// A function reference has no cheaper check than decoding it;
		// the result is small and discarded.
		_, err := d.value(w, w)
		return err
	case KindFuture:
		// A future value is its byte length m, its reference count n and
		// m bytes; it can be skipped without understanding it.
		m, err := d.count("future value", 1)
		if err != nil {
			return err
		}
		if _, err := d.uleb(); err != nil { // reference count; references are not supported
			return err
		}
		_, err = d.bytes(m)
		return err
	}
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	switch w.Kind {
	case KindOpt:
		b, err := d.bytes(1)
		if err != nil {
			return err
		}
		switch b[0] {
		case 0:
			return nil
		case 1:
			return d.skip(w.Elem)
		}
		return d.failAt(start, ErrInvalid, "invalid opt tag")
	case KindVec:
		n, err := d.count("vec", 0)
		if err != nil {
			return err
		}
		if w.Elem.Kind == KindNat8 {
			_, err := d.bytes(n)
			return err
		}
		if err := d.reserve(n); err != nil {
			return err
		}
		for range n {
			if err := d.skip(w.Elem); err != nil {
				return err
			}
		}
		return nil
	case KindRecord:
		for _, f := range w.Fields {
			if err := d.skip(f.Type); err != nil {
				return err
			}
		}
		return nil
	case KindVariant:
		i, err := d.uleb()
		if err != nil {
			return err
		}
		if i >= uint64(len(w.Fields)) {
			return d.failAt(start, ErrInvalid, "variant index out of range")
		}
		return d.skip(w.Fields[i].Type)
	}
	return d.failAt(start, ErrType, "cannot skip a value of kind "+w.Kind.String())
}

// groupLen validates the LEB128 number at the start of b and returns its
// length.
func groupLen(b []byte, signed bool) (int, error) {
	if signed {
		return leb128.SkipInt(b)
	}
	return leb128.SkipUint(b)
}

// validateTypes checks expected types given to a decoder, with the same
// rules as the encoder (it builds, and discards, their type table). The
// decoder relies on them: fields sorted by id for the record merge and
// the variant search, no nil pointers, no future types.
func validateTypes(ts []*Type) error {
	tb := tableBuilder{idx: map[*Type]int64{}, byBytes: map[string]int64{}, open: map[*Type]bool{}}
	for _, t := range ts {
		if t != nil && t.Kind == KindFuture {
			return errorf(ErrType, "cannot decode at a future type")
		}
		if _, err := tb.ref(t); err != nil {
			return err
		}
	}
	return nil
}
