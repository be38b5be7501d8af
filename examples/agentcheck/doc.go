// Package agentcheck checks that certificates made by package statemgr
// verify in the unmodified JavaScript client, @dfinity/agent (the version
// pinned in package.json and package-lock.json).
//
// The test builds states with real BLS12-381 threshold keys (package
// chainkey/bls), certifies them and writes the certificates, the root key
// and the expected lookups to a JSON fixture; verify.mjs then runs
// Certificate.create (which checks the tree, the delegation, the certified
// time against the wall clock and the BLS signature with @noble/curves) and
// lookup_path on each. A tampered certificate must be rejected.
//
// # Usage
//
// Install the pinned client once, then run the Go test, which calls node:
//
//	cd examples/agentcheck && npm ci
//	go test ./examples/agentcheck
//
// Without node or node_modules the test is skipped with a message saying so.
package agentcheck
