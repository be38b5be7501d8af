package candid

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Kind is the constructor of a Candid [Type]. Kinds are this package's
// numbering, not wire opcodes: the opcodes are negative SLEB128 numbers
// with gaps, while a small dense Kind indexes tables and keeps the zero
// value invalid, so an uninitialised Type is caught by the encoder.
type Kind uint8

// The kinds of Candid types. The zero Kind is invalid.
const (
	KindNull Kind = iota + 1
	KindBool
	KindNat
	KindInt
	KindNat8
	KindNat16
	KindNat32
	KindNat64
	KindInt8
	KindInt16
	KindInt32
	KindInt64
	KindFloat32
	KindFloat64
	KindText
	KindReserved
	KindEmpty
	KindPrincipal
	KindOpt
	KindVec
	KindRecord
	KindVariant
	KindFunc
	KindService
	// KindFuture is a type with an opcode below -24 that a newer encoder
	// may send; decoders skip its values. It cannot be encoded.
	KindFuture
)

var kindNames = [...]string{
	KindNull: "null", KindBool: "bool", KindNat: "nat", KindInt: "int",
	KindNat8: "nat8", KindNat16: "nat16", KindNat32: "nat32", KindNat64: "nat64",
	KindInt8: "int8", KindInt16: "int16", KindInt32: "int32", KindInt64: "int64",
	KindFloat32: "float32", KindFloat64: "float64", KindText: "text",
	KindReserved: "reserved", KindEmpty: "empty", KindPrincipal: "principal",
	KindOpt: "opt", KindVec: "vec", KindRecord: "record", KindVariant: "variant",
	KindFunc: "func", KindService: "service", KindFuture: "future",
}

// String returns the Candid keyword of k ("nat", "record", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// IsPrimitive reports whether k is a primitive type: one encoded by its
// opcode alone, never placed in the type table.
func (k Kind) IsPrimitive() bool { return k >= KindNull && k <= KindPrincipal }

// opcodes maps primitive and constructor kinds to their SLEB128 opcodes
// (reference/system-api.md §5.2). KindFuture has no fixed opcode: each
// future type carries its own in Type.Opcode.
var opcodes = [...]int64{
	KindNull: -1, KindBool: -2, KindNat: -3, KindInt: -4,
	KindNat8: -5, KindNat16: -6, KindNat32: -7, KindNat64: -8,
	KindInt8: -9, KindInt16: -10, KindInt32: -11, KindInt64: -12,
	KindFloat32: -13, KindFloat64: -14, KindText: -15, KindReserved: -16,
	KindEmpty: -17, KindOpt: -18, KindVec: -19, KindRecord: -20,
	KindVariant: -21, KindFunc: -22, KindService: -23, KindPrincipal: -24,
}

// FuncAnnotation is a function type annotation, encoded as one byte. The
// spec treats annotations as a set; encoders write them in the order given
// and decoders keep the wire order.
type FuncAnnotation uint8

// Function annotations (query, oneway, composite_query).
const (
	Query          FuncAnnotation = 1
	Oneway         FuncAnnotation = 2
	CompositeQuery FuncAnnotation = 3
)

// String returns the Candid keyword of a.
func (a FuncAnnotation) String() string {
	switch a {
	case Query:
		return "query"
	case Oneway:
		return "oneway"
	case CompositeQuery:
		return "composite_query"
	}
	return "annotation(" + strconv.Itoa(int(a)) + ")"
}

// Type is a Candid type. Types form a graph: a recursive type is a cycle of
// pointers (see the package example of a recursive list), and a type may be
// shared between several parents.
//
// Build types with the constructors ([OptOf], [RecordOf], ...) and the
// primitive variables ([NatType], [TextType], ...), which fill in field ids
// and sort fields and methods. A Type must not be modified once it has been
// passed to this package: encoders cache derived data by pointer, and the
// primitive variables are shared by every caller. Types built by this
// package (decoded wire types, Go-derived types) are never modified after
// they are returned, so they are safe for concurrent use.
type Type struct {
	// Kind is the constructor. Only the fields below that belong to Kind
	// are meaningful.
	Kind Kind
	// Elem is the element type of KindOpt and KindVec.
	Elem *Type
	// Fields are the fields of KindRecord and the cases of KindVariant,
	// sorted by strictly increasing ID.
	Fields []Field
	// Args and Results are the parameter and result types of KindFunc;
	// Annotations its annotations.
	Args, Results []*Type
	Annotations   []FuncAnnotation
	// Methods are the methods of KindService, sorted by strictly
	// increasing name; each method's type has KindFunc.
	Methods []Method
	// Opcode is the wire opcode of a KindFuture type (below -24).
	Opcode int64
}

// Field is a record field or a variant case. Name is optional: a field's
// identity on the wire is its ID, which for a named field is [Hash] of the
// name. Decoded wire types carry IDs only.
type Field struct {
	ID   uint32
	Name string
	Type *Type
}

// Method is a service method: a name and a function type.
type Method struct {
	Name string
	Type *Type
}

// The primitive types, shared. Never modify them.
var (
	NullType      = &Type{Kind: KindNull}
	BoolType      = &Type{Kind: KindBool}
	NatType       = &Type{Kind: KindNat}
	IntType       = &Type{Kind: KindInt}
	Nat8Type      = &Type{Kind: KindNat8}
	Nat16Type     = &Type{Kind: KindNat16}
	Nat32Type     = &Type{Kind: KindNat32}
	Nat64Type     = &Type{Kind: KindNat64}
	Int8Type      = &Type{Kind: KindInt8}
	Int16Type     = &Type{Kind: KindInt16}
	Int32Type     = &Type{Kind: KindInt32}
	Int64Type     = &Type{Kind: KindInt64}
	Float32Type   = &Type{Kind: KindFloat32}
	Float64Type   = &Type{Kind: KindFloat64}
	TextType      = &Type{Kind: KindText}
	ReservedType  = &Type{Kind: KindReserved}
	EmptyType     = &Type{Kind: KindEmpty}
	PrincipalType = &Type{Kind: KindPrincipal}
	// BlobType is vec nat8, whose values are []byte.
	BlobType = &Type{Kind: KindVec, Elem: Nat8Type}
)

// primTypes maps a primitive kind to its shared Type. The decoder points
// wire references at these, so decoded type graphs share primitives with
// user-built ones and comparisons of primitive kinds never allocate.
var primTypes = [...]*Type{
	KindNull: NullType, KindBool: BoolType, KindNat: NatType, KindInt: IntType,
	KindNat8: Nat8Type, KindNat16: Nat16Type, KindNat32: Nat32Type, KindNat64: Nat64Type,
	KindInt8: Int8Type, KindInt16: Int16Type, KindInt32: Int32Type, KindInt64: Int64Type,
	KindFloat32: Float32Type, KindFloat64: Float64Type, KindText: TextType,
	KindReserved: ReservedType, KindEmpty: EmptyType, KindPrincipal: PrincipalType,
}

// OptOf returns the type opt t.
func OptOf(t *Type) *Type { return &Type{Kind: KindOpt, Elem: t} }

// VecOf returns the type vec t.
func VecOf(t *Type) *Type { return &Type{Kind: KindVec, Elem: t} }

// RecordOf returns a record type. Fields with a Name get ID Hash(Name);
// fields are sorted by ID. Duplicate IDs are reported when the type is
// encoded.
func RecordOf(fields ...Field) *Type {
	return &Type{Kind: KindRecord, Fields: normFields(fields)}
}

// VariantOf returns a variant type; fields are normalised as by [RecordOf].
func VariantOf(fields ...Field) *Type {
	return &Type{Kind: KindVariant, Fields: normFields(fields)}
}

// TupleOf returns the record type whose fields 0, 1, ... have types ts.
func TupleOf(ts ...*Type) *Type {
	fs := make([]Field, len(ts))
	for i, t := range ts {
		fs[i] = Field{ID: uint32(i), Type: t}
	}
	return &Type{Kind: KindRecord, Fields: fs}
}

// FuncOf returns a function type.
func FuncOf(args, results []*Type, annotations ...FuncAnnotation) *Type {
	return &Type{Kind: KindFunc, Args: args, Results: results, Annotations: annotations}
}

// ServiceOf returns a service type with the methods sorted by name.
func ServiceOf(methods ...Method) *Type {
	ms := slices.Clone(methods)
	slices.SortStableFunc(ms, func(a, b Method) int { return strings.Compare(a.Name, b.Name) })
	return &Type{Kind: KindService, Methods: ms}
}

// F is shorthand for a named field: F(name, t) is Field{Name: name, Type: t}
// (its ID is filled in by [RecordOf] and [VariantOf]).
func F(name string, t *Type) Field { return Field{Name: name, Type: t} }

// normFields copies fields (so the caller's slice is never reordered), sets
// the ids of named fields and sorts by id. The stable sort keeps
// duplicates in the caller's order, so the encoder's duplicate-id error
// names them as written.
func normFields(fields []Field) []Field {
	fs := slices.Clone(fields)
	for i := range fs {
		if fs[i].Name != "" {
			fs[i].ID = Hash(fs[i].Name)
		}
	}
	slices.SortStableFunc(fs, func(a, b Field) int { return cmp.Compare(a.ID, b.ID) })
	return fs
}

// Hash returns the field id of a field or case name: the fold of
// h*223 + b over the UTF-8 bytes b of name, modulo 2^32, from 0.
func Hash(name string) uint32 {
	var h uint32
	for i := 0; i < len(name); i++ {
		h = h*223 + uint32(name[i])
	}
	return h
}

// isTuple reports whether fs are numbered 0, 1, 2, ... without names, in
// which case String prints the record in the short tuple syntax
// record { nat; text }.
func isTuple(fs []Field) bool {
	for i, f := range fs {
		if f.ID != uint32(i) || f.Name != "" {
			return false
		}
	}
	return true
}

// String returns t in Candid's textual syntax. Recursive types are printed
// with named knots (μ0, μ1, ...) at the nodes that are re-entered.
func (t *Type) String() string {
	p := printer{names: map[*Type]string{}, open: map[*Type]bool{}}
	p.findKnots(t)
	p.open = map[*Type]bool{}
	var b strings.Builder
	p.print(&b, t)
	return b.String()
}

// printer renders a type graph, naming the nodes reached through a cycle.
// Printing takes two passes: findKnots finds the nodes that are re-entered
// while on the current path (the heads of cycles) and names them; print
// then writes "μN." before a knot's first expansion and "μN" for every
// reference made from inside it. A shared but acyclic node is simply
// printed at each use, as the textual syntax has no other way to say it.
type printer struct {
	names map[*Type]string // knot names, for nodes re-entered during printing
	open  map[*Type]bool   // nodes on the current path
	done  map[*Type]bool
}

// findKnots walks the graph depth first and names every node found on
// the current path again, i.e. every head of a cycle.
func (p *printer) findKnots(t *Type) {
	if t == nil || t.Kind.IsPrimitive() {
		return
	}
	if p.open[t] {
		if _, ok := p.names[t]; !ok {
			p.names[t] = "μ" + strconv.Itoa(len(p.names))
		}
		return
	}
	if p.done == nil {
		p.done = map[*Type]bool{}
	}
	if p.done[t] {
		return
	}
	p.open[t] = true
	t.children(p.findKnots)
	delete(p.open, t)
	p.done[t] = true
}

// children calls f on every direct child type of t, in the order of the
// binary encoding (elements, fields by id, arguments then results, methods
// by name).
func (t *Type) children(f func(*Type)) {
	switch t.Kind {
	case KindOpt, KindVec:
		f(t.Elem)
	case KindRecord, KindVariant:
		for _, fd := range t.Fields {
			f(fd.Type)
		}
	case KindFunc:
		for _, a := range t.Args {
			f(a)
		}
		for _, r := range t.Results {
			f(r)
		}
	case KindService:
		for _, m := range t.Methods {
			f(m.Type)
		}
	}
}

// print writes t, using knot names for cycles found by findKnots.
func (p *printer) print(b *strings.Builder, t *Type) {
	if t == nil {
		b.WriteString("<nil>")
		return
	}
	if t.Kind.IsPrimitive() {
		b.WriteString(t.Kind.String())
		return
	}
	name, knot := p.names[t]
	if knot && p.open[t] {
		b.WriteString(name)
		return
	}
	if knot {
		b.WriteString(name)
		b.WriteByte('.')
	}
	p.open[t] = true
	defer delete(p.open, t)
	switch t.Kind {
	case KindOpt, KindVec:
		if t.Kind == KindVec && t.Elem != nil && t.Elem.Kind == KindNat8 {
			b.WriteString("blob")
			return
		}
		b.WriteString(t.Kind.String())
		b.WriteByte(' ')
		p.print(b, t.Elem)
	case KindRecord, KindVariant:
		b.WriteString(t.Kind.String())
		b.WriteString(" {")
		tuple := t.Kind == KindRecord && isTuple(t.Fields)
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(";")
			}
			b.WriteByte(' ')
			if !tuple {
				if f.Name != "" {
					b.WriteString(quoteName(f.Name))
				} else {
					b.WriteString(strconv.FormatUint(uint64(f.ID), 10))
				}
				if t.Kind == KindVariant && f.Type != nil && f.Type.Kind == KindNull {
					continue
				}
				b.WriteString(" : ")
			}
			p.print(b, f.Type)
		}
		if len(t.Fields) > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('}')
	case KindFunc:
		b.WriteString("func ")
		p.printFunc(b, t)
	case KindService:
		b.WriteString("service {")
		for i, m := range t.Methods {
			if i > 0 {
				b.WriteString(";")
			}
			b.WriteByte(' ')
			b.WriteString(quoteName(m.Name))
			b.WriteString(" : ")
			if m.Type != nil && m.Type.Kind == KindFunc && p.names[m.Type] == "" {
				p.printFunc(b, m.Type)
			} else {
				p.print(b, m.Type)
			}
		}
		if len(t.Methods) > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('}')
	case KindFuture:
		b.WriteString("future(" + strconv.FormatInt(t.Opcode, 10) + ")")
	default:
		b.WriteString(t.Kind.String())
	}
}

// printFunc writes a function signature: (args) -> (results) annotations.
func (p *printer) printFunc(b *strings.Builder, t *Type) {
	list := func(ts []*Type) {
		b.WriteByte('(')
		for i, a := range ts {
			if i > 0 {
				b.WriteString(", ")
			}
			p.print(b, a)
		}
		b.WriteByte(')')
	}
	list(t.Args)
	b.WriteString(" -> ")
	list(t.Results)
	for _, a := range t.Annotations {
		b.WriteByte(' ')
		b.WriteString(a.String())
	}
}

// quoteName returns name as a Candid identifier, quoting it when it is not
// a plain identifier (names may be any UTF-8 string, and the hash of a
// quoted name is the hash of its contents).
func quoteName(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return strconv.Quote(name)
	}
	if name == "" {
		return `""`
	}
	return name
}
