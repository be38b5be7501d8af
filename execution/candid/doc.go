// Package candid encodes and decodes Candid, the interface description
// language of Internet Computer canisters (BigFile cubes), in its binary
// form: the "DIDL" messages carried as call arguments and replies.
//
// It offers two views of the same format:
//
//   - Go values: [Marshal] and [Unmarshal] derive Candid types from Go types
//     and struct tags, the way encoding/json does.
//   - A dynamic form: a [Type] graph and [Value] trees, with [Encode],
//     [Decode] (at the types the message carries) and [DecodeAs] (at
//     expected types, with Candid's subtyping rules).
//
// Everything is deterministic and pure: no I/O, no global state apart from
// a cache of compiled Go type mappings.
//
// # Usage
//
// Describe a method's argument as a Go struct, tagging each field with its
// Candid name, and marshal it. A struct becomes a variant when a field
// carries the "variant" option; its cases are pointer fields, exactly one
// of which is set:
//
//	type InstallMode struct {
//		Install   *candid.Null `candid:"install,variant"`
//		Reinstall *candid.Null `candid:"reinstall"`
//	}
//	type InstallCodeArgs struct {
//		Mode       InstallMode       `candid:"mode"`
//		CanisterID bigfile.Principal `candid:"canister_id"`
//		WasmModule []byte            `candid:"wasm_module"`
//		Arg        []byte            `candid:"arg"`
//		SenderVer  *uint64           `candid:"sender_canister_version"`
//	}
//	arg, err := candid.Marshal(InstallCodeArgs{Mode: InstallMode{Install: &candid.Null{}}, ...})
//
// Decode a reply into pointers, one per result value:
//
//	var res struct {
//		CanisterID bigfile.Principal `candid:"canister_id"`
//	}
//	err := candid.Unmarshal(reply, &res)
//
// Unmarshal applies Candid's subtyping rules, so a reply from a newer
// interface still decodes: unknown record fields are skipped, missing opt
// fields leave nil pointers, a value that does not fit an opt type (an
// unknown variant case inside an opt, say) decodes as nil, nat reads as
// int, and extra results are ignored.
//
// To inspect a message whose types are unknown, use [Decode], which returns
// the wire types and [Value] trees; print a type with [Type.String].
// Build types for [Encode] and [DecodeAs] with [RecordOf], [VariantOf],
// [OptOf], [VecOf], [TupleOf], [FuncOf], [ServiceOf], [F] and the primitive
// variables such as [NatType]; a recursive type is a pointer cycle.
//
// # Go type mapping
//
//	Go type                          Candid type
//	bool                             bool
//	string                           text (must be valid UTF-8)
//	uint8, uint16, uint32, uint64    nat8, nat16, nat32, nat64 (uint: nat64)
//	int8, int16, int32, int64        int8, int16, int32, int64 (int: int64)
//	float32, float64                 float32, float64
//	Nat                              nat
//	Int, *big.Int                    int (a nil *big.Int cannot be encoded)
//	bigfile.Principal                principal
//	bigfile.CubeID                   principal (only cube-id principals decode)
//	Null, Reserved                   null, reserved
//	FuncRef, ServiceRef              func () -> (), service {} (see below)
//	[]byte, [N]byte (uint8 kinds)    blob (vec nat8)
//	*T (other than *big.Int)         opt T (nil is none)
//	[]T, [N]T                        vec T (an array needs exactly N elements)
//	struct                           record, or variant (see below)
//
// Struct fields are mapped by the tag `candid:"name"`. A field without a
// name in its tag gets the next positional id (0, 1, 2, ... counting the
// mapped fields in order), so an untagged struct is a tuple; a name of
// decimal digits is a numeric field id; "-" skips the field. Unexported
// fields are skipped, and embedded structs are ordinary fields (they are
// not flattened). The "variant" option on any field (or on a blank marker
// field, _ struct{} with the tag candid:",variant") makes the struct a
// variant: every mapped
// field is a case and must be a pointer, whose element type is the case's
// type (*Null for a case without data). Recursive Go types map to recursive
// Candid types. Maps, interfaces, channels and functions have no mapping.
//
// Go-side constraints count as type mismatches: a vec whose length differs
// from a Go array's, or a principal that is not a cube id decoded into a
// bigfile.CubeID, fails with [ErrMismatch], and inside an opt (a pointer)
// reads as nil, like any other value that does not fit.
//
// [FuncRef] and [ServiceRef] map to the most general reference types,
// func () -> () and service {}. Candid decodes a reference at any function
// or service type, so they accept every reference; but a receiver that
// checks function types statically may reject what they encode, so use the
// dynamic form ([Encode]) to send a reference with its exact type. [TypeOf]
// shows the type derived for a Go type.
//
// # Encoding
//
// The encoder writes the type table in the order of the reference
// JavaScript implementation (children before parents, fields by id, one
// entry per distinct type), so messages match its bytes exactly. Encoding
// appends to a buffer ([AppendEncode], [AppendMarshal]), and the type table
// of a single-argument Go message is compiled once per Go type.
//
// # Decoding limits
//
// Decoders never panic and bound their memory by the input: every length
// prefix is checked against the remaining input or the decoding quota
// before anything is allocated, and [Config] sets the quota (work units per
// message, by default proportional to the input length) and the nesting
// depth. A vec of null claiming 2^60 elements fails at once with
// [ErrLimit]. Integer encodings must be minimal LEB128.
//
// # Errors
//
// Errors start with "candid: " and wrap one of [ErrInvalid] (malformed
// input), [ErrMismatch] (a value that does not decode at the expected
// type), [ErrLimit], [ErrType] (an invalid type or an unmapped Go type) and
// [ErrValue] (a value that does not match its type when encoding).
// Decoding errors are *[DecodeError] values carrying the byte offset.
package candid
