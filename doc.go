// Package bigfile defines the vocabulary that BIG's components share: the
// identifiers, heights, hashes, times, amounts and messages that travel
// between consensus, message routing, execution, the state manager and the
// chain-key cryptography.
//
// BigFile follows the Internet Computer's design. Programs are called cubes
// (the Internet Computer's canisters); a subnet of replicas runs consensus to
// order messages into blocks, routes them into cube queues, executes them in
// rounds and certifies the resulting state. Where the Internet Computer has a
// public format, the types here match it byte for byte: principals and their
// text form, cube ids, request ids, reject codes, nanosecond times and 128-bit
// cycles. Go names say cube; wire names keep canister.
//
// The package holds pure data with value methods and imports only the
// standard library. It declares no behavioural interfaces and does no I/O;
// richer types stay with the package that owns them (a consensus block, a
// state certification, a threshold public key).
//
// # Identifiers
//
// [Principal] is the general identifier: at most 29 bytes, comparable, with
// the Internet Computer's text form ("rrkah-fqaaa-aaaaa-aaaaq-cai").
// [CubeID] is a cube's index with the canister id layout; [SubnetID] and
// [NodeID] wrap self-authenticating principals of public keys. [CubeRange]
// is an inclusive range of cube ids, the unit of a routing table.
//
// # Counting and hashing
//
// [Height] counts blocks and [Round] execution rounds; [Time] is nanoseconds
// since the Unix epoch without a monotonic part; [Cycles] is a saturating
// 128-bit amount; [Hash] is a SHA-256 digest.
//
// # Messages
//
// [Ingress] is a user's call, named by its [MessageID] (the request id);
// [Request] and [Response] are calls between cubes, a response carrying a
// reply or a [RejectCode]; a [Batch] is what consensus delivers per
// finalized block.
//
// # Usage
//
// A client-facing component names a cube, builds a call and derives the id
// that clients will poll:
//
//	cube, err := bigfile.ParseCubeID("rrkah-fqaaa-aaaaa-aaaaq-cai")
//	if err != nil {
//		return err // wraps bigfile.ErrInvalidPrincipal or bigfile.ErrChecksum
//	}
//	call := bigfile.Ingress{
//		Sender:   bigfile.Anonymous,
//		Receiver: cube.Principal(),
//		Method:   "inc",
//		Arg:      []byte("DIDL\x00\x00"),
//		Expiry:   bigfile.TimeOf(now.Add(5 * time.Minute)),
//	}
//	id := call.ID() // the same request id @dfinity/agent computes
//
// Consensus then orders the call into a [Batch]; message routing inducts it,
// execution answers it with a reply or a [RejectCode], and the state manager
// certifies the status under /request_status/<id>.
package bigfile
