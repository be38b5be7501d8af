package routingtest

import (
	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
)

// Cubes is an in-memory [routing.Cubes]: a map from cube id to status and
// liquid balance. Charges are subtracted from the balance (saturating at
// zero) and summed in Charged. Not safe for concurrent use.
type Cubes struct {
	m       map[bigfile.CubeID]routing.CubeInfo
	Charged bigfile.Cycles // total of all charges
}

// NewCubes returns an empty set of cubes.
func NewCubes() *Cubes { return &Cubes{m: map[bigfile.CubeID]routing.CubeInfo{}} }

// Add adds or replaces cube id.
func (c *Cubes) Add(id bigfile.CubeID, info routing.CubeInfo) { c.m[id] = info }

// Remove deletes cube id.
func (c *Cubes) Remove(id bigfile.CubeID) { delete(c.m, id) }

// SetStatus changes the status of an existing cube.
func (c *Cubes) SetStatus(id bigfile.CubeID, s routing.CubeStatus) {
	if info, ok := c.m[id]; ok {
		info.Status = s
		c.m[id] = info
	}
}

// Cube implements [routing.Cubes].
func (c *Cubes) Cube(id bigfile.CubeID) (routing.CubeInfo, bool) {
	info, ok := c.m[id]
	return info, ok
}

// Charge implements [routing.Cubes].
func (c *Cubes) Charge(id bigfile.CubeID, fee bigfile.Cycles) {
	info := c.m[id]
	info.Liquid = info.Liquid.Sub(fee)
	c.m[id] = info
	c.Charged = c.Charged.Add(fee)
}
