// Package management implements the management cube aaaaa-aa: the
// system's interface for creating, installing, configuring, starting,
// stopping, inspecting and deleting cubes, moving cycles and drawing
// randomness, with the Internet Computer's Candid interface (ic.did;
// system-api.md §2.6).
//
// A [Manager] owns the cube states of one subnet and runs their code
// through an [execution.Executor]. It is deterministic: time comes with
// each call, raw_rand's bytes from an injected io.Reader, ids are issued
// in order and never reused. Every method that changes or reveals a cube
// checks that the caller controls it (IC0512), canister_status also
// accepts the cube itself.
//
// Methods: create_canister (cubes only; the creation fee comes out of the
// attached cycles), install_code (install, reinstall, upgrade with
// skip_pre_upgrade and wasm_memory_persistence), uninstall_code,
// update_settings (controllers, compute and memory allocation, freezing
// threshold, reserved cycles limit, wasm memory limit, environment
// variables), start_canister, stop_canister, canister_status,
// delete_canister (stopped cubes only), deposit_cycles, raw_rand and, on
// development subnets ([Config].Provisional),
// provisional_create_canister_with_cycles and provisional_top_up_canister.
//
// stop_canister on a cube with open call contexts leaves it stopping and
// answers later. The number of open call contexts is a counter in the
// cube's State ([execution.State].OpenCallContexts), which the executor
// maintains for calls between cubes and [Manager.OpenCallContext] and
// [Manager.CloseCallContext] move for calls modelled outside it. The
// scheduler (execution/scheduler) routes management calls here, handing
// over its states with [Manager.Adopt] and completing stops with
// [Manager.Settle]. Closing the last one stops the cube and returns the answer to the
// pending stop calls as [Completion] values; start_canister cancels them.
//
// # Usage
//
//	x, _ := execution.New(execution.Config{Costs: execution.Costs{Subnet: execution.SubnetS4}}, eng)
//	m, _ := management.New(management.Config{Provisional: true}, x, seededReader)
//	arg, _ := candid.Marshal(management.ProvisionalCreateArgs{})
//	r, _ := m.Call(ctx, management.Call{Caller: user, Method: "provisional_create_canister_with_cycles", Arg: arg, Time: now})
//	var id management.CanisterIDRecord
//	_ = candid.Unmarshal(r.Response.Data, &id)
//	// install_code with management.InstallCodeArgs, then:
//	out, _ := m.Execute(ctx, cube, execution.Input{Kind: execution.KindUpdate, Method: "inc", Arg: arg, Caller: user, Time: now, Ingress: true})
package management
