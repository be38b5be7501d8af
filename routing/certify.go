package routing

import "github.com/thebigfile/bigfile"

// Certifier certifies the stream slices this subnet sends. It is the
// sending half of the state manager plus threshold signing: the proof it
// returns must convince a [Verifier] on another subnet, holding only this
// subnet's public key, that this subnet's certified state at the slice's
// height contains the slice (typically a witness into the certified state
// tree and the subnet's n−f threshold signature on its root).
//
// Certify is called with [Slice.Digest], which covers the sending and
// receiving subnet, the height, the header and every message. The
// certification is opaque to routing. Certify must be deterministic only in
// its effect: any valid certification of the digest will do.
type Certifier interface {
	Certify(digest bigfile.Hash) ([]byte, error)
}

// Verifier checks certifications made by other subnets' [Certifier]s. It
// returns nil only if certification proves digest under the public key of
// subnet from. Routing wraps any error it returns in [ErrUnverifiedSlice].
type Verifier interface {
	Verify(from bigfile.SubnetID, digest bigfile.Hash, certification []byte) error
}

// CubeStatus is a cube's run status as induction needs it.
type CubeStatus uint8

// The cube statuses. The zero value is [Running].
const (
	// Running cubes accept calls.
	Running CubeStatus = iota
	// Stopping cubes refuse new calls (IC0509) but still take responses.
	Stopping
	// Stopped cubes refuse new calls (IC0508).
	Stopped
)

// CubeInfo is what induction needs to know about a cube.
type CubeInfo struct {
	Status CubeStatus
	// Liquid is the balance available for fees: the balance minus what the
	// freezing threshold keeps back. Ingress is refused when the ingress fee
	// exceeds it.
	Liquid bigfile.Cycles
}

// Cubes is routing's view of the cubes hosted on this subnet, supplied by
// execution (or a fake). Both methods are called from the goroutine that
// drives the [Router], in the deterministic order of induction.
type Cubes interface {
	// Cube returns the cube's status and liquid balance, and false if no
	// cube with that id exists on this subnet.
	Cube(id bigfile.CubeID) (CubeInfo, bool)
	// Charge takes fee from the cube's balance. Routing calls it only after
	// Cube reported a liquid balance of at least fee, for each ingress
	// message it inducts; later Cube calls must reflect the charge.
	Charge(id bigfile.CubeID, fee bigfile.Cycles)
}
