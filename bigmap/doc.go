// Package bigmap spreads a key-value store over cubes: an index cube maps
// keys to data bucket cubes, buckets split as they grow, and BigSearch keeps
// an inverted index on roaring bitmaps for full-text queries.
//
// # Boundary
//
// Consumes: a way to call cubes (the replica or harness wiring supplies it).
// Provides: the BigMap client and the logic of the index and bucket cubes,
// with the design choices and pitfalls recorded in the project's BigMap
// reference.
//
// # Usage
//
// Nothing is exported yet: a later issue builds BigMap and BigSearch.
package bigmap
