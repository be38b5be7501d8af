// Package hashtree implements the Internet Computer's hash trees and
// certificates, the format in which BigFile certifies its state to clients
// such as @dfinity/agent.
//
// A hash tree has five kinds of node: Empty, Fork (two children), Labeled
// (a byte-string label over a subtree), Leaf (a value) and Pruned (only the
// digest of a subtree that was left out). Its digest is SHA-256 over
// domain-separated node encodings, so a witness — the tree with everything
// irrelevant to some paths replaced by Pruned nodes — has the same digest as
// the full tree. A [Certificate] carries a witness, a threshold BLS
// signature over "\x0dic-state-root" ‖ digest and, for subnets other than
// the root subnet, a [Delegation].
//
// Lookups follow the specification's lookup_path: a path can be [Found],
// provably [Absent], [Unknown] (it runs into a pruned part) or an [Error]
// (it ends at an inner node). Within a level labels must be strictly
// increasing in bytewise order; [Tree.Witness] relies on this.
//
// The CBOR encoding is written by hand (a few dozen lines cover the subset
// certificates use); decoders accept the self-describe tag 55799 anywhere,
// only definite lengths, and at most [MaxDepth] levels of nesting. BLS
// verification is injected through [SignatureVerifier], so this package
// depends on no curve library.
//
// # Usage
//
// A replica (see package statemgr) builds the state tree, signs its digest
// and hands out witnesses:
//
//	w := state.Witness(hashtree.PathOf("time"), hashtree.Path{[]byte("request_status"), id[:]})
//	cert := &hashtree.Certificate{Tree: w, Signature: sig}
//	body, _ := cert.MarshalCBOR()
//
// A client decodes, verifies and looks up:
//
//	cert, err := hashtree.DecodeCertificate(body)
//	if err != nil {
//		return err // wraps hashtree.ErrMalformed
//	}
//	if err := cert.Verify(hashtree.VerifyOptions{RootKey: rootDER, Verifier: blsVerifier}); err != nil {
//		return err // wraps hashtree.ErrInvalidCertificate
//	}
//	status, st := cert.Tree.Lookup([]byte("request_status"), id[:], []byte("status"))
//	if st == hashtree.Found {
//		fmt.Printf("%s\n", status)
//	}
package hashtree
