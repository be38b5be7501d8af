// A cube that changes state and then traps, and a query that writes memory:
// both changes must be discarded by the host.
import Runtime "mo:core/Runtime";

persistent actor Trapper {
  var count : Nat = 0;

  public func bump() : async Nat {
    count += 1;
    count;
  };

  public func bumpThenTrap() : async Nat {
    count += 100;
    Runtime.trap("bump then trap");
  };

  public query func queryWrite() : async Nat {
    count += 1000;
    count;
  };

  public query func get() : async Nat {
    count;
  };
};
