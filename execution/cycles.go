package execution

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/thebigfile/bigfile"
)

// SubnetType names a subnet's kind and default size, which together fix
// its cost rules (the reverse gas model: cubes pay for what they use).
// Every fee is the 13-node base fee of the IC's application subnets scaled
// by nodes/13 (system-api.md §4.3); the types differ as follows:
//
//   - S28 (system, 28 nodes): like the IC's system subnets it may run
//     fee-free ([Costs].Free); otherwise it charges the scaled table.
//   - S4 (bucket, 4 nodes): the scaled table.
//   - PHSE.S28 and PHSE.S4: the scaled table with instructions costing 50%
//     more (the instruction part of every execution fee times 3/2).
//   - PHAMG1.S28 and PHAMG1.S4: the scaled table.
type SubnetType uint8

// The subnet types. The zero value means "no cost rules": the executor
// charges nothing (a free cost schedule for tests).
const (
	SubnetS28 SubnetType = iota + 1
	SubnetS4
	SubnetPHSES28
	SubnetPHSES4
	SubnetPHAMG1S28
	SubnetPHAMG1S4
)

var subnetNames = [...]string{"", "S28", "S4", "PHSE.S28", "PHSE.S4", "PHAMG1.S28", "PHAMG1.S4"}

// String returns the type's name, e.g. "PHSE.S4".
func (t SubnetType) String() string {
	if int(t) < len(subnetNames) && t != 0 {
		return subnetNames[t]
	}
	return fmt.Sprintf("SubnetType(%d)", uint8(t))
}

// ParseSubnetType parses a name as String returns it.
func ParseSubnetType(s string) (SubnetType, error) {
	for i, n := range subnetNames {
		if i > 0 && strings.EqualFold(n, s) {
			return SubnetType(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown subnet type %q", ErrInvalidConfig, s)
}

// Nodes returns the type's node count: 28 for the S28 types, 4 for the S4
// types.
func (t SubnetType) Nodes() int {
	switch t {
	case SubnetS28, SubnetPHSES28, SubnetPHAMG1S28:
		return 28
	case SubnetS4, SubnetPHSES4, SubnetPHAMG1S4:
		return 4
	}
	return 0
}

// System reports whether the type is a system subnet (which may run
// fee-free).
func (t SubnetType) System() bool { return t == SubnetS28 }

// instructionRate returns the multiplier of the instruction fee as a
// fraction: 3/2 for the PHSE types, 1 otherwise.
func (t SubnetType) instructionRate() (num, den uint64) {
	if t == SubnetPHSES28 || t == SubnetPHSES4 {
		return 3, 2
	}
	return 1, 1
}

// The IC's fee table for a 13-node application subnet
// (CyclesAccountManagerConfig::application_subnet; system-api.md §4.2).
const (
	ReferenceSubnetSize = 13

	FeeCreateCube             = 500_000_000_000 // per cube created
	FeeUpdateMessageBase      = 5_000_000       // per update execution
	FeeTenInstructions        = 10              // per 10 instructions
	Wasm64InstructionOverhead = 2               // wasm64 instructions cost this many times more
	FeeIngressMessage         = 1_200_000       // per ingress message received
	FeeIngressByte            = 2_000           // per ingress byte (method name plus argument)
	FeeCall                   = 260_000         // per inter-cube call (request and response)
	FeeCallByte               = 1_000           // per inter-cube request or response byte
	FeeStorageGiBSecond       = 127_000         // per GiB of memory per second
	FeeComputePercentSecond   = 10_000_000      // per percent of compute allocation per second
)

// DefaultFreezingThreshold is the freezing threshold of a new cube: 30
// days, in seconds.
const DefaultFreezingThreshold = 2_592_000

// Costs selects the cost rules the executor charges: a subnet type and its
// size. The zero value charges nothing.
type Costs struct {
	// Subnet is the subnet type; zero charges nothing.
	Subnet SubnetType
	// Nodes is the subnet size that scales every fee by Nodes/13; zero
	// means Subnet.Nodes().
	Nodes int
	// Free runs the subnet fee-free; allowed only for the S28 system type.
	Free bool
}

// validate checks the cost rules.
func (c Costs) validate() error {
	switch {
	case c.Subnet == 0 && (c.Nodes != 0 || c.Free):
		return fmt.Errorf("%w: cost settings without a subnet type", ErrInvalidConfig)
	case c.Subnet > SubnetPHAMG1S4:
		return fmt.Errorf("%w: unknown subnet type %d", ErrInvalidConfig, c.Subnet)
	case c.Nodes < 0 || c.Nodes > 1000:
		return fmt.Errorf("%w: subnet size %d", ErrInvalidConfig, c.Nodes)
	case c.Free && !c.Subnet.System():
		return fmt.Errorf("%w: only a system subnet (S28) may run fee-free, not %s", ErrInvalidConfig, c.Subnet)
	}
	return nil
}

// Charging reports whether the rules charge anything.
func (c Costs) Charging() bool { return c.Subnet != 0 && !c.Free }

// nodes returns the subnet size.
func (c Costs) nodes() uint64 {
	if c.Nodes > 0 {
		return uint64(c.Nodes)
	}
	return uint64(c.Subnet.Nodes())
}

// scale multiplies a 13-node amount by nodes/13, multiplying first
// (integer arithmetic, as the IC does).
func (c Costs) scale(x *big.Int) bigfile.Cycles {
	if !c.Charging() {
		return bigfile.Cycles{}
	}
	x = new(big.Int).Mul(x, new(big.Int).SetUint64(c.nodes()))
	x.Quo(x, big.NewInt(ReferenceSubnetSize))
	out, err := bigfile.CyclesFromBig(x)
	if err != nil {
		return bigfile.MaxCycles
	}
	return out
}

func bi(n uint64) *big.Int { return new(big.Int).SetUint64(n) }

// ExecutionCost is the fee for one update, heartbeat, timer or install
// execution that used instructions: (base + instructions × 10/10 ×
// wasm64 overhead × the type's instruction rate) × nodes/13.
func (c Costs) ExecutionCost(instructions uint64, wasm64 bool) bigfile.Cycles {
	num, den := c.Subnet.instructionRate()
	if wasm64 {
		num *= Wasm64InstructionOverhead
	}
	ins := new(big.Int).Mul(bi(instructions), bi(FeeTenInstructions*num))
	ins.Quo(ins, bi(10*den))
	return c.scale(ins.Add(ins, bi(FeeUpdateMessageBase)))
}

// IngressCost is the fee a cube pays for receiving an ingress message of
// n bytes (method name plus argument).
func (c Costs) IngressCost(n int) bigfile.Cycles {
	return c.scale(new(big.Int).Add(bi(FeeIngressMessage), new(big.Int).Mul(bi(FeeIngressByte), bi(uint64(n)))))
}

// CallCost is the fee for sending an inter-cube request or response of n
// bytes (method name plus argument, or the response payload): 260,000 +
// 1,000 × n, scaled.
func (c Costs) CallCost(n int) bigfile.Cycles {
	return c.scale(new(big.Int).Add(bi(FeeCall), new(big.Int).Mul(bi(FeeCallByte), bi(uint64(n)))))
}

// CreateCost is the fee for creating a cube.
func (c Costs) CreateCost() bigfile.Cycles { return c.scale(bi(FeeCreateCube)) }

// StorageCost is the fee for holding bytes of memory for d (rounded down
// to whole nanoseconds): bytes × d × 127,000 / (GiB × 1 s), scaled.
func (c Costs) StorageCost(bytes uint64, d time.Duration) bigfile.Cycles {
	if d <= 0 {
		return bigfile.Cycles{}
	}
	x := new(big.Int).Mul(bi(bytes), bi(uint64(d)))
	x.Mul(x, bi(FeeStorageGiBSecond))
	x.Quo(x, new(big.Int).Mul(bi(1<<30), bi(uint64(time.Second))))
	return c.scale(x)
}

// IdleCyclesPerDay is what a cube with the given memory usage and compute
// allocation (percent) burns per day while idle.
func (c Costs) IdleCyclesPerDay(bytes, computeAllocation uint64) bigfile.Cycles {
	x := new(big.Int).Mul(bi(bytes), bi(86_400*FeeStorageGiBSecond))
	x.Quo(x, bi(1<<30))
	x.Add(x, new(big.Int).Mul(bi(computeAllocation), bi(86_400*FeeComputePercentSecond)))
	return c.scale(x)
}

// FreezingLimit is the balance below which a cube is frozen: its idle
// burn rate times the freezing threshold (seconds) / 86,400.
func (c Costs) FreezingLimit(st *State) bigfile.Cycles {
	day := c.IdleCyclesPerDay(max(st.MemoryUsage(), st.MemoryAllocation), st.ComputeAllocation)
	x := new(big.Int).Mul(day.Big(), bi(st.FreezingThreshold))
	x.Quo(x, bi(86_400))
	out, err := bigfile.CyclesFromBig(x)
	if err != nil {
		return bigfile.MaxCycles
	}
	return out
}

// MemoryUsage is the memory a cube is charged for: heap, stable memory,
// globals (8 bytes each) and module.
func (s *State) MemoryUsage() uint64 {
	return uint64(s.Memory.Len()) + uint64(s.Stable.Len()) + 8*uint64(len(s.Globals)) + uint64(len(s.Wasm))
}
