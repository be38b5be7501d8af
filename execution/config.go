package execution

import (
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
)

// ErrInvalidConfig is wrapped by the errors [Config.Validate] returns.
var ErrInvalidConfig = errors.New("execution: invalid config")

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

// Config holds the limits the executor enforces. Instruction limits are in
// wasmtime fuel units, which count executed non-structural Wasm operators and
// approximate the IC's instruction counts (wasmtime.md §1). The zero value of
// any field means its default from [DefaultConfig] (the BigFile values);
// [ICConfig] returns the Internet Computer's current values instead.
type Config struct {
	// MaxInstructionsPerMessage bounds one update, replicated query,
	// heartbeat or global timer execution. Default 20 billion.
	MaxInstructionsPerMessage uint64
	// MaxInstructionsPerQuery bounds one non-replicated query. Default 5
	// billion.
	MaxInstructionsPerQuery uint64
	// MaxInstructionsPerInstall bounds a whole install, reinstall or upgrade:
	// the start function plus canister_init, or pre_upgrade, start and
	// post_upgrade together. Default 200 billion.
	MaxInstructionsPerInstall uint64
	// MaxInstructionsPerInspect bounds canister_inspect_message. Default 200
	// million.
	MaxInstructionsPerInspect uint64
	// MaxInstructionsPerSlice is the time-slicing interval: a long execution
	// pauses every this many instructions (the scheduler will resume it in
	// the next round; until then, the executor resumes at once). Default 2
	// billion.
	MaxInstructionsPerSlice uint64
	// MaxInstructionsPerRound is the scheduler's per-round budget per
	// execution thread. Default 2 billion. Not used by the executor itself.
	MaxInstructionsPerRound uint64

	// MaxWasm32Memory and MaxWasm64Memory bound the linear memory of 32- and
	// 64-bit modules in bytes; memory.grow past them returns -1. Defaults 4
	// GiB and 6 GiB.
	MaxWasm32Memory uint64
	MaxWasm64Memory uint64
	// MaxStableMemory bounds stable memory in bytes; stable64_grow past it
	// returns -1. Default 500 GiB.
	MaxStableMemory uint64

	// MaxResponseBytes bounds a reply in replicated execution (default 2
	// MiB); MaxQueryResponseBytes bounds a non-replicated query's reply
	// (default 3 MiB).
	MaxResponseBytes      uint64
	MaxQueryResponseBytes uint64
	// MaxLogBytes bounds each cube's log (debug_print and trap messages);
	// the oldest records are dropped first. Default 64 KiB.
	MaxLogBytes int

	// Module limits (system-api.md §2.1, §3.2). Defaults: 100 MiB module,
	// 50,000 functions, 1,000 globals, 1,000 exported methods, 20,000 bytes
	// of method names, 12 MiB code section, 16 icp: custom sections of 1 MiB
	// in total.
	MaxModuleBytes        int
	MaxFunctions          int
	MaxGlobals            int
	MaxExportedMethods    int
	MaxMethodNameBytes    int
	MaxCodeSectionBytes   int
	MaxCustomSections     int
	MaxCustomSectionBytes int

	// MaxLiveInstances bounds the instances the executor keeps alive
	// between messages (one per recently executed cube, so its next
	// message skips restoring the heap). Each holds its memory and a large
	// address-space reservation; the least recently used is dropped first.
	// Default 1,024.
	MaxLiveInstances int

	// Costs selects the cost rules (subnet type and size) the executor
	// charges cubes by; the zero value charges nothing.
	Costs Costs

	// Subnet is the subnet id returned by ic0.subnet_self_*.
	Subnet bigfile.SubnetID
	// RootKey is the DER-encoded root public key returned by ic0.root_key_*.
	RootKey []byte
}

// DefaultConfig returns BigFile's limits: about 2 billion instructions per
// round and slice, up to 20 billion per message (with time slicing), up to
// 200 billion for code installation.
func DefaultConfig() Config {
	return Config{
		MaxInstructionsPerMessage: 20_000_000_000,
		MaxInstructionsPerQuery:   5_000_000_000,
		MaxInstructionsPerInstall: 200_000_000_000,
		MaxInstructionsPerInspect: 200_000_000,
		MaxInstructionsPerSlice:   2_000_000_000,
		MaxInstructionsPerRound:   2_000_000_000,
		MaxWasm32Memory:           4 * gib,
		MaxWasm64Memory:           6 * gib,
		MaxStableMemory:           500 * gib,
		MaxResponseBytes:          2 * mib,
		MaxQueryResponseBytes:     3 * mib,
		MaxLogBytes:               64 * kib,
		MaxModuleBytes:            100 * mib,
		MaxFunctions:              50_000,
		MaxGlobals:                1_000,
		MaxExportedMethods:        1_000,
		MaxMethodNameBytes:        20_000,
		MaxCodeSectionBytes:       12 * mib,
		MaxCustomSections:         16,
		MaxCustomSectionBytes:     1 * mib,
		MaxLiveInstances:          1024,
	}
}

// ICConfig returns the Internet Computer's current application-subnet
// values: 2 billion instructions per slice, 4 billion per round, 40 billion
// per update, 300 billion per install, 5 billion per query.
func ICConfig() Config {
	c := DefaultConfig()
	c.MaxInstructionsPerMessage = 40_000_000_000
	c.MaxInstructionsPerInstall = 300_000_000_000
	c.MaxInstructionsPerRound = 4_000_000_000
	return c
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(v *uint64, def uint64) {
		if *v == 0 {
			*v = def
		}
	}
	seti := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.MaxInstructionsPerMessage, d.MaxInstructionsPerMessage)
	set(&c.MaxInstructionsPerQuery, d.MaxInstructionsPerQuery)
	set(&c.MaxInstructionsPerInstall, d.MaxInstructionsPerInstall)
	set(&c.MaxInstructionsPerInspect, d.MaxInstructionsPerInspect)
	set(&c.MaxInstructionsPerSlice, d.MaxInstructionsPerSlice)
	set(&c.MaxInstructionsPerRound, d.MaxInstructionsPerRound)
	set(&c.MaxWasm32Memory, d.MaxWasm32Memory)
	set(&c.MaxWasm64Memory, d.MaxWasm64Memory)
	set(&c.MaxStableMemory, d.MaxStableMemory)
	set(&c.MaxResponseBytes, d.MaxResponseBytes)
	set(&c.MaxQueryResponseBytes, d.MaxQueryResponseBytes)
	seti(&c.MaxLogBytes, d.MaxLogBytes)
	seti(&c.MaxModuleBytes, d.MaxModuleBytes)
	seti(&c.MaxFunctions, d.MaxFunctions)
	seti(&c.MaxGlobals, d.MaxGlobals)
	seti(&c.MaxExportedMethods, d.MaxExportedMethods)
	seti(&c.MaxMethodNameBytes, d.MaxMethodNameBytes)
	seti(&c.MaxCodeSectionBytes, d.MaxCodeSectionBytes)
	seti(&c.MaxCustomSections, d.MaxCustomSections)
	seti(&c.MaxCustomSectionBytes, d.MaxCustomSectionBytes)
	seti(&c.MaxLiveInstances, d.MaxLiveInstances)
	return c
}

// Validate reports an error wrapping [ErrInvalidConfig] if the limits are
// inconsistent after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.MaxInstructionsPerSlice > c.MaxInstructionsPerMessage:
		return fmt.Errorf("%w: slice limit %d exceeds the message limit %d", ErrInvalidConfig,
			c.MaxInstructionsPerSlice, c.MaxInstructionsPerMessage)
	case c.MaxWasm32Memory > 4*gib:
		return fmt.Errorf("%w: MaxWasm32Memory %d exceeds 4 GiB", ErrInvalidConfig, c.MaxWasm32Memory)
	case c.MaxWasm32Memory%wasmPage != 0 || c.MaxWasm64Memory%wasmPage != 0 || c.MaxStableMemory%wasmPage != 0:
		return fmt.Errorf("%w: memory limits must be multiples of 64 KiB", ErrInvalidConfig)
	case c.MaxLogBytes < 0 || c.MaxModuleBytes < 0 || c.MaxFunctions < 0 || c.MaxGlobals < 0 || c.MaxLiveInstances < 0:
		return fmt.Errorf("%w: negative limit", ErrInvalidConfig)
	case len(c.RootKey) > 1024:
		return fmt.Errorf("%w: root key of %d bytes", ErrInvalidConfig, len(c.RootKey))
	}
	return c.Costs.validate()
}

// wasmPage is the size of a Wasm and a stable memory page.
const wasmPage = 64 * kib
