// Package leb128 encodes and decodes the LEB128 variable-length integers used
// by Candid and the Wasm binary format: unsigned (ULEB128) and signed
// (SLEB128), for uint64/int64 and for arbitrary-precision [big.Int] values.
//
// Encoders append to a caller-supplied slice and never fail for valid input.
// Decoders read from the start of a slice, return the value and the number of
// bytes consumed, and are strict: an encoding must be minimal (no redundant
// trailing 0x80/0xff groups), must fit the target width, and must be
// complete. Strictness gives every value exactly one accepted encoding, so a
// successful decode is also a canonical-form check.
//
// # Usage
//
// Append numbers to a buffer, then read them back in order, advancing by the
// returned length:
//
//	b := leb128.AppendUint(nil, 300)      // ac 02
//	b = leb128.AppendInt(b, -1)           // 7f
//	u, n, err := leb128.Uint(b)           // 300, 2, nil
//	i, m, err := leb128.Int(b[n:])        // -1, 1, nil
//
// Arbitrary-precision values (Candid nat and int) use [AppendBigUint],
// [AppendBigInt], [BigUint] and [BigInt]; a decoded value's size is bounded by
// the input's length.
package leb128
