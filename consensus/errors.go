package consensus

import "errors"

// Errors returned by the package. Returned errors wrap one of these and add
// detail; test with [errors.Is].
var (
	// ErrMalformed reports an artifact encoding that [Decode] cannot parse.
	ErrMalformed = errors.New("consensus: malformed artifact")
	// ErrInvalidConfig reports a [Config] that fails [Config.Validate].
	ErrInvalidConfig = errors.New("consensus: invalid config")
	// ErrUnknownNode reports an artifact from or signed by a node that is
	// not a member of the subnet.
	ErrUnknownNode = errors.New("consensus: unknown node")
	// ErrInvalidArtifact reports an artifact that is well formed but
	// invalid: a bad signature, a wrong rank, too few signers.
	ErrInvalidArtifact = errors.New("consensus: invalid artifact")
)
