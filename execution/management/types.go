package management

import (
	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution/candid"
)

// The Candid types of the management cube's interface (ic.did), as Go
// values for candid.Marshal and candid.Unmarshal. Optional fields are
// pointers (nil is null); decoding skips fields these types omit, so
// arguments from newer clients still decode.

// CanisterSettings are the settings create_canister, update_settings and
// provisional_create_canister_with_cycles accept; nil fields keep their
// value (or default).
type CanisterSettings struct {
	Controllers          *[]bigfile.Principal `candid:"controllers"`
	ComputeAllocation    *candid.Nat          `candid:"compute_allocation"`
	MemoryAllocation     *candid.Nat          `candid:"memory_allocation"`
	FreezingThreshold    *candid.Nat          `candid:"freezing_threshold"`
	ReservedCyclesLimit  *candid.Nat          `candid:"reserved_cycles_limit"`
	WasmMemoryLimit      *candid.Nat          `candid:"wasm_memory_limit"`
	EnvironmentVariables *[]EnvironmentVar    `candid:"environment_variables"`
}

// EnvironmentVar is one environment variable.
type EnvironmentVar struct {
	Name  string `candid:"name"`
	Value string `candid:"value"`
}

// CreateCanisterArgs is create_canister's argument.
type CreateCanisterArgs struct {
	Settings              *CanisterSettings `candid:"settings"`
	SenderCanisterVersion *uint64           `candid:"sender_canister_version"`
}

// CanisterIDRecord is the argument of start, stop, status, delete and
// deposit_cycles, and the result of the create methods.
type CanisterIDRecord struct {
	CanisterID bigfile.Principal `candid:"canister_id"`
}

// ProvisionalCreateArgs is provisional_create_canister_with_cycles'
// argument.
type ProvisionalCreateArgs struct {
	Amount                *candid.Nat        `candid:"amount"`
	Settings              *CanisterSettings  `candid:"settings"`
	SpecifiedID           *bigfile.Principal `candid:"specified_id"`
	SenderCanisterVersion *uint64            `candid:"sender_canister_version"`
}

// ProvisionalTopUpArgs is provisional_top_up_canister's argument.
type ProvisionalTopUpArgs struct {
	CanisterID bigfile.Principal `candid:"canister_id"`
	Amount     candid.Nat        `candid:"amount"`
}

// InstallMode is the canister_install_mode variant.
type InstallMode struct {
	Install   *candid.Null     `candid:"install,variant"`
	Reinstall *candid.Null     `candid:"reinstall"`
	Upgrade   **UpgradeOptions `candid:"upgrade"`
}

// UpgradeOptions are the options of an upgrade.
type UpgradeOptions struct {
	SkipPreUpgrade        *bool              `candid:"skip_pre_upgrade"`
	WasmMemoryPersistence *MemoryPersistence `candid:"wasm_memory_persistence"`
}

// MemoryPersistence is the wasm_memory_persistence variant.
type MemoryPersistence struct {
	Keep    *candid.Null `candid:"keep,variant"`
	Replace *candid.Null `candid:"replace"`
}

// InstallCodeArgs is install_code's argument.
type InstallCodeArgs struct {
	Mode                  InstallMode       `candid:"mode"`
	CanisterID            bigfile.Principal `candid:"canister_id"`
	WasmModule            []byte            `candid:"wasm_module"`
	Arg                   []byte            `candid:"arg"`
	SenderCanisterVersion *uint64           `candid:"sender_canister_version"`
}

// UninstallCodeArgs is uninstall_code's argument.
type UninstallCodeArgs struct {
	CanisterID            bigfile.Principal `candid:"canister_id"`
	SenderCanisterVersion *uint64           `candid:"sender_canister_version"`
}

// UpdateSettingsArgs is update_settings' argument.
type UpdateSettingsArgs struct {
	CanisterID            bigfile.Principal `candid:"canister_id"`
	Settings              CanisterSettings  `candid:"settings"`
	SenderCanisterVersion *uint64           `candid:"sender_canister_version"`
}

// CanisterStatus is the status variant.
type CanisterStatus struct {
	Running  *candid.Null `candid:"running,variant"`
	Stopping *candid.Null `candid:"stopping"`
	Stopped  *candid.Null `candid:"stopped"`
}

// LogVisibility is the log_visibility variant.
type LogVisibility struct {
	Controllers    *candid.Null         `candid:"controllers,variant"`
	Public         *candid.Null         `candid:"public"`
	AllowedViewers *[]bigfile.Principal `candid:"allowed_viewers"`
}

// DefiniteSettings are the settings canister_status reports.
type DefiniteSettings struct {
	Controllers          []bigfile.Principal `candid:"controllers"`
	ComputeAllocation    candid.Nat          `candid:"compute_allocation"`
	MemoryAllocation     candid.Nat          `candid:"memory_allocation"`
	FreezingThreshold    candid.Nat          `candid:"freezing_threshold"`
	ReservedCyclesLimit  candid.Nat          `candid:"reserved_cycles_limit"`
	LogVisibility        LogVisibility       `candid:"log_visibility"`
	WasmMemoryLimit      candid.Nat          `candid:"wasm_memory_limit"`
	WasmMemoryThreshold  candid.Nat          `candid:"wasm_memory_threshold"`
	EnvironmentVariables []EnvironmentVar    `candid:"environment_variables"`
}

// MemoryMetrics break memory_size down.
type MemoryMetrics struct {
	WasmMemorySize      candid.Nat `candid:"wasm_memory_size"`
	StableMemorySize    candid.Nat `candid:"stable_memory_size"`
	GlobalMemorySize    candid.Nat `candid:"global_memory_size"`
	WasmBinarySize      candid.Nat `candid:"wasm_binary_size"`
	CustomSectionsSize  candid.Nat `candid:"custom_sections_size"`
	CanisterHistorySize candid.Nat `candid:"canister_history_size"`
	WasmChunkStoreSize  candid.Nat `candid:"wasm_chunk_store_size"`
	SnapshotsSize       candid.Nat `candid:"snapshots_size"`
}

// QueryStats are canister_status' query statistics (zero: not collected).
type QueryStats struct {
	NumCallsTotal             candid.Nat `candid:"num_calls_total"`
	NumInstructionsTotal      candid.Nat `candid:"num_instructions_total"`
	RequestPayloadBytesTotal  candid.Nat `candid:"request_payload_bytes_total"`
	ResponsePayloadBytesTotal candid.Nat `candid:"response_payload_bytes_total"`
}

// CanisterStatusResult is canister_status' result.
type CanisterStatusResult struct {
	Status                 CanisterStatus   `candid:"status"`
	ReadyForMigration      bool             `candid:"ready_for_migration"`
	Version                uint64           `candid:"version"`
	Settings               DefiniteSettings `candid:"settings"`
	ModuleHash             *[]byte          `candid:"module_hash"`
	MemorySize             candid.Nat       `candid:"memory_size"`
	MemoryMetrics          MemoryMetrics    `candid:"memory_metrics"`
	Cycles                 candid.Nat       `candid:"cycles"`
	ReservedCycles         candid.Nat       `candid:"reserved_cycles"`
	IdleCyclesBurnedPerDay candid.Nat       `candid:"idle_cycles_burned_per_day"`
	QueryStats             QueryStats       `candid:"query_stats"`
}
