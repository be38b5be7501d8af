// See shim.h.
#include "shim.h"

#include <stdlib.h>
#include <string.h>

// Prototypes of the wasmtime C API functions used, with opaque types as
// void pointers (the library's ABI is the same).
extern void *wasmtime_context_fuel_async_yield_interval(void *ctx, uint64_t interval);
extern bool wasmtime_call_future_poll(void *fut);
extern void wasmtime_call_future_delete(void *fut);
extern void *wasmtime_func_call_async(void *ctx, const bf_func_t *func, const bf_val_t *args, size_t nargs,
                                      bf_val_t *results, size_t nresults, void **trap_ret, void **error_ret);
typedef void (*bf_async_cb)(void *env, void *caller, const bf_val_t *args, size_t nargs, bf_val_t *results,
                            size_t nresults, void **trap_ret, bf_continuation_t *cont);
extern void *wasmtime_linker_define_async_func(void *linker, const char *module, size_t module_len, const char *name,
                                               size_t name_len, const void *ty, bf_async_cb cb, void *data,
                                               void (*finalizer)(void *));
extern void *wasmtime_linker_instantiate_async(const void *linker, void *ctx, const void *module,
                                               bf_instance_t *instance, void **trap_ret, void **error_ret);
extern bool wasmtime_caller_export_get(void *caller, const char *name, size_t len, bf_extern_t *item);
extern void *wasmtime_caller_context(void *caller);
extern uint8_t *wasmtime_memory_data(const void *ctx, const void *mem);
extern size_t wasmtime_memory_data_size(const void *ctx, const void *mem);
extern bool wasmtime_trap_code(const void *trap, uint8_t *code);
extern void wasm_trap_message(const void *trap, bf_byte_vec_t *out);
extern void wasm_trap_delete(void *trap);
extern void *wasmtime_trap_new(const char *msg, size_t len);
extern void wasm_byte_vec_delete(bf_byte_vec_t *v);
extern void wasmtime_error_message(const void *err, bf_byte_vec_t *out);
extern void wasmtime_error_delete(void *err);
extern void wasmtime_config_async_stack_size_set(void *config, uint64_t size);
extern void *wasm_valtype_new(uint8_t kind);
typedef struct {
  size_t size;
  void **data;
} bf_valtype_vec_t;
extern void wasm_valtype_vec_new(bf_valtype_vec_t *out, size_t size, void *const data[]);
extern void *wasm_functype_new(bf_valtype_vec_t *params, bf_valtype_vec_t *results);
extern void wasm_functype_delete(void *ty);

#define BF_EXTERN_MEMORY 3
#define BF_MEMORY_EXPORT "__bf_memory"

// The call being polled on this thread. Host callbacks run on wasmtime's
// fiber, on the polling thread, so they find their call record here.
static __thread bf_call *bf_current;

bf_call *bf_call_new(void) { return calloc(1, sizeof(bf_call)); }

void bf_call_free(bf_call *c) {
  if (c == NULL) return;
  bf_abort(c);
  if (c->trap) wasm_trap_delete(c->trap);
  if (c->err) wasmtime_error_delete(c->err);
  free(c);
}

static void bf_reset(bf_call *c) {
  if (c->trap) wasm_trap_delete(c->trap);
  if (c->err) wasmtime_error_delete(c->err);
  c->trap = NULL;
  c->err = NULL;
  c->host_pending = 0;
  c->host_done = 0;
}

void bf_instantiate_start(bf_call *c, void *linker, void *ctx, void *module) {
  bf_reset(c);
  c->fut = wasmtime_linker_instantiate_async(linker, ctx, module, &c->inst, &c->trap, &c->err);
}

void bf_call_start(bf_call *c, void *ctx) {
  bf_reset(c);
  c->fut = wasmtime_func_call_async(ctx, &c->func, NULL, 0, NULL, 0, &c->trap, &c->err);
}

// bf_poll advances the future: 1 = done (the future is deleted), 2 = a host
// call is parked and must be served, 0 = paused at a fuel yield.
int bf_poll(bf_call *c) {
  if (c->fut == NULL) return 1;
  bf_call *prev = bf_current;
  bf_current = c;
  bool done = wasmtime_call_future_poll(c->fut);
  bf_current = prev;
  if (done) {
    wasmtime_call_future_delete(c->fut);
    c->fut = NULL;
    return 1;
  }
  if (c->host_pending) {
    c->host_pending = 0;
    return 2;
  }
  return 0;
}

// bf_abort deletes an unfinished future, unwinding its fiber.
void bf_abort(bf_call *c) {
  if (c->fut == NULL) return;
  bf_call *prev = bf_current;
  bf_current = c;
  wasmtime_call_future_delete(c->fut);
  bf_current = prev;
  c->fut = NULL;
  c->host_pending = 0;
  c->host_done = 0;
}

static bool bf_continue(void *env) {
  bf_call *c = env;
  if (c->host_done) {
    c->host_done = 0;
    return true;
  }
  return false;
}

// bf_host_cb parks a host call: it records the arguments and the caller's
// memory and returns a continuation that completes once Go has served it.
static void bf_host_cb(void *env, void *caller, const bf_val_t *args, size_t nargs, bf_val_t *results,
                       size_t nresults, void **trap_ret, bf_continuation_t *cont) {
  bf_call *c = bf_current;
  if (c == NULL) {
    static const char msg[] = "ic0 call outside a polled execution";
    *trap_ret = wasmtime_trap_new(msg, sizeof msg - 1);
    return;
  }
  c->host_fn = (int)(intptr_t)env;
  c->host_nargs = nargs < 8 ? nargs : 8;
  for (size_t i = 0; i < c->host_nargs; i++) {
    c->host_args[i] = args[i].kind == 0 ? (uint64_t)(uint32_t)args[i].of.i32 : (uint64_t)args[i].of.i64;
  }
  c->host_results = results;
  c->host_nresults = nresults;
  c->mem_base = NULL;
  c->mem_size = 0;
  bf_extern_t ext;
  if (wasmtime_caller_export_get(caller, BF_MEMORY_EXPORT, sizeof BF_MEMORY_EXPORT - 1, &ext) &&
      ext.kind == BF_EXTERN_MEMORY) {
    void *ctx = wasmtime_caller_context(caller);
    c->mem_base = wasmtime_memory_data(ctx, &ext.of.memory);
    c->mem_size = wasmtime_memory_data_size(ctx, &ext.of.memory);
  }
  c->host_pending = 1;
  c->host_done = 0;
  cont->callback = bf_continue;
  cont->env = c;
  cont->finalizer = NULL;
}

void bf_host_return(bf_call *c, int kind, uint64_t v) {
  if (c->host_nresults > 0) {
    c->host_results[0].kind = (uint8_t)kind;
    if (kind == 0) {
      c->host_results[0].of.i32 = (int32_t)(uint32_t)v;
    } else {
      c->host_results[0].of.i64 = (int64_t)v;
    }
  }
  c->host_done = 1;
}

static void bf_take_message(bf_byte_vec_t *v, char **msg, size_t *len) {
  *len = v->size;
  *msg = malloc(v->size + 1);
  if (*msg != NULL) {
    memcpy(*msg, v->data, v->size);
    (*msg)[v->size] = 0;
  } else {
    *len = 0;
  }
  wasm_byte_vec_delete(v);
}

// bf_outcome reports a finished future: 0 ok, 1 trap (code set when known,
// else -1), 2 error. *msg is malloc'ed; the caller frees it.
int bf_outcome(bf_call *c, int *code, char **msg, size_t *len) {
  bf_byte_vec_t v = {0, NULL};
  *code = -1;
  *msg = NULL;
  *len = 0;
  if (c->trap != NULL) {
    uint8_t tc;
    if (wasmtime_trap_code(c->trap, &tc)) *code = tc;
    wasm_trap_message(c->trap, &v);
    bf_take_message(&v, msg, len);
    wasm_trap_delete(c->trap);
    c->trap = NULL;
    return 1;
  }
  if (c->err != NULL) {
    wasmtime_error_message(c->err, &v);
    bf_take_message(&v, msg, len);
    wasmtime_error_delete(c->err);
    c->err = NULL;
    return 2;
  }
  return 0;
}

static char *bf_error_string(void *err) {
  bf_byte_vec_t v = {0, NULL};
  char *msg;
  size_t len;
  wasmtime_error_message(err, &v);
  bf_take_message(&v, &msg, &len);
  wasmtime_error_delete(err);
  return msg;
}

// bf_define defines ic0.<name> as an async host function whose callback
// reports index fn. Kinds: 0 = i32, 1 = i64. Returns NULL or an error.
char *bf_define(void *linker, const char *name, size_t len, int fn, const uint8_t *params, size_t np,
                const uint8_t *results, size_t nr) {
  void *pt[8], *rt[1];
  if (np > 8 || nr > 1) return strdup("too many parameters or results");
  for (size_t i = 0; i < np; i++) pt[i] = wasm_valtype_new(params[i]);
  for (size_t i = 0; i < nr; i++) rt[i] = wasm_valtype_new(results[i]);
  bf_valtype_vec_t pv, rv;
  wasm_valtype_vec_new(&pv, np, pt);
  wasm_valtype_vec_new(&rv, nr, rt);
  void *ty = wasm_functype_new(&pv, &rv);
  void *err = wasmtime_linker_define_async_func(linker, "ic0", 3, name, len, ty, bf_host_cb, (void *)(intptr_t)fn,
                                                NULL);
  wasm_functype_delete(ty);
  return err ? bf_error_string(err) : NULL;
}

char *bf_fuel_yield(void *ctx, uint64_t interval) {
  void *err = wasmtime_context_fuel_async_yield_interval(ctx, interval);
  return err ? bf_error_string(err) : NULL;
}

void bf_config_async_stack(void *config, uint64_t size) { wasmtime_config_async_stack_size_set(config, size); }
