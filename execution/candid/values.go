package candid

import (
	"math/big"

	"github.com/thebigfile/bigfile"
)

// Value is a dynamically typed Candid value, always used together with the
// [Type] it belongs to. Its dynamic type depends on the Candid type:
//
//	null                Null
//	bool                bool
//	nat, int            Nat, Int
//	nat8 ... nat64      uint8, uint16, uint32, uint64
//	int8 ... int64      int8, int16, int32, int64
//	float32, float64    float32, float64
//	text                string
//	reserved            Reserved
//	principal           bigfile.Principal
//	opt t               Opt
//	vec nat8 (blob)     []byte (the encoder also accepts Vec)
//	vec t               Vec
//	record              Record
//	variant             Variant
//	func                FuncRef
//	service             ServiceRef
//
// There are no values of type empty.
type Value = any

// Null is the value of type null.
type Null struct{}

// Reserved is the value of type reserved (what any value decodes to when
// reserved is expected).
type Reserved struct{}

// Nat is an arbitrary-precision natural number, the Go value of Candid nat.
// The zero value is 0. Nat is immutable: it is safe to copy and to share.
type Nat struct{ v *big.Int }

// NewNat returns the Nat x.
func NewNat(x uint64) Nat { return Nat{new(big.Int).SetUint64(x)} }

// NatFromBig returns a Nat holding a copy of x. It returns an error if x is
// negative.
func NatFromBig(x *big.Int) (Nat, error) {
	if x.Sign() < 0 {
		return Nat{}, errorf(ErrValue, "negative value %s for nat", x)
	}
	return Nat{new(big.Int).Set(x)}, nil
}

// Big returns a copy of n as a big.Int.
func (n Nat) Big() *big.Int {
	if n.v == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(n.v)
}

// Uint64 returns n as a uint64 and whether it fits.
func (n Nat) Uint64() (uint64, bool) {
	if n.v == nil {
		return 0, true
	}
	return n.v.Uint64(), n.v.IsUint64()
}

// Cmp compares n and m: -1, 0 or +1.
func (n Nat) Cmp(m Nat) int { return n.big().Cmp(m.big()) }

// String returns n in decimal.
func (n Nat) String() string { return n.big().String() }

var zero = new(big.Int)

// big returns n's value, never nil, for reading only (it may be shared).
func (n Nat) big() *big.Int {
	if n.v == nil {
		return zero
	}
	return n.v
}

// Int is an arbitrary-precision integer, the Go value of Candid int. The
// zero value is 0. Int is immutable: it is safe to copy and to share.
type Int struct{ v *big.Int }

// NewInt returns the Int x.
func NewInt(x int64) Int { return Int{big.NewInt(x)} }

// IntFromBig returns an Int holding a copy of x.
func IntFromBig(x *big.Int) Int { return Int{new(big.Int).Set(x)} }

// Big returns a copy of i as a big.Int.
func (i Int) Big() *big.Int { return new(big.Int).Set(i.big()) }

// Int64 returns i as an int64 and whether it fits.
func (i Int) Int64() (int64, bool) { return i.big().Int64(), i.big().IsInt64() }

// Cmp compares i and j: -1, 0 or +1.
func (i Int) Cmp(j Int) int { return i.big().Cmp(j.big()) }

// String returns i in decimal.
func (i Int) String() string { return i.big().String() }

// big returns i's value, never nil, for reading only (it may be shared).
func (i Int) big() *big.Int {
	if i.v == nil {
		return zero
	}
	return i.v
}

// Opt is a value of an opt type: Value is nil for none, or the contained
// value (which is never nil: an opt null holding null is Opt{Null{}}).
type Opt struct{ Value Value }

// Vec is a value of a vec type other than blob.
type Vec []Value

// Record is a value of a record type: its fields, each identified by name
// or id. Decoders return the fields in the type's order (by increasing id),
// with names when the expected type has them. Encoders accept fields in any
// order and match each of the type's fields by name when both have one,
// otherwise by id.
type Record []FieldValue

// FieldValue is one field of a [Record]. A field with a Name has ID
// Hash(Name); encoders use the Name when it is set.
type FieldValue struct {
	ID    uint32
	Name  string
	Value Value
}

// Field returns the value of the field with the given name, or nil.
func (r Record) Field(name string) Value {
	id := Hash(name)
	for _, f := range r {
		if f.Name == name || (f.Name == "" && f.ID == id) {
			return f.Value
		}
	}
	return nil
}

// Variant is a value of a variant type: one case, identified by name (when
// set) or id, and its value.
type Variant struct {
	ID    uint32
	Name  string
	Value Value
}

// FuncRef is a value of a func type: a public method of a service.
type FuncRef struct {
	Service bigfile.Principal
	Method  string
}

// ServiceRef is a value of a service type: the service's principal.
type ServiceRef struct {
	Principal bigfile.Principal
}
