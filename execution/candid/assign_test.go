package candid

import (
	"reflect"

	"github.com/thebigfile/bigfile"
)

// unmarshalViaValues is the reference implementation of Unmarshal that the
// direct decoder (godecode.go) is checked against: decode to dynamic
// values with DecodeAs, then store them with assign.
func unmarshalViaValues(data []byte, ptrs ...any) error {
	cs := make([]*codec, len(ptrs))
	ts := make([]*Type, len(ptrs))
	for i, p := range ptrs {
		c, err := codecFor(reflect.TypeOf(p).Elem())
		if err != nil {
			return err
		}
		cs[i], ts[i] = c, c.t
	}
	vals, err := Config{}.DecodeAs(data, ts)
	if err != nil {
		return err
	}
	for i, p := range ptrs {
		if err := assign(cs[i], reflect.ValueOf(p).Elem(), vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// assign stores the decoded value v into rv. v was decoded at c.t, so its
// dynamic type is the one [Value] documents for c.t; the checked type
// assertions only guard against a broken invariant, reported as a
// mismatch instead of a panic. Optional values and variant cases get
// freshly allocated targets, and slices are replaced, never appended to,
// so nothing decoded aliases the caller's previous contents or the input.
func assign(c *codec, rv reflect.Value, v Value) error {
	bad := func() error { return errorf(ErrMismatch, "cannot store %T in Go type %s", v, c.rt) }
	switch c.mode {
	case mBool:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		rv.SetBool(x)
	case mString:
		x, ok := v.(string)
		if !ok {
			return bad()
		}
		rv.SetString(x)
	case mUint:
		switch x := v.(type) {
		case uint8:
			rv.SetUint(uint64(x))
		case uint16:
			rv.SetUint(uint64(x))
		case uint32:
			rv.SetUint(uint64(x))
		case uint64:
			rv.SetUint(x)
		default:
			return bad()
		}
	case mInt:
		switch x := v.(type) {
		case int8:
			rv.SetInt(int64(x))
		case int16:
			rv.SetInt(int64(x))
		case int32:
			rv.SetInt(int64(x))
		case int64:
			rv.SetInt(x)
		default:
			return bad()
		}
	case mFloat32:
		x, ok := v.(float32)
		if !ok {
			return bad()
		}
		rv.SetFloat(float64(x))
	case mFloat64:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		rv.SetFloat(x)
	case mNat:
		x, ok := v.(Nat)
		if !ok {
			return bad()
		}
		rv.Set(reflect.ValueOf(x))
	case mCInt, mBigInt:
		x, ok := v.(Int)
		if !ok {
			return bad()
		}
		if c.mode == mCInt {
			rv.Set(reflect.ValueOf(x))
		} else {
			rv.Set(reflect.ValueOf(x.Big()))
		}
	case mPrincipal:
		x, ok := v.(bigfile.Principal)
		if !ok {
			return bad()
		}
		rv.Set(reflect.ValueOf(x))
	case mCubeID:
		// Any principal decodes at principal; only cube-id-shaped ones
		// fit a CubeID, so other principals are a mismatch.
		x, ok := v.(bigfile.Principal)
		if !ok {
			return bad()
		}
		id, err := bigfile.CubeIDFromPrincipal(x)
		if err != nil {
			return errorf(ErrMismatch, "%v", err)
		}
		rv.SetUint(uint64(id))
	case mNull, mReserved:
	case mFuncRef, mService:
		if reflect.TypeOf(v) != c.rt {
			return bad()
		}
		rv.Set(reflect.ValueOf(v))
	case mOpt:
		x, ok := v.(Opt)
		if !ok {
			return bad()
		}
		if x.Value == nil {
			rv.SetZero()
			return nil
		}
		n := reflect.New(c.rt.Elem())
		if err := assign(c.elem, n.Elem(), x.Value); err != nil {
			return err
		}
		rv.Set(n)
	case mBlob, mByteArray:
		x, ok := v.([]byte)
		if !ok {
			return bad()
		}
		if c.mode == mBlob {
			rv.SetBytes(x)
			return nil
		}
		if len(x) != rv.Len() {
			return errorf(ErrMismatch, "%d bytes for Go type %s", len(x), c.rt)
		}
		copy(rv.Bytes(), x)
	case mVec, mArray:
		x, ok := v.(Vec)
		if !ok {
			return bad()
		}
		if c.mode == mArray {
			if len(x) != rv.Len() {
				return errorf(ErrMismatch, "%d elements for Go type %s", len(x), c.rt)
			}
		} else {
			rv.Set(reflect.MakeSlice(c.rt, len(x), len(x)))
		}
		for i, e := range x {
			if err := assign(c.elem, rv.Index(i), e); err != nil {
				return err
			}
		}
	case mRecord:
		x, ok := v.(Record)
		if !ok || len(x) != len(c.fields) {
			return bad()
		}
		for i, f := range c.fields {
			if err := assign(f.c, rv.Field(f.index), x[i].Value); err != nil {
				return err
			}
		}
	case mVariant:
		x, ok := v.(Variant)
		if !ok {
			return bad()
		}
		rv.SetZero()
		for i, f := range c.fields {
			if c.t.Fields[i].ID == x.ID {
				fv := rv.Field(f.index)
				n := reflect.New(fv.Type().Elem())
				if err := assign(f.c, n.Elem(), x.Value); err != nil {
					return err
				}
				fv.Set(n)
				return nil
			}
		}
		return bad()
	default:
		return bad()
	}
	return nil
}
