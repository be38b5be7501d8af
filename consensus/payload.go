package consensus

import "github.com/thebigfile/bigfile"

// Payload is the content of a block. Consensus carries it without looking
// inside: message routing builds and validates it (ingress selected from
// its pool, XNet slices from other subnets) through [Payloads], and gets it
// back in a [bigfile.Batch] once the block is finalized.
type Payload struct {
	Ingress []bigfile.Ingress
	XNet    []bigfile.XNetSlice
}

// Len returns the number of items in p.
func (p Payload) Len() int { return len(p.Ingress) + len(p.XNet) }

// PayloadContext describes the block a payload is built for or checked in.
type PayloadContext struct {
	Height bigfile.Height // the block's height
	Time   bigfile.Time   // the block's time
	// Past lists the payloads of the block's ancestors that have not been
	// delivered as batches yet, parent first. A builder must not repeat
	// what is in them (an ingress message already in a notarized ancestor,
	// say); a validator must reject a payload that does.
	Past []Payload
}

// Payloads builds and validates block payloads; message routing satisfies
// it. Both methods must be deterministic in their inputs and the state of
// delivered batches, since every replica validates the same block. A nil
// Payloads in [Config] makes empty blocks and accepts any payload.
type Payloads interface {
	// BuildPayload returns the payload for a new block. The core takes
	// ownership of the returned slices.
	BuildPayload(ctx PayloadContext) (Payload, error)
	// ValidatePayload returns nil if p is acceptable in a block with ctx.
	ValidatePayload(ctx PayloadContext, p Payload) error
}
