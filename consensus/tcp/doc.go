// Package tcp is a consensus.Transport over TCP: mutually authenticated TLS
// 1.3 with each node's Ed25519 node key, and length-prefixed frames.
//
// A node's id is the self-authenticating principal of its node key
// ([NodeID]); a connection is accepted only from a peer whose certificate
// key hashes to a member's id, and a dialled connection only if it reaches
// the expected peer. Certificates are self-signed; no certificate authority
// is involved. Frames are a 4-byte big-endian length followed by that many
// bytes (consensus.Encode's output), at most Config.MaxFrame.
//
// Each node dials every peer once and writes its outgoing queue for that
// peer there, redialling after failures; it reads incoming messages from
// the connections peers dialled. Send never blocks: a full queue drops the
// message, which the consensus protocol repairs by status gossip and
// retransmission.
//
// # Usage
//
//	t, err := tcp.New(tcp.Config{Key: key, Listen: ":4100", Peers: peers})
//	...
//	g.Go(func() error { return t.Run(ctx) })
//	node, err := consensus.NewNode(consensus.NodeConfig{Transport: t, ...})
//	g.Go(func() error { return node.Run(ctx) })
package tcp
