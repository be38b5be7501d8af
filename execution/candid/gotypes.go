package candid

import (
	"encoding/binary"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// mode says how a Go value is read or written for its Candid type.
type mode uint8

const (
	mBool mode = iota + 1
	mString
	mUint // uint8..uint64, uint (nat8..nat64)
	mInt  // int8..int64, int (int8..int64)
	mFloat32
	mFloat64
	mNat    // candid.Nat
	mCInt   // candid.Int
	mBigInt // *big.Int (int)
	mPrincipal
	mCubeID
	mNull
	mReserved
	mOpt       // pointer
	mBlob      // slice of a uint8 kind
	mByteArray // array of a uint8 kind
	mVec       // slice
	mArray     // array
	mRecord    // struct
	mVariant   // struct with the variant option
	mFuncRef   // FuncRef
	mService   // ServiceRef
)

// codec is the compiled mapping between a Go type and a Candid type.
// Codecs are built once per Go type and cached for the life of the
// process (Go types are finite, unlike dynamically built Candid types);
// after publication they are read-only, except for the header, which is
// built once under its sync.Once.
type codec struct {
	t      *Type
	mode   mode
	rt     reflect.Type
	elem   *codec    // mOpt, mVec, mArray
	fields []goField // mRecord, mVariant: in the order of t.Fields
	header sync.Once // single-argument message header, built lazily
	hdr    []byte
	hdrErr error
}

// goField maps one Candid field to a Go struct field.
type goField struct {
	index int    // Go struct field index
	c     *codec // for variants: the codec of the pointer's element
}

var (
	natRT       = reflect.TypeFor[Nat]()
	intRT       = reflect.TypeFor[Int]()
	bigIntPtrRT = reflect.TypeFor[*big.Int]()
	principalRT = reflect.TypeFor[bigfile.Principal]()
	cubeIDRT    = reflect.TypeFor[bigfile.CubeID]()
	nullRT      = reflect.TypeFor[Null]()
	reservedRT  = reflect.TypeFor[Reserved]()
	funcRefRT   = reflect.TypeFor[FuncRef]()
	serviceRT   = reflect.TypeFor[ServiceRef]()
)

// The types of FuncRef and ServiceRef fields. Candid decodes function and
// service references at any function or service type, so these most
// general forms accept every reference.
var (
	anyFuncType    = FuncOf(nil, nil)
	anyServiceType = ServiceOf()
)

// goKinds maps the Go kinds with a fixed Candid type. Named types follow
// their kind (type Cycles uint64 is a nat64). Go's int and uint have no
// fixed width; they map to the 64-bit types, their width on every platform
// BIG supports.
var goKinds = map[reflect.Kind]struct {
	mode mode
	t    *Type
}{
	reflect.Bool: {mBool, BoolType}, reflect.String: {mString, TextType},
	reflect.Uint8: {mUint, Nat8Type}, reflect.Uint16: {mUint, Nat16Type},
	reflect.Uint32: {mUint, Nat32Type}, reflect.Uint64: {mUint, Nat64Type}, reflect.Uint: {mUint, Nat64Type},
	reflect.Int8: {mInt, Int8Type}, reflect.Int16: {mInt, Int16Type},
	reflect.Int32: {mInt, Int32Type}, reflect.Int64: {mInt, Int64Type}, reflect.Int: {mInt, Int64Type},
	reflect.Float32: {mFloat32, Float32Type}, reflect.Float64: {mFloat64, Float64Type},
}

// codecs caches the codec of every Go type seen (reflect.Type -> *codec).
var codecs sync.Map

// codecFor returns the codec of the Go type rt, building and caching it.
func codecFor(rt reflect.Type) (*codec, error) {
	if c, ok := codecs.Load(rt); ok {
		return c.(*codec), nil
	}
	b := builder{building: map[reflect.Type]*codec{}}
	c, err := b.build(rt)
	if err != nil {
		return nil, err
	}
	// Publish every codec built on the way, so that a recursive type's
	// members share one graph.
	for t, bc := range b.building {
		codecs.LoadOrStore(t, bc)
	}
	got, _ := codecs.LoadOrStore(rt, c)
	return got.(*codec), nil
}

// builder compiles codecs; building holds the codecs of this call, which
// makes recursive Go types (a struct holding a pointer or slice of itself)
// map to recursive Candid types.
type builder struct {
	building map[reflect.Type]*codec
}

// build returns the codec of rt. The codec is registered before its
// children are built, so a child that refers back to rt (through a
// pointer, slice or array) gets the same codec and Candid type: the cycle
// in the Go type becomes a cycle in the Candid type graph. Special types
// are checked before kinds, since e.g. bigfile.CubeID is a uint64 but maps
// to principal.
func (b *builder) build(rt reflect.Type) (*codec, error) {
	if c, ok := b.building[rt]; ok {
		return c, nil
	}
	if c, ok := codecs.Load(rt); ok {
		return c.(*codec), nil
	}
	c := &codec{rt: rt, t: &Type{}}
	b.building[rt] = c
	prim := func(m mode, t *Type) (*codec, error) {
		c.mode, c.t = m, t
		return c, nil
	}
	switch rt {
	case natRT:
		return prim(mNat, NatType)
	case intRT:
		return prim(mCInt, IntType)
	case bigIntPtrRT:
		// *big.Int is the number itself, not an opt: that is how Go code
		// passes big integers around, and an optional one is **big.Int
		// or *Int.
		return prim(mBigInt, IntType)
	case principalRT:
		return prim(mPrincipal, PrincipalType)
	case cubeIDRT:
		return prim(mCubeID, PrincipalType)
	case nullRT:
		return prim(mNull, NullType)
	case reservedRT:
		return prim(mReserved, ReservedType)
	case funcRefRT:
		return prim(mFuncRef, anyFuncType)
	case serviceRT:
		return prim(mService, anyServiceType)
	}
	if k, ok := goKinds[rt.Kind()]; ok {
		return prim(k.mode, k.t)
	}
	switch rt.Kind() {
	case reflect.Pointer:
		elem, err := b.build(rt.Elem())
		if err != nil {
			return nil, err
		}
		c.mode, c.elem = mOpt, elem
		c.t.Kind, c.t.Elem = KindOpt, elem.t
		return c, nil
	case reflect.Slice, reflect.Array:
		// Byte slices and arrays are blobs, copied in bulk rather than
		// element by element.
		if rt.Elem().Kind() == reflect.Uint8 && !isSpecial(rt.Elem()) {
			c.mode, c.t = mBlob, BlobType
			if rt.Kind() == reflect.Array {
				c.mode = mByteArray
			}
			return c, nil
		}
		elem, err := b.build(rt.Elem())
		if err != nil {
			return nil, err
		}
		c.mode, c.elem = mVec, elem
		if rt.Kind() == reflect.Array {
			c.mode = mArray
		}
		c.t.Kind, c.t.Elem = KindVec, elem.t
		return c, nil
	case reflect.Struct:
		return c, b.buildStruct(c, rt)
	}
	return nil, errorf(ErrType, "Go type %s has no Candid mapping", rt)
}

// isSpecial reports whether rt has a mapping of its own despite its kind.
func isSpecial(rt reflect.Type) bool {
	switch rt {
	case natRT, intRT, bigIntPtrRT, principalRT, cubeIDRT, nullRT, reservedRT, funcRefRT, serviceRT:
		return true
	}
	return false
}

// buildStruct compiles a struct: a record, or a variant if any field has
// the "variant" tag option. The Candid fields are sorted by id, the wire
// order, and each remembers its Go field index, so encoding and decoding
// walk the struct in wire order without lookups.
func (b *builder) buildStruct(c *codec, rt reflect.Type) error {
	type fieldInfo struct {
		f     Field
		index int
	}
	var fs []fieldInfo
	variant := false
	pos := 0
	for i := range rt.NumField() {
		sf := rt.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("candid"), ",")
		if slices.Contains(strings.Split(opts, ","), "variant") {
			variant = true
		}
		if sf.Name == "_" || !sf.IsExported() || name == "-" {
			continue
		}
		var f Field
		switch {
		case name == "":
			// Positional, like a tuple component: the id is the field's
			// position among the mapped fields.
			f.ID = uint32(pos)
		case isDigits(name):
			id, err := strconv.ParseUint(name, 10, 32)
			if err != nil {
				return errorf(ErrType, "%s.%s: field id %s exceeds 32 bits", rt, sf.Name, name)
			}
			f.ID = uint32(id)
		default:
			f.Name, f.ID = name, Hash(name)
		}
		pos++
		fs = append(fs, fieldInfo{f: f, index: i})
	}
	slices.SortStableFunc(fs, func(a, b fieldInfo) int {
		switch {
		case a.f.ID < b.f.ID:
			return -1
		case a.f.ID > b.f.ID:
			return 1
		}
		return 0
	})
	c.t.Kind, c.mode = KindRecord, mRecord
	if variant {
		c.t.Kind, c.mode = KindVariant, mVariant
	}
	c.t.Fields = make([]Field, len(fs))
	c.fields = make([]goField, len(fs))
	for i, fi := range fs {
		if i > 0 && fi.f.ID == fs[i-1].f.ID {
			return errorf(ErrType, "%s: two fields with id %d", rt, fi.f.ID)
		}
		ft := rt.Field(fi.index).Type
		if variant {
			if ft.Kind() != reflect.Pointer {
				return errorf(ErrType, "%s.%s: variant case fields must be pointers", rt, rt.Field(fi.index).Name)
			}
			ft = ft.Elem()
		}
		fc, err := b.build(ft)
		if err != nil {
			return err
		}
		fi.f.Type = fc.t
		c.t.Fields[i] = fi.f
		c.fields[i] = goField{index: fi.index, c: fc}
	}
	return nil
}

// isDigits reports whether a tag name is a numeric field id.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// TypeOf returns the Candid type that [Marshal] and [Unmarshal] use for
// values of Go type rt, or an error wrapping [ErrType] if rt has no
// mapping. The returned type is shared: do not modify it.
func TypeOf(rt reflect.Type) (*Type, error) {
	c, err := codecFor(rt)
	if err != nil {
		return nil, err
	}
	return c.t, nil
}

// Marshal encodes its arguments as a Candid argument list, deriving each
// argument's type from its Go type (see the package documentation for the
// mapping). Marshal() returns the empty argument list.
//
// It returns an error wrapping [ErrType] for a Go type with no mapping and
// [ErrValue] for a value that cannot be encoded (a variant struct with no
// or several cases set, a negative Nat, invalid UTF-8 text, ...).
func Marshal(args ...any) ([]byte, error) {
	return AppendMarshal(nil, args...)
}

// AppendMarshal is like [Marshal] but appends the message to dst.
func AppendMarshal(dst []byte, args ...any) ([]byte, error) {
	cs := make([]*codec, len(args))
	for i, a := range args {
		if a == nil {
			return dst, errorf(ErrValue, "argument %d is nil", i)
		}
		c, err := codecFor(reflect.TypeOf(a))
		if err != nil {
			return dst, err
		}
		cs[i] = c
	}
	b, err := appendGoHeader(dst, cs)
	if err != nil {
		return dst, err
	}
	for i, a := range args {
		if b, err = appendGo(b, cs[i], reflect.ValueOf(a), 0); err != nil {
			return dst, err
		}
	}
	return b, nil
}

// appendGoHeader appends the message header for the argument codecs,
// caching the header of single-argument messages in the codec. The header
// depends only on the types, and building it (hash-consing the table) is
// most of the cost of encoding a small value, so the common case of one
// struct argument pays for it once per Go type.
func appendGoHeader(b []byte, cs []*codec) ([]byte, error) {
	if len(cs) == 1 {
		c := cs[0]
		c.header.Do(func() { c.hdr, c.hdrErr = appendHeader(nil, []*Type{c.t}) })
		if c.hdrErr != nil {
			return b, c.hdrErr
		}
		return append(b, c.hdr...), nil
	}
	ts := make([]*Type, len(cs))
	for i, c := range cs {
		ts[i] = c.t
	}
	return appendHeader(b, ts)
}

// appendGo appends the encoding of the Go value rv through codec c. It
// writes straight from the Go value, without building a dynamic Value,
// which keeps Marshal to the buffer growth plus the boxing of special
// types (Nat, Principal) by reflect.Value.Interface.
func appendGo(b []byte, c *codec, rv reflect.Value, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return b, errorf(ErrValue, "value nested deeper than %d", maxEncodeDepth)
	}
	switch c.mode {
	case mBool:
		if rv.Bool() {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case mString:
		return appendText(b, rv.String())
	case mUint:
		x := rv.Uint()
		switch c.t.Kind {
		case KindNat8:
			return append(b, byte(x)), nil
		case KindNat16:
			return binary.LittleEndian.AppendUint16(b, uint16(x)), nil
		case KindNat32:
			return binary.LittleEndian.AppendUint32(b, uint32(x)), nil
		}
		return binary.LittleEndian.AppendUint64(b, x), nil
	case mInt:
		x := rv.Int()
		switch c.t.Kind {
		case KindInt8:
			return append(b, byte(x)), nil
		case KindInt16:
			return binary.LittleEndian.AppendUint16(b, uint16(x)), nil
		case KindInt32:
			return binary.LittleEndian.AppendUint32(b, uint32(x)), nil
		}
		return binary.LittleEndian.AppendUint64(b, uint64(x)), nil
	case mFloat32:
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(rv.Float()))), nil
	case mFloat64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(rv.Float())), nil
	case mNat:
		// Nat cannot hold a negative value (its constructors refuse
		// them), so the unsigned encoder cannot fail here.
		n, _ := rv.Interface().(Nat)
		return leb128.AppendBigUint(b, n.big())
	case mCInt:
		i, _ := rv.Interface().(Int)
		return leb128.AppendBigInt(b, i.big()), nil
	case mBigInt:
		if rv.IsNil() {
			return b, errorf(ErrValue, "nil *big.Int")
		}
		x, _ := rv.Interface().(*big.Int)
		return leb128.AppendBigInt(b, x), nil
	case mPrincipal:
		p, _ := rv.Interface().(bigfile.Principal)
		return appendPrincipal(b, p), nil
	case mCubeID:
		return appendPrincipal(b, bigfile.CubeID(rv.Uint()).Principal()), nil
	case mNull, mReserved:
		return b, nil
	case mFuncRef:
		f, _ := rv.Interface().(FuncRef)
		return appendText(appendPrincipal(append(b, 1), f.Service), f.Method)
	case mService:
		s, _ := rv.Interface().(ServiceRef)
		return appendPrincipal(b, s.Principal), nil
	case mOpt:
		if rv.IsNil() {
			return append(b, 0), nil
		}
		return appendGo(append(b, 1), c.elem, rv.Elem(), depth+1)
	case mBlob:
		// rv.Bytes aliases the caller's slice; it is only read.
		b = leb128.AppendUint(b, uint64(rv.Len()))
		return append(b, rv.Bytes()...), nil
	case mByteArray:
		// An array is addressable only when reached through a pointer,
		// slice or addressable struct; a top-level array argument is
		// copied byte by byte instead.
		n := rv.Len()
		b = leb128.AppendUint(b, uint64(n))
		if rv.CanAddr() {
			return append(b, rv.Bytes()...), nil
		}
		for i := range n {
			b = append(b, byte(rv.Index(i).Uint()))
		}
		return b, nil
	case mVec, mArray:
		n := rv.Len()
		b = leb128.AppendUint(b, uint64(n))
		var err error
		for i := range n {
			if b, err = appendGo(b, c.elem, rv.Index(i), depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case mRecord:
		var err error
		for _, f := range c.fields {
			if b, err = appendGo(b, f.c, rv.Field(f.index), depth+1); err != nil {
				return b, err
			}
		}
		return b, nil
	case mVariant:
		// Exactly one case pointer must be set; a zero variant struct is
		// almost always a forgotten assignment, so it is an error rather
		// than a default case.
		chosen := -1
		for i, f := range c.fields {
			if !rv.Field(f.index).IsNil() {
				if chosen >= 0 {
					return b, errorf(ErrValue, "%s: more than one variant case set", c.rt)
				}
				chosen = i
			}
		}
		if chosen < 0 {
			return b, errorf(ErrValue, "%s: no variant case set", c.rt)
		}
		f := c.fields[chosen]
		b = leb128.AppendUint(b, uint64(chosen))
		return appendGo(b, f.c, rv.Field(f.index).Elem(), depth+1)
	}
	return b, errorf(ErrType, "Go type %s has no Candid mapping", c.rt)
}

// Unmarshal decodes a Candid message into the values pointed to by ptrs,
// using the default [Config]; see [Config.Unmarshal].
func Unmarshal(data []byte, ptrs ...any) error { return Config{}.Unmarshal(data, ptrs...) }

// Unmarshal decodes a Candid message into the values pointed to by ptrs.
// The expected type of each argument is derived from the pointed-to Go type
// as by [TypeOf], and the message is decoded with the subtyping rules of
// [Config.DecodeAs]: extra arguments and unknown fields are ignored, and
// missing or undecodable optional values leave nil pointers.
//
// On error the pointed-to values may have been partly written. Errors wrap
// [ErrInvalid], [ErrMismatch], [ErrLimit] (as from DecodeAs) or [ErrType]
// (a nil or non-pointer argument, or a Go type with no mapping).
func (cfg Config) Unmarshal(data []byte, ptrs ...any) error {
	cs := make([]*codec, len(ptrs))
	rvs := make([]reflect.Value, len(ptrs))
	for i, p := range ptrs {
		rv := reflect.ValueOf(p)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return errorf(ErrType, "argument %d is %T, not a non-nil pointer", i, p)
		}
		c, err := codecFor(rv.Type().Elem())
		if err != nil {
			return err
		}
		cs[i], rvs[i] = c, rv.Elem()
	}
	d, err := cfg.newDecoder(data)
	if err != nil {
		return err
	}
	return d.goArgs(cs, rvs)
}
