package routing

import (
	"fmt"
	"slices"
	"sort"

	"github.com/thebigfile/bigfile"
)

// SubnetKind tells what a subnet may do. The kind matters to routing only for
// the bucket rule: cubes on a [Bucket] subnet may not call other cubes nor
// transfer cycles (see [Router.SubmitRequest]).
type SubnetKind uint8

// The subnet kinds. The zero value is [Application].
const (
	// Application subnets host ordinary cubes and charge fees.
	Application SubnetKind = iota
	// System subnets host system cubes.
	System
	// Bucket subnets (the seeds' S4 subnets) host storage bucket cubes: such
	// cubes answer calls but make none to other cubes and move no cycles.
	Bucket
)

var subnetKindNames = [...]string{Application: "application", System: "system", Bucket: "bucket"}

// String returns "application", "system" or "bucket".
func (k SubnetKind) String() string {
	if int(k) < len(subnetKindNames) {
		return subnetKindNames[k]
	}
	return fmt.Sprintf("SubnetKind(%d)", k)
}

// Assignment maps a range of cube ids to the subnet hosting them.
type Assignment struct {
	Range  bigfile.CubeRange
	Subnet bigfile.SubnetID
}

// Map is one version of the routing table: disjoint cube ranges, each
// assigned to a subnet, sorted by range start. A Map is immutable; the
// methods that change it return a new Map and leave the receiver alone, so
// Maps can be shared freely between goroutines. The zero value routes
// nothing.
type Map struct {
	as []Assignment // sorted by Range.Start, disjoint, valid
}

// NewMap returns the map with the given assignments, in any order. It
// returns an error wrapping [ErrInvalidRange] for a range with Start > End
// and [ErrOverlap] if two ranges share a cube id. The caller keeps as.
func NewMap(as []Assignment) (Map, error) {
	sorted := slices.Clone(as)
	for _, a := range sorted {
		if !a.Range.Valid() {
			return Map{}, fmt.Errorf("%w: %s", ErrInvalidRange, a.Range)
		}
	}
	slices.SortFunc(sorted, func(a, b Assignment) int {
		if a.Range.Start < b.Range.Start {
			return -1
		} else if a.Range.Start > b.Range.Start {
			return 1
		}
		return 0
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1].Range.Overlaps(sorted[i].Range) {
			return Map{}, fmt.Errorf("%w: %s and %s", ErrOverlap, sorted[i-1].Range, sorted[i].Range)
		}
	}
	return Map{as: merge(sorted)}, nil
}

// merge joins adjacent ranges of the same subnet so that a map has a
// single canonical form whatever sequence of changes produced it.
func merge(as []Assignment) []Assignment {
	out := as[:0]
	for _, a := range as {
		if n := len(out); n > 0 && out[n-1].Subnet == a.Subnet && out[n-1].Range.End != ^bigfile.CubeID(0) &&
			out[n-1].Range.End+1 == a.Range.Start {
			out[n-1].Range.End = a.Range.End
			continue
		}
		out = append(out, a)
	}
	return out
}

// Lookup returns the subnet hosting cube c, and false if no range holds c.
// It takes O(log n) for n ranges.
func (m Map) Lookup(c bigfile.CubeID) (bigfile.SubnetID, bool) {
	i := sort.Search(len(m.as), func(i int) bool { return m.as[i].Range.End >= c })
	if i < len(m.as) && m.as[i].Range.Contains(c) {
		return m.as[i].Subnet, true
	}
	return bigfile.SubnetID{}, false
}

// Assignments returns the map's assignments sorted by range start. The
// caller owns the returned slice.
func (m Map) Assignments() []Assignment { return slices.Clone(m.as) }

// Ranges returns the ranges assigned to subnet s, sorted. The caller owns
// the returned slice.
func (m Map) Ranges(s bigfile.SubnetID) []bigfile.CubeRange {
	var rs []bigfile.CubeRange
	for _, a := range m.as {
		if a.Subnet == s {
			rs = append(rs, a.Range)
		}
	}
	return rs
}

// Assign returns a copy of m in which every id in r belongs to subnet s,
// whoever held it before; ids in r that were unassigned become assigned. It
// returns an error wrapping [ErrInvalidRange] if r is invalid.
func (m Map) Assign(r bigfile.CubeRange, s bigfile.SubnetID) (Map, error) {
	if !r.Valid() {
		return Map{}, fmt.Errorf("%w: %s", ErrInvalidRange, r)
	}
	// Cut r out of every overlapping assignment, keeping what lies outside
	// it, then add r whole and restore the canonical (sorted, merged) form.
	out := make([]Assignment, 0, len(m.as)+2)
	for _, a := range m.as {
		if !a.Range.Overlaps(r) {
			out = append(out, a)
			continue
		}
		// Keep the parts of a outside r.
		if a.Range.Start < r.Start {
			out = append(out, Assignment{bigfile.CubeRange{Start: a.Range.Start, End: r.Start - 1}, a.Subnet})
		}
		if a.Range.End > r.End {
			out = append(out, Assignment{bigfile.CubeRange{Start: r.End + 1, End: a.Range.End}, a.Subnet})
		}
	}
	out = append(out, Assignment{r, s})
	slices.SortFunc(out, func(a, b Assignment) int {
		if a.Range.Start < b.Range.Start {
			return -1
		}
		return 1
	})
	return Map{as: merge(out)}, nil
}

// Table is the routing table over time: a [Map] per height from which it
// applies, so that a cube migration can be scheduled to take effect at a
// future height on every replica at once, plus the kind of every subnet.
//
// A Table is not safe for concurrent use; the [Router] that owns it calls
// it from one goroutine. The zero value is an empty table with no subnets.
type Table struct {
	versions []tableVersion // sorted by from, strictly increasing
	kinds    map[bigfile.SubnetID]SubnetKind
}

type tableVersion struct {
	from bigfile.Height // the first height at which m applies
	m    Map
}

// NewTable returns a table that routes with m from height 0 on.
func NewTable(m Map) *Table {
	return &Table{versions: []tableVersion{{0, m}}}
}

// SetKind records the kind of subnet s (the default is [Application]).
// A subnet the table should know without owning ranges (a new, empty
// subnet) is registered this way too.
func (t *Table) SetKind(s bigfile.SubnetID, k SubnetKind) {
	if t.kinds == nil {
		t.kinds = map[bigfile.SubnetID]SubnetKind{}
	}
	t.kinds[s] = k
}

// Kind returns the kind of subnet s: what [Table.SetKind] recorded, else
// [Application].
func (t *Table) Kind(s bigfile.SubnetID) SubnetKind { return t.kinds[s] }

// At returns the map that applies at height h.
func (t *Table) At(h bigfile.Height) Map {
	i := sort.Search(len(t.versions), func(i int) bool { return t.versions[i].from > h })
	if i == 0 {
		return Map{}
	}
	return t.versions[i-1].m
}

// Lookup returns the subnet hosting cube c at height h.
func (t *Table) Lookup(c bigfile.CubeID, h bigfile.Height) (bigfile.SubnetID, bool) {
	return t.At(h).Lookup(c)
}

// Migrate schedules the move of range r to subnet to, taking effect at
// height h: from h on, [Table.At] routes r to to. Changes must be scheduled
// in increasing order of height; a change at or below the latest scheduled
// height returns an error wrapping [ErrPastHeight], except at the height of
// the latest change itself, which combines with it. An invalid r returns
// [ErrInvalidRange].
func (t *Table) Migrate(h bigfile.Height, r bigfile.CubeRange, to bigfile.SubnetID) error {
	if len(t.versions) == 0 {
		t.versions = []tableVersion{{0, Map{}}}
	}
	last := &t.versions[len(t.versions)-1]
	if h < last.from {
		return fmt.Errorf("%w: height %d, latest change at %d", ErrPastHeight, h, last.from)
	}
	m, err := last.m.Assign(r, to)
	if err != nil {
		return err
	}
	if h == last.from {
		last.m = m
		return nil
	}
	t.versions = append(t.versions, tableVersion{h, m})
	return nil
}

// Latest returns the height of the latest scheduled change (0 when none).
func (t *Table) Latest() bigfile.Height {
	if len(t.versions) == 0 {
		return 0
	}
	return t.versions[len(t.versions)-1].from
}

// Prune forgets the versions that no height at or above h can need,
// keeping the one that applies at h.
func (t *Table) Prune(h bigfile.Height) {
	i := sort.Search(len(t.versions), func(i int) bool { return t.versions[i].from > h })
	if i > 1 {
		t.versions = slices.Delete(t.versions, 0, i-1)
	}
}
