// A cube that calls others: it awaits a counter cube n times, catches the
// reject of a trapping callee, arms a timer, and asks the management cube
// for randomness. Its targets come as arguments (cube ids are not known
// when it is compiled).
import Principal "mo:core/Principal";
import Error "mo:core/Error";
import Timer "mo:core/Timer";

persistent actor Caller {
  var fired : Nat = 0;

  public func callN(c : Principal, n : Nat) : async Nat {
    let counter = actor (Principal.toText(c)) : actor { inc : () -> async Nat };
    var last = 0;
    var i = 0;
    while (i < n) {
      last := await counter.inc();
      i += 1;
    };
    last;
  };

  public func tryTrap(c : Principal) : async Text {
    let t = actor (Principal.toText(c)) : actor { bumpThenTrap : () -> async Nat };
    try {
      ignore await t.bumpThenTrap();
      "no error";
    } catch (e) {
      "caught: " # Error.message(e);
    };
  };

  public func arm(secs : Nat) : async () {
    ignore Timer.setTimer<system>(#seconds secs, func() : async () { fired += 1 });
  };

  public query func firedCount() : async Nat { fired };

  public func rand() : async Blob {
    let ic = actor "aaaaa-aa" : actor { raw_rand : () -> async Blob };
    await ic.raw_rand();
  };
};
