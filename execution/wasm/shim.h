// The cgo shim over wasmtime's async C API (wasmtime.md §2, §6).
//
// wasmtime-go wraps none of the async API, so this shim declares the few C
// functions it needs itself (no include path into the module cache; the
// symbols come from the libwasmtime.a that wasmtime-go links) and mirrors
// the by-value structs it exchanges with the library. shim_decl_test.go
// checks these declarations against the real headers.
#ifndef BF_SHIM_H
#define BF_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// wasmtime_func_t
typedef struct {
  uint64_t store_id;
  void *private_;
} bf_func_t;

// wasmtime_instance_t
typedef struct {
  uint64_t store_id;
  size_t private_;
} bf_instance_t;

// wasmtime_val_t: kind at 0, the union at 8, 32 bytes in all.
typedef struct {
  uint8_t kind;
  union {
    int32_t i32;
    int64_t i64;
    uint8_t raw[24];
  } __attribute__((aligned(8))) of;
} bf_val_t;

// wasmtime_extern_t (kind at 0, union at 8); sized generously.
typedef struct {
  uint8_t kind;
  union {
    struct {
      uint64_t store_id;
      uint32_t private1;
      uint32_t private2;
    } memory;
    uint8_t raw[24];
  } __attribute__((aligned(8))) of;
} bf_extern_t;

// wasmtime_async_continuation_t
typedef struct {
  bool (*callback)(void *env);
  void *env;
  void (*finalizer)(void *);
} bf_continuation_t;

// wasm_byte_vec_t
typedef struct {
  size_t size;
  char *data;
} bf_byte_vec_t;

// bf_call is one in-flight future (an instantiation or a call) and the
// state of the host call it has parked, if any. It lives in C memory
// because the future borrows its slots until it is deleted.
typedef struct {
  void *fut;  // wasmtime_call_future_t
  bf_func_t func;
  bf_instance_t inst;
  void *trap;  // wasm_trap_t
  void *err;   // wasmtime_error_t

  // The parked host call.
  int host_pending;
  int host_done;
  int host_fn;
  size_t host_nargs;
  uint64_t host_args[8];
  bf_val_t *host_results;
  size_t host_nresults;
  uint8_t *mem_base;
  size_t mem_size;
} bf_call;

bf_call *bf_call_new(void);
void bf_call_free(bf_call *c);
void bf_instantiate_start(bf_call *c, void *linker, void *ctx, void *module);
void bf_call_start(bf_call *c, void *ctx);
int bf_poll(bf_call *c);
void bf_abort(bf_call *c);
void bf_host_return(bf_call *c, int kind, uint64_t v);
int bf_outcome(bf_call *c, int *code, char **msg, size_t *len);
char *bf_define(void *linker, const char *name, size_t len, int fn, const uint8_t *params, size_t np,
                const uint8_t *results, size_t nr);
char *bf_fuel_yield(void *ctx, uint64_t interval);
void bf_config_async_stack(void *config, uint64_t size);

#endif
