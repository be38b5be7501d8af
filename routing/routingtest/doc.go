// Package routingtest provides in-memory implementations of the interfaces
// that package routing consumes, and a conformance check for certifiers.
//
// [Keys] gives every subnet an Ed25519 key derived from its id and acts as
// [routing.Certifier] (per subnet) and [routing.Verifier]: a stand-in for
// the state manager plus threshold BLS that still catches forged and
// corrupted slices. [Cubes] is a map of cubes with statuses and balances,
// standing in for execution. [TestCertifier] checks any certifier and
// verifier pair, the real one included.
//
// # Usage
//
//	keys := routingtest.NewKeys()
//	cubes := routingtest.NewCubes()
//	cubes.Add(bigfile.CubeID(1), routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
//	r, err := routing.New(routing.Config{
//		Subnet:    subnet,
//		Table:     routing.NewTable(m),
//		Cubes:     cubes,
//		Certifier: keys.Certifier(subnet),
//		Verifier:  keys,
//	})
package routingtest
