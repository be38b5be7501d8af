// A counter cube: one update, one query; its state survives upgrades with
// wasm_memory_persistence = keep.
persistent actor Counter {
  var count : Nat = 0;

  public func inc() : async Nat {
    count += 1;
    count;
  };

  public query func get() : async Nat {
    count;
  };
};
