package candid

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/thebigfile/bigfile"
)

// valueEqual compares two values of type t structurally: records and
// variants by field id (names are optional on either side), blobs whether
// given as []byte or Vec, floats bit for bit.
func valueEqual(t *Type, a, b Value) bool {
	return eq(t, a, b, 0)
}

func eq(t *Type, a, b Value, depth int) bool {
	if depth > 10000 {
		return false
	}
	switch t.Kind {
	case KindNat:
		x, ok1 := a.(Nat)
		y, ok2 := b.(Nat)
		return ok1 && ok2 && x.Cmp(y) == 0
	case KindInt:
		x, ok1 := a.(Int)
		y, ok2 := b.(Int)
		return ok1 && ok2 && x.Cmp(y) == 0
	case KindFloat32:
		x, ok1 := a.(float32)
		y, ok2 := b.(float32)
		return ok1 && ok2 && math.Float32bits(x) == math.Float32bits(y)
	case KindFloat64:
		x, ok1 := a.(float64)
		y, ok2 := b.(float64)
		return ok1 && ok2 && math.Float64bits(x) == math.Float64bits(y)
	case KindOpt:
		x, ok1 := a.(Opt)
		y, ok2 := b.(Opt)
		if !ok1 || !ok2 || (x.Value == nil) != (y.Value == nil) {
			return false
		}
		return x.Value == nil || eq(t.Elem, x.Value, y.Value, depth+1)
	case KindVec:
		xs, ys := asVec(a), asVec(b)
		if xs == nil || ys == nil || len(xs) != len(ys) {
			return false
		}
		for i := range xs {
			if !eq(t.Elem, xs[i], ys[i], depth+1) {
				return false
			}
		}
		return true
	case KindRecord:
		x, ok1 := a.(Record)
		y, ok2 := b.(Record)
		if !ok1 || !ok2 || len(x) != len(y) {
			return false
		}
		for i, f := range t.Fields {
			xv, ok1 := x.lookup(i, f)
			yv, ok2 := y.lookup(i, f)
			if !ok1 || !ok2 || !eq(f.Type, xv, yv, depth+1) {
				return false
			}
		}
		return true
	case KindVariant:
		x, ok1 := a.(Variant)
		y, ok2 := b.(Variant)
		if !ok1 || !ok2 {
			return false
		}
		for _, f := range t.Fields {
			if matchField(f, x.Name, x.ID) {
				return matchField(f, y.Name, y.ID) && eq(f.Type, x.Value, y.Value, depth+1)
			}
		}
		return false
	}
	return a == b
}

// asVec returns the elements of a Vec or a []byte (as uint8 values), or
// nil for anything else.
func asVec(v Value) []Value {
	switch x := v.(type) {
	case Vec:
		if x == nil {
			return []Value{}
		}
		return x
	case []byte:
		out := make([]Value, len(x))
		for i, c := range x {
			out[i] = c
		}
		return out
	}
	return nil
}

// gen produces random types and values from a seeded source.
type gen struct {
	r *rand.Rand
}

var genPrims = []*Type{NullType, BoolType, NatType, IntType, Nat8Type, Nat16Type, Nat32Type, Nat64Type,
	Int8Type, Int16Type, Int32Type, Int64Type, Float32Type, Float64Type, TextType, ReservedType, PrincipalType}

// typ returns a random type of nesting at most depth. knots are enclosing
// recursive nodes that may be referenced.
func (g *gen) typ(depth int, knots []*Type) *Type {
	n := g.r.IntN(20)
	if depth <= 0 || n < 8 {
		if len(knots) > 0 && g.r.IntN(4) == 0 {
			return knots[g.r.IntN(len(knots))]
		}
		return genPrims[g.r.IntN(len(genPrims))]
	}
	switch n {
	case 8, 9:
		if g.r.IntN(8) == 0 {
			return OptOf(EmptyType)
		}
		return OptOf(g.typ(depth-1, knots))
	case 10, 11:
		if g.r.IntN(6) == 0 {
			return BlobType
		}
		return VecOf(g.typ(depth-1, knots))
	case 12, 13:
		return RecordOf(g.fields(depth, knots, false)...)
	case 14, 15:
		return VariantOf(g.fields(depth, knots, true)...)
	case 16:
		return TupleOf(g.typ(depth-1, knots), g.typ(depth-1, knots))
	case 17:
		// A recursive knot: opt or vec around a body that may refer back.
		k := &Type{Kind: KindOpt}
		if g.r.IntN(2) == 0 {
			k.Kind = KindVec
		}
		k.Elem = g.typ(depth-1, append(knots[:len(knots):len(knots)], k))
		return k
	case 18:
		return g.funcType(depth)
	default:
		var ms []Method
		for i := g.r.IntN(3); i > 0; i-- {
			ms = append(ms, Method{Name: g.name(), Type: g.funcType(depth)})
		}
		slicesUniqMethods(&ms)
		return ServiceOf(ms...)
	}
}

func slicesUniqMethods(ms *[]Method) {
	seen := map[string]bool{}
	out := (*ms)[:0]
	for _, m := range *ms {
		if !seen[m.Name] {
			seen[m.Name] = true
			out = append(out, m)
		}
	}
	*ms = out
}

func (g *gen) funcType(depth int) *Type {
	var args, res []*Type
	for i := g.r.IntN(3); i > 0; i-- {
		args = append(args, g.typ(depth-2, nil))
	}
	for i := g.r.IntN(2); i > 0; i-- {
		res = append(res, g.typ(depth-2, nil))
	}
	var ann []FuncAnnotation
	if g.r.IntN(2) == 0 {
		ann = append(ann, FuncAnnotation(1+g.r.IntN(3)))
	}
	return FuncOf(args, res, ann...)
}

func (g *gen) fields(depth int, knots []*Type, variant bool) []Field {
	n := g.r.IntN(5)
	if variant {
		n++
	}
	seen := map[uint32]bool{}
	var fs []Field
	for range n {
		var f Field
		if g.r.IntN(3) == 0 {
			f.ID = uint32(g.r.IntN(8))
		} else {
			f.Name = g.name()
			f.ID = Hash(f.Name)
		}
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		f.Type = g.typ(depth-1, knots)
		fs = append(fs, f)
	}
	return fs
}

func (g *gen) name() string {
	const letters = "abcdefghijklmnopqrstuvwxyz_"
	b := make([]byte, 1+g.r.IntN(10))
	for i := range b {
		b[i] = letters[g.r.IntN(len(letters))]
	}
	if g.r.IntN(10) == 0 {
		return string(b) + "é"
	}
	return string(b)
}

func (g *gen) principal() bigfile.Principal {
	b := make([]byte, g.r.IntN(30))
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	p, err := bigfile.PrincipalFromBytes(b)
	if err != nil {
		panic(err)
	}
	return p
}

func (g *gen) bigInt() *big.Int {
	switch g.r.IntN(4) {
	case 0:
		return big.NewInt(int64(g.r.IntN(200)) - 100)
	case 1:
		return big.NewInt(int64(g.r.Uint64()))
	}
	b := make([]byte, g.r.IntN(24))
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	x := new(big.Int).SetBytes(b)
	if g.r.IntN(2) == 0 {
		x.Neg(x)
	}
	return x
}

// value returns a random value of t; depth bounds recursion through knots.
func (g *gen) value(t *Type, depth int) Value {
	switch t.Kind {
	case KindNull:
		return Null{}
	case KindBool:
		return g.r.IntN(2) == 0
	case KindNat:
		return Nat{new(big.Int).Abs(g.bigInt())}
	case KindInt:
		return Int{g.bigInt()}
	case KindNat8:
		return uint8(g.r.Uint32())
	case KindNat16:
		return uint16(g.r.Uint32())
	case KindNat32:
		return g.r.Uint32()
	case KindNat64:
		return g.r.Uint64()
	case KindInt8:
		return int8(g.r.Uint32())
	case KindInt16:
		return int16(g.r.Uint32())
	case KindInt32:
		return int32(g.r.Uint32())
	case KindInt64:
		return int64(g.r.Uint64())
	case KindFloat32:
		return math.Float32frombits(g.r.Uint32())
	case KindFloat64:
		return math.Float64frombits(g.r.Uint64())
	case KindText:
		return g.name()
	case KindReserved:
		return Reserved{}
	case KindPrincipal:
		return g.principal()
	case KindOpt:
		if t.Elem.Kind == KindEmpty || depth <= 0 || g.r.IntN(3) == 0 {
			return Opt{}
		}
		return Opt{g.value(t.Elem, depth-1)}
	case KindVec:
		n := g.r.IntN(4)
		if depth <= 0 {
			n = 0
		}
		if t.Elem.Kind == KindNat8 {
			b := make([]byte, n*3)
			for i := range b {
				b[i] = byte(g.r.Uint32())
			}
			return b
		}
		v := make(Vec, n)
		for i := range v {
			v[i] = g.value(t.Elem, depth-1)
		}
		return v
	case KindRecord:
		r := make(Record, len(t.Fields))
		for i, f := range t.Fields {
			r[i] = FieldValue{ID: f.ID, Name: f.Name, Value: g.value(f.Type, depth-1)}
		}
		g.r.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
		return r
	case KindVariant:
		f := t.Fields[g.r.IntN(len(t.Fields))]
		return Variant{ID: f.ID, Name: f.Name, Value: g.value(f.Type, depth-1)}
	case KindFunc:
		return FuncRef{Service: g.principal(), Method: g.name()}
	case KindService:
		return ServiceRef{Principal: g.principal()}
	}
	panic(fmt.Sprintf("gen: no values of kind %s", t.Kind))
}
