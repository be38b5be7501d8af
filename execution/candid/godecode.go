package candid

import (
	"encoding/binary"
	"math"
	"math/big"
	"reflect"
	"sort"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// This file decodes straight into Go values: the same decoding relation
// as decoder.value (decode.go), with the expected type given by a codec
// and the result written through reflection instead of built as a Value.
// Keeping the two in step is checked by FuzzUnmarshal, which compares this
// path with DecodeAs followed by a reference assignment of the Value.
//
// Every reflect.Value written here is addressable and settable: it comes
// from the caller's pointer, a struct field or slice element of one, or a
// reflect.New.

// goArgs decodes the argument list into the targets rvs (the pointed-to
// values of Unmarshal's arguments), with the rules of decoder.args.
func (d *decoder) goArgs(cs []*codec, rvs []reflect.Value) error {
	wire, err := d.header()
	if err != nil {
		return err
	}
	for i, c := range cs {
		if i < len(wire) {
			err = d.goValue(wire[i], c, rvs[i])
		} else {
			err = d.goAbsent(c, rvs[i], "argument")
		}
		if err != nil {
			return err
		}
	}
	for _, w := range wire[min(len(cs), len(wire)):] {
		if err := d.skip(w); err != nil {
			return err
		}
	}
	return d.end()
}

// goAbsent sets rv for a missing argument or record field: nil for opt,
// the zero value for null and reserved, a mismatch for anything else.
func (d *decoder) goAbsent(c *codec, rv reflect.Value, what string) error {
	switch c.t.Kind {
	case KindOpt, KindNull, KindReserved:
		rv.SetZero()
		return nil
	}
	return d.fail(ErrMismatch, "missing "+what+" of type "+c.t.Kind.String())
}

// goValue decodes one value of wire type w into rv through codec c.
func (d *decoder) goValue(w *Type, c *codec, rv reflect.Value) error {
	if err := d.charge(1); err != nil {
		return err
	}
	start := d.pos
	e := c.t
	switch e.Kind {
	case KindReserved:
		return d.skip(w)
	case KindOpt:
		return d.goOpt(w, c, rv)
	}
	if w.Kind == KindEmpty {
		return d.fail(ErrInvalid, "value of type empty")
	}
	if w.Kind != e.Kind && !(w.Kind == KindNat && e.Kind == KindInt) {
		if w.Kind == KindFuture {
			if err := d.skip(w); err != nil {
				return err
			}
		}
		return d.failAt(start, ErrMismatch, "cannot decode "+w.Kind.String()+" as "+e.Kind.String())
	}
	switch c.mode {
	case mNull:
		return nil
	case mBool:
		b, err := d.bytes(1)
		if err != nil {
			return err
		}
		if b[0] > 1 {
			return d.failAt(start, ErrInvalid, "invalid bool")
		}
		rv.SetBool(b[0] == 1)
		return nil
	case mUint, mInt, mFloat32, mFloat64:
		return d.goFixed(e.Kind, rv)
	case mString:
		s, err := d.text()
		if err != nil {
			return err
		}
		rv.SetString(s)
		return nil
	case mNat, mCInt, mBigInt:
		return d.goBig(w, c, rv)
	case mPrincipal, mCubeID, mService:
		p, err := d.principal()
		if err != nil {
			return err
		}
		switch c.mode {
		case mPrincipal:
			*rv.Addr().Interface().(*bigfile.Principal) = p
		case mService:
			*rv.Addr().Interface().(*ServiceRef) = ServiceRef{Principal: p}
		default:
			// Only cube-id-shaped principals fit a CubeID; others are a
			// mismatch (so an opt CubeID reads them as nil).
			id, err := bigfile.CubeIDFromPrincipal(p)
			if err != nil {
				return d.failAt(start, ErrMismatch, "principal "+p.String()+" is not a cube id")
			}
			rv.SetUint(uint64(id))
		}
		return nil
	case mFuncRef:
		// Rare enough to reuse the dynamic decoder.
		v, err := d.value(w, e)
		if err != nil {
			return err
		}
		f, _ := v.(FuncRef)
		*rv.Addr().Interface().(*FuncRef) = f
		return nil
	case mBlob, mByteArray, mVec, mArray:
		return d.goVec(w, c, rv)
	case mRecord:
		return d.goRecord(w, c, rv)
	case mVariant:
		return d.goVariant(w, c, rv)
	}
	return d.failAt(start, ErrType, "cannot decode into Go type "+c.rt.String())
}

// goFixed reads a fixed-width number of kind k into rv. The target's Go
// kind has the same signedness and at least the width of k (guaranteed by
// the codec), so the Set calls never truncate.
func (d *decoder) goFixed(k Kind, rv reflect.Value) error {
	var size int
	switch k {
	case KindNat8, KindInt8:
		size = 1
	case KindNat16, KindInt16:
		size = 2
	case KindNat32, KindInt32, KindFloat32:
		size = 4
	default:
		size = 8
	}
	b, err := d.bytes(size)
	if err != nil {
		return err
	}
	var x uint64
	switch size {
	case 1:
		x = uint64(b[0])
	case 2:
		x = uint64(binary.LittleEndian.Uint16(b))
	case 4:
		x = uint64(binary.LittleEndian.Uint32(b))
	default:
		x = binary.LittleEndian.Uint64(b)
	}
	switch k {
	case KindInt8:
		rv.SetInt(int64(int8(x)))
	case KindInt16:
		rv.SetInt(int64(int16(x)))
	case KindInt32:
		rv.SetInt(int64(int32(x)))
	case KindInt64:
		rv.SetInt(int64(x))
	case KindFloat32:
		rv.SetFloat(float64(math.Float32frombits(uint32(x))))
	case KindFloat64:
		rv.SetFloat(math.Float64frombits(x))
	default:
		rv.SetUint(x)
	}
	return nil
}

// goBig reads a nat or int into a Nat, Int or *big.Int. The big.Int is
// freshly allocated by the LEB128 decoder and handed over without a copy;
// Nat and Int are stored through a pointer to avoid boxing them.
func (d *decoder) goBig(w *Type, c *codec, rv reflect.Value) error {
	var v *big.Int
	var n int
	var err error
	if w.Kind == KindNat {
		v, n, err = leb128.BigUint(d.data[d.pos:])
	} else {
		v, n, err = leb128.BigInt(d.data[d.pos:])
	}
	if err != nil {
		return d.fail(ErrInvalid, err.Error())
	}
	d.pos += n
	switch c.mode {
	case mNat:
		*rv.Addr().Interface().(*Nat) = Nat{v}
	case mCInt:
		*rv.Addr().Interface().(*Int) = Int{v}
	default:
		rv.Set(reflect.ValueOf(v))
	}
	return nil
}

// goOpt decodes at an opt type (a Go pointer) with the rules of
// decoder.opt: none leaves a nil pointer, and a value that does not decode
// at the element type also reads as nil.
func (d *decoder) goOpt(w *Type, c *codec, rv reflect.Value) error {
	switch w.Kind {
	case KindNull, KindReserved:
		rv.SetZero()
		return nil
	case KindOpt:
		b, err := d.bytes(1)
		if err != nil {
			return err
		}
		switch b[0] {
		case 0:
			rv.SetZero()
			return nil
		case 1:
			return d.goOptInner(w.Elem, c, rv)
		}
		return d.fail(ErrInvalid, "invalid opt tag")
	}
	return d.goOptInner(w, c, rv)
}

// goOptInner decodes the content of an opt into a fresh element, which is
// stored only on success, so a failed attempt leaves no partial value.
func (d *decoder) goOptInner(w *Type, c *codec, rv reflect.Value) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	start := d.pos
	n := reflect.New(c.rt.Elem())
	err := d.goValue(w, c.elem, n.Elem())
	if err == nil {
		rv.Set(n)
		return nil
	}
	if !isMismatch(err) {
		return err
	}
	d.pos = start
	if err := d.skip(w); err != nil {
		return err
	}
	rv.SetZero()
	return nil
}

// goVec decodes a vec into a slice or array. Blobs reuse decoder.vec,
// whose result is already a fresh []byte. Slices grow as elements arrive
// (each paid for by the quota), never to the claimed length up front.
func (d *decoder) goVec(w *Type, c *codec, rv reflect.Value) error {
	start := d.pos
	if c.mode == mBlob || c.mode == mByteArray {
		v, err := d.vec(w, c.t)
		if err != nil {
			return err
		}
		b, _ := v.([]byte)
		if c.mode == mBlob {
			rv.SetBytes(b)
			return nil
		}
		if len(b) != rv.Len() {
			return d.failAt(start, ErrMismatch, "wrong length for Go type "+c.rt.String())
		}
		copy(rv.Bytes(), b) // rv is addressable; reflect.Copy would reject named byte types
		return nil
	}
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	n, err := d.count("vec", 0)
	if err != nil {
		return err
	}
	if err := d.reserve(n); err != nil {
		return err
	}
	if c.mode == mArray {
		if n != rv.Len() {
			// Validate the whole vector first, so that a malformed one is
			// reported as invalid whatever the target's length.
			d.pos = start
			if err := d.skip(w); err != nil {
				return err
			}
			return d.failAt(start, ErrMismatch, "wrong length for Go type "+c.rt.String())
		}
		for i := range n {
			if err := d.goValue(w.Elem, c.elem, rv.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
	rv.Set(reflect.MakeSlice(c.rt, 0, min(n, 1024)))
	for i := range n {
		if rv.Len() == rv.Cap() {
			rv.Grow(1)
		}
		rv.SetLen(i + 1)
		if err := d.goValue(w.Elem, c.elem, rv.Index(i)); err != nil {
			return err
		}
	}
	return nil
}

// goRecord decodes a record into a struct with the field merge of
// decoder.record.
func (d *decoder) goRecord(w *Type, c *codec, rv reflect.Value) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	e := c.t
	if err := d.charge(len(w.Fields) + len(e.Fields)); err != nil {
		return err
	}
	j := 0
	missing := func(j int) error {
		f := c.fields[j]
		return d.goAbsent(f.c, rv.Field(f.index), "record field "+fieldName(e.Fields[j]))
	}
	for _, wf := range w.Fields {
		for j < len(e.Fields) && e.Fields[j].ID < wf.ID {
			if err := missing(j); err != nil {
				return err
			}
			j++
		}
		if j < len(e.Fields) && e.Fields[j].ID == wf.ID {
			f := c.fields[j]
			if err := d.goValue(wf.Type, f.c, rv.Field(f.index)); err != nil {
				return err
			}
			j++
			continue
		}
		if err := d.skip(wf.Type); err != nil {
			return err
		}
	}
	for ; j < len(e.Fields); j++ {
		if err := missing(j); err != nil {
			return err
		}
	}
	return nil
}

// goVariant decodes a variant into a struct of case pointers: every case
// is cleared and the chosen one set to a fresh value.
func (d *decoder) goVariant(w *Type, c *codec, rv reflect.Value) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	start := d.pos
	i, err := d.uleb()
	if err != nil {
		return err
	}
	if i >= uint64(len(w.Fields)) {
		return d.failAt(start, ErrInvalid, "variant index out of range")
	}
	wf := w.Fields[i]
	e := c.t
	k := sort.Search(len(e.Fields), func(k int) bool { return e.Fields[k].ID >= wf.ID })
	if k == len(e.Fields) || e.Fields[k].ID != wf.ID {
		return d.failAt(start, ErrMismatch, "unknown variant case "+fieldName(wf))
	}
	f := c.fields[k]
	fv := rv.Field(f.index)
	n := reflect.New(fv.Type().Elem())
	if err := d.goValue(wf.Type, f.c, n.Elem()); err != nil {
		return err
	}
	rv.SetZero()
	fv.Set(n)
	return nil
}
