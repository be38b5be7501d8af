// Package archtest enforces BIG's import graph as a test (the lint-as-test
// habit of pebble's internal/lint).
//
// The rules, from the style guide:
//
//   - the root package bigfile imports only the standard library;
//   - the component packages consensus, execution, routing, statemgr,
//     chainkey and bigmap (each with its sub-packages) never depend on one
//     another, directly or through internal packages;
//   - a third-party module is imported only by the leaf packages designated
//     for it (wasmtime-go by the engine leaf, badger by the store leaf, the
//     curve libraries under chainkey, …); a module missing from the table is
//     itself a violation, so every new dependency is placed deliberately;
//     cgo (the pseudo-import "C") counts as such a module.
//
// # Usage
//
// The rules run as an ordinary test over `go list -deps -json ./...`:
//
//	go test ./internal/archtest
//
// [Check] is a pure function over a package graph, so the test also shows,
// on hand-made graphs, that each rule catches a forbidden edge. Production
// code (non-test files) is checked; tests may import oracles such as blst.
package archtest
