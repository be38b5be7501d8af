package candid

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// magic starts every Candid message.
var magic = []byte("DIDL")

// maxEncodeDepth bounds the nesting of encoded values, so that a value that
// contains itself (a Vec holding itself) fails instead of exhausting the
// stack.
const maxEncodeDepth = 1 << 14

// Encode returns the Candid encoding of the argument list values, where
// values[i] has type types[i]. See [Value] for the Go type expected for each
// Candid type. It returns an error wrapping [ErrType] for an invalid type
// and [ErrValue] for a value that does not match its type.
func Encode(types []*Type, values []Value) ([]byte, error) {
	return AppendEncode(nil, types, values)
}

// AppendEncode is like [Encode] but appends the message to dst.
func AppendEncode(dst []byte, types []*Type, values []Value) ([]byte, error) {
	if len(types) != len(values) {
		return dst, errorf(ErrValue, "%d types for %d values", len(types), len(values))
	}
	b, err := appendHeader(dst, types)
	if err != nil {
		return dst, err
	}
	for i, t := range types {
		if b, err = appendValue(b, t, values[i], 0); err != nil {
			return dst, err
		}
	}
	return b, nil
}

// appendHeader appends the magic number, the type table and the argument
// type references for types. Building the table also validates every
// type reachable from types, so value encoding can rely on well-formed
// types (non-nil elements, sorted fields) and the header is written only
// once everything checks out.
func appendHeader(b []byte, types []*Type) ([]byte, error) {
	tb := tableBuilder{idx: map[*Type]int64{}, byBytes: map[string]int64{}, open: map[*Type]bool{}}
	refs := make([]int64, len(types))
	for i, t := range types {
		r, err := tb.ref(t)
		if err != nil {
			return b, err
		}
		refs[i] = r
	}
	b = append(b, magic...)
	b = leb128.AppendUint(b, uint64(len(tb.entries)))
	for _, e := range tb.entries {
		b = append(b, e...)
	}
	b = leb128.AppendUint(b, uint64(len(refs)))
	for _, r := range refs {
		b = leb128.AppendInt(b, r)
	}
	return b, nil
}

// tableBuilder assigns type table entries. Entries are added in post-order
// (children first, fields by id), and structurally equal types share one
// entry (hash-consing on the entry's bytes), which reproduces the tables of
// the reference JavaScript encoder for non-recursive types. A node reached
// again while it is still being built (a cycle) gets its slot reserved at
// that moment and filled when it completes.
//
// Matching the JavaScript encoder matters because its output is the de
// facto reference: test vectors, recorded traffic and cached hashes of
// arguments compare bytes, not values.
type tableBuilder struct {
	entries [][]byte
	idx     map[*Type]int64  // finished or reserved nodes
	byBytes map[string]int64 // entry bytes -> index, for non-reserved entries
	open    map[*Type]bool   // nodes being built
}

// ref returns the type reference (opcode or table index) of t, validating t
// and adding its table entries as needed.
func (tb *tableBuilder) ref(t *Type) (int64, error) {
	if t == nil {
		return 0, errorf(ErrType, "nil type")
	}
	if t.Kind.IsPrimitive() {
		return opcodes[t.Kind], nil
	}
	if i, ok := tb.idx[t]; ok {
		return i, nil
	}
	// A node still open is an ancestor: t is reached through a cycle.
	if tb.open[t] {
		// A cycle: reserve the slot now; the entry is filled in when the
		// outer visit of t completes.
		i := int64(len(tb.entries))
		tb.entries = append(tb.entries, nil)
		tb.idx[t] = i
		return i, nil
	}
	tb.open[t] = true
	e, err := tb.entry(t)
	delete(tb.open, t)
	if err != nil {
		return 0, err
	}
	if i, ok := tb.idx[t]; ok { // reserved during the visit
		tb.entries[i] = e
		return i, nil
	}
	// Entries of different nodes with equal bytes denote equal types,
	// because their references already point at shared entries; keep one.
	// Reserved (recursive) entries are never shared this way, as their
	// bytes were not known when other nodes referred to them.
	if i, ok := tb.byBytes[string(e)]; ok {
		tb.idx[t] = i
		return i, nil
	}
	i := int64(len(tb.entries))
	tb.entries = append(tb.entries, e)
	tb.idx[t] = i
	tb.byBytes[string(e)] = i
	return i, nil
}

// entry returns the table entry of the composite type t: its opcode and
// operands, with child types as references. Children are visited before
// the entry is built, in the order the entry lists them, which is what
// puts them ahead of their parent in the table. Invalid types are
// reported here (unsorted or duplicate ids, names that do not hash to
// their ids, bad annotations, methods without function types).
func (tb *tableBuilder) entry(t *Type) ([]byte, error) {
	switch t.Kind {
	case KindOpt, KindVec:
		r, err := tb.ref(t.Elem)
		if err != nil {
			return nil, err
		}
		return leb128.AppendInt(leb128.AppendInt(nil, opcodes[t.Kind]), r), nil
	case KindRecord, KindVariant:
		refs := make([]int64, len(t.Fields))
		for i, f := range t.Fields {
			if f.Name != "" && f.ID != Hash(f.Name) {
				return nil, errorf(ErrType, "field %q has id %d, want %d", f.Name, f.ID, Hash(f.Name))
			}
			if i > 0 && f.ID <= t.Fields[i-1].ID {
				return nil, errorf(ErrType, "%s fields not sorted by unique id (%d after %d)", t.Kind, f.ID, t.Fields[i-1].ID)
			}
			r, err := tb.ref(f.Type)
			if err != nil {
				return nil, err
			}
			refs[i] = r
		}
		e := leb128.AppendInt(nil, opcodes[t.Kind])
		e = leb128.AppendUint(e, uint64(len(t.Fields)))
		for i, f := range t.Fields {
			e = leb128.AppendUint(e, uint64(f.ID))
			e = leb128.AppendInt(e, refs[i])
		}
		return e, nil
	case KindFunc:
		var refs []int64
		for _, a := range t.Args {
			r, err := tb.ref(a)
			if err != nil {
				return nil, err
			}
			refs = append(refs, r)
		}
		for _, a := range t.Results {
			r, err := tb.ref(a)
			if err != nil {
				return nil, err
			}
			refs = append(refs, r)
		}
		e := leb128.AppendInt(nil, opcodes[KindFunc])
		e = leb128.AppendUint(e, uint64(len(t.Args)))
		for _, r := range refs[:len(t.Args)] {
			e = leb128.AppendInt(e, r)
		}
		e = leb128.AppendUint(e, uint64(len(t.Results)))
		for _, r := range refs[len(t.Args):] {
			e = leb128.AppendInt(e, r)
		}
		e = leb128.AppendUint(e, uint64(len(t.Annotations)))
		for _, a := range t.Annotations {
			if a < Query || a > CompositeQuery {
				return nil, errorf(ErrType, "invalid function annotation %d", a)
			}
			e = append(e, byte(a))
		}
		return e, nil
	case KindService:
		refs := make([]int64, len(t.Methods))
		for i, m := range t.Methods {
			if i > 0 && m.Name <= t.Methods[i-1].Name {
				return nil, errorf(ErrType, "service methods not sorted by unique name (%q after %q)", m.Name, t.Methods[i-1].Name)
			}
			if !utf8.ValidString(m.Name) {
				return nil, errorf(ErrType, "method name %q is not valid UTF-8", m.Name)
			}
			if m.Type == nil || m.Type.Kind != KindFunc {
				return nil, errorf(ErrType, "method %q does not have a func type", m.Name)
			}
			r, err := tb.ref(m.Type)
			if err != nil {
				return nil, err
			}
			refs[i] = r
		}
		e := leb128.AppendInt(nil, opcodes[KindService])
		e = leb128.AppendUint(e, uint64(len(t.Methods)))
		for i, m := range t.Methods {
			e = leb128.AppendUint(e, uint64(len(m.Name)))
			e = append(e, m.Name...)
			e = leb128.AppendInt(e, refs[i])
		}
		return e, nil
	}
	return nil, errorf(ErrType, "cannot encode a type of kind %s", t.Kind)
}

// appendValue appends the encoding of v at type t, which has been
// validated by appendHeader. It is lenient where leniency is unambiguous
// (record fields in any order, missing optional fields, a Vec for a blob,
// nil for none) and strict about Go types, since a wrong Go type usually
// means the value was built for another Candid type.
func appendValue(b []byte, t *Type, v Value, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return b, errorf(ErrValue, "value nested deeper than %d", maxEncodeDepth)
	}
	mismatch := func() ([]byte, error) {
		return b, errorf(ErrValue, "%T value for type %s", v, t.Kind)
	}
	switch t.Kind {
	case KindNull:
		if _, ok := v.(Null); !ok {
			return mismatch()
		}
		return b, nil
	case KindReserved:
		// Any value, encoded as nothing: a sender uses reserved to retire
		// a field while keeping its id taken.
		return b, nil
	case KindEmpty:
		return b, errorf(ErrValue, "type empty has no values")
	case KindBool:
		x, ok := v.(bool)
		if !ok {
			return mismatch()
		}
		if x {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case KindNat:
		switch x := v.(type) {
		case Nat:
			return leb128.AppendBigUint(b, x.big())
		case *big.Int:
			if x == nil {
				return mismatch()
			}
			nb, err := leb128.AppendBigUint(b, x)
			if err != nil {
				return b, errorf(ErrValue, "negative value %s for nat", x)
			}
			return nb, nil
		}
		return mismatch()
	case KindInt:
		switch x := v.(type) {
		case Int:
			return leb128.AppendBigInt(b, x.big()), nil
		case *big.Int:
			if x == nil {
				return mismatch()
			}
			return leb128.AppendBigInt(b, x), nil
		}
		return mismatch()
	case KindNat8, KindNat16, KindNat32, KindNat64, KindInt8, KindInt16, KindInt32, KindInt64,
		KindFloat32, KindFloat64:
		nb, ok := appendFixed(b, t.Kind, v)
		if !ok {
			return mismatch()
		}
		return nb, nil
	case KindText:
		x, ok := v.(string)
		if !ok {
			return mismatch()
		}
		return appendText(b, x)
	case KindPrincipal:
		switch x := v.(type) {
		case bigfile.Principal:
			return appendPrincipal(b, x), nil
		case bigfile.CubeID:
			return appendPrincipal(b, x.Principal()), nil
		}
		return mismatch()
	case KindOpt:
		var inner Value
		switch x := v.(type) {
		case Opt:
			inner = x.Value
		case nil:
		default:
			return mismatch()
		}
		if inner == nil {
			return append(b, 0), nil
		}
		return appendValue(append(b, 1), t.Elem, inner, depth+1)
	case KindVec:
		if t.Elem.Kind == KindNat8 {
			if x, ok := v.([]byte); ok {
				return append(leb128.AppendUint(b, uint64(len(x))), x...), nil
			}
		}
		x, ok := v.(Vec)
		if !ok {
			return mismatch()
		}
		b = leb128.AppendUint(b, uint64(len(x)))
		var err error
		for _, e := range x {
			if b, err = appendValue(b, t.Elem, e, depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case KindRecord:
		// Fields are written in the type's order (by id), whatever the
		// value's order. Every value field must be used, so that a typo in
		// a field name is an error rather than a silently dropped field.
		x, ok := v.(Record)
		if !ok {
			return mismatch()
		}
		used := 0
		for i, f := range t.Fields {
			fv, found := x.lookup(i, f)
			if !found {
				switch f.Type.Kind {
				case KindOpt, KindReserved:
				case KindNull:
					fv = Null{}
				default:
					return b, errorf(ErrValue, "record value has no field %s", fieldName(f))
				}
			} else {
				used++
			}
			var err error
			if b, err = appendValue(b, f.Type, fv, depth+1); err != nil {
				return b, err
			}
		}
		if used != len(x) {
			return b, errorf(ErrValue, "record value has %d fields that are not in its type", len(x)-used)
		}
		return b, nil
	case KindVariant:
		// The wire carries the case's index in the type's sorted case list,
		// not its id.
		x, ok := v.(Variant)
		if !ok {
			return mismatch()
		}
		for i, f := range t.Fields {
			if matchField(f, x.Name, x.ID) {
				b = leb128.AppendUint(b, uint64(i))
				return appendValue(b, f.Type, x.Value, depth+1)
			}
		}
		return b, errorf(ErrValue, "variant value case %s is not in its type", fieldName(Field{ID: x.ID, Name: x.Name}))
	case KindFunc:
		// A public method reference: tag 1, the service principal, the
		// method name. Opaque references (tag 0) cannot be produced.
		x, ok := v.(FuncRef)
		if !ok {
			return mismatch()
		}
		b = appendPrincipal(append(b, 1), x.Service)
		return appendText(b, x.Method)
	case KindService:
		x, ok := v.(ServiceRef)
		if !ok {
			return mismatch()
		}
		return appendPrincipal(b, x.Principal), nil
	}
	return b, errorf(ErrType, "cannot encode a value of kind %s", t.Kind)
}

// appendFixed appends a fixed-width number (little-endian, two's complement
// for signed, IEEE 754 for floats) and reports whether v's Go type is the
// one [Value] documents for kind k. The Go type must match exactly: a
// uint64 for a nat32 field is a caller's bug worth reporting, not a value
// to truncate.
func appendFixed(b []byte, k Kind, v Value) ([]byte, bool) {
	switch x := v.(type) {
	case uint8:
		return append(b, x), k == KindNat8
	case uint16:
		return binary.LittleEndian.AppendUint16(b, x), k == KindNat16
	case uint32:
		return binary.LittleEndian.AppendUint32(b, x), k == KindNat32
	case uint64:
		return binary.LittleEndian.AppendUint64(b, x), k == KindNat64
	case int8:
		return append(b, byte(x)), k == KindInt8
	case int16:
		return binary.LittleEndian.AppendUint16(b, uint16(x)), k == KindInt16
	case int32:
		return binary.LittleEndian.AppendUint32(b, uint32(x)), k == KindInt32
	case int64:
		return binary.LittleEndian.AppendUint64(b, uint64(x)), k == KindInt64
	case float32:
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(x)), k == KindFloat32
	case float64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(x)), k == KindFloat64
	}
	return b, false
}

// lookup finds the value of type field f (the i-th field of its type):
// first at position i, then anywhere.
func (r Record) lookup(i int, f Field) (Value, bool) {
	if i < len(r) && matchField(f, r[i].Name, r[i].ID) {
		return r[i].Value, true
	}
	for _, fv := range r {
		if matchField(f, fv.Name, fv.ID) {
			return fv.Value, true
		}
	}
	return nil, false
}

// matchField reports whether a value's field (name, id) is the type field
// f: by name when both have one, else by id.
func matchField(f Field, name string, id uint32) bool {
	if name != "" {
		if f.Name != "" {
			return f.Name == name
		}
		return f.ID == Hash(name)
	}
	return f.ID == id
}

// fieldName names a field in error messages: its name, or its id.
func fieldName(f Field) string {
	if f.Name != "" {
		return f.Name
	}
	return strconv.FormatUint(uint64(f.ID), 10)
}

// appendText appends a text value: the byte length and the UTF-8 bytes.
// Invalid UTF-8 is refused, since every conforming decoder rejects it.
func appendText(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return b, errorf(ErrValue, "text is not valid UTF-8")
	}
	return append(leb128.AppendUint(b, uint64(len(s))), s...), nil
}

// appendPrincipal appends the transparent form of a principal (also used
// for service references): 01, the length, the bytes.
func appendPrincipal(b []byte, p bigfile.Principal) []byte {
	raw, _ := p.MarshalBinary()
	b = append(b, 1)
	b = leb128.AppendUint(b, uint64(len(raw)))
	return append(b, raw...)
}
