// A key-value cube on mo:core/Map.
import Map "mo:core/Map";
import Text "mo:core/Text";

persistent actor KV {
  let store = Map.empty<Text, Text>();

  public func put(k : Text, v : Text) : async () {
    Map.add(store, Text.compare, k, v);
  };

  public func delete(k : Text) : async Bool {
    Map.delete(store, Text.compare, k);
  };

  public query func get(k : Text) : async ?Text {
    Map.get(store, Text.compare, k);
  };

  public query func size() : async Nat {
    Map.size(store);
  };
};
