// Command tour walks one cube call through BIG's real components, in one
// process and without a network:
//
//  1. chainkey: four nodes run a distributed key generation; the subnet's
//     threshold BLS public key names the subnet.
//  2. execution: the wasmtime engine installs an unmodified Motoko counter
//     cube, runs update calls, a query and an upgrade that keeps the heap.
//  3. Candid: arguments and replies are encoded and decoded as clients do;
//     the management cube's install_code argument is shown byte for byte.
//  4. bigfile: the user's call gets the request id @dfinity/agent computes.
//  5. statemgr's hash tree and chainkey: the reply is put under
//     /request_status/<id>/reply beside /time, three of the four nodes sign
//     the root, the shares are combined into an IC certificate (CBOR), and
//     the certificate is decoded, verified against the subnet's DER key and
//     read, as a client does.
//
// Run it from the repository root:
//
//	go run ./examples/tour
//
// Until examples/localnet exists, this is BIG's most complete runnable example.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/chainkey"
	"github.com/thebigfile/bigfile/chainkey/bls"
	"github.com/thebigfile/bigfile/chainkey/chainkeytest"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/candid"
	"github.com/thebigfile/bigfile/execution/management"
	"github.com/thebigfile/bigfile/execution/wasm"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

func main() {
	wasmPath := flag.String("wasm", "execution/wasm/testdata/motoko/Counter.wasm",
		"the Motoko counter cube (built from execution/wasm/testdata/motoko/Counter.mo)")
	flag.Parse()
	if err := run(*wasmPath); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func run(wasmPath string) error {
	ctx := context.Background()

	// 1. The subnet's key: a DKG among four nodes, threshold 3 = n − f.
	const n, threshold = 4, 3
	nodes := chainkeytest.NewNodes(1, n)
	dkgRun, err := chainkeytest.RunDKG(1, nodes, threshold)
	if err != nil {
		return fmt.Errorf("dkg: %w", err)
	}
	subnetKey := dkgRun.Transcript.PublicKey()
	der, err := subnetKey.MarshalDER()
	if err != nil {
		return err
	}
	subnet := bigfile.SubnetIDFromPublicKey(der)
	fmt.Printf("subnet     %s (threshold BLS key, %d of %d nodes)\n", subnet, threshold, n)

	// 2. The cube: install the Motoko counter on the wasmtime engine.
	code, err := os.ReadFile(wasmPath)
	if err != nil {
		return fmt.Errorf("%w (run from the repository root, or pass -wasm)", err)
	}
	eng, err := wasm.New(wasm.Config{})
	if err != nil {
		return err
	}
	x, err := execution.New(execution.Config{}, eng)
	if err != nil {
		return err
	}
	cube := bigfile.CubeID(1)
	user := bigfile.SelfAuthenticating([]byte("tour user's DER public key"))
	now := bigfile.TimeOf(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	noArgs, err := candid.Marshal()
	if err != nil {
		return err
	}
	fmt.Printf("cube       %s (%d-byte Motoko module)\n", cube, len(code))

	// What a client sends to the management cube to install the code.
	installArg, err := candid.Marshal(management.InstallCodeArgs{
		Mode:       management.InstallMode{Install: &candid.Null{}},
		CanisterID: cube.Principal(),
		WasmModule: code[:8],
		Arg:        noArgs,
	})
	if err != nil {
		return err
	}
	fmt.Printf("install    install_code argument (module cut to 8 bytes): %x\n", installArg)

	st := &execution.State{ID: cube, Controllers: []bigfile.Principal{user}}
	out, err := x.Execute(ctx, st, execution.Input{Kind: execution.KindInstall, Wasm: code, Arg: noArgs, Caller: user, Time: now})
	if err != nil {
		return err
	}
	if out.Err != nil {
		return fmt.Errorf("install: %v", out.Err)
	}
	st = out.State

	// 3. Update calls; each is an ingress message with a request id.
	var last bigfile.Ingress
	var lastReply []byte
	for i := 0; i < 3; i++ {
		last = bigfile.Ingress{Sender: user, Receiver: cube.Principal(), Method: "inc", Arg: noArgs,
			Nonce: []byte{byte(i)}, Expiry: now.Add(5 * time.Minute)}
		out, err = x.Execute(ctx, st, execution.Input{Kind: execution.KindUpdate, Method: last.Method,
			Arg: last.Arg, Caller: last.Sender, Time: now})
		if err != nil {
			return err
		}
		if out.Err != nil {
			return fmt.Errorf("inc: %v", out.Err)
		}
		st = out.State
		lastReply = out.Response.Data
		count, err := decodeNat(lastReply)
		if err != nil {
			return err
		}
		fmt.Printf("update     inc -> %s   request id %s (%d instructions)\n", count, last.ID(), out.Instructions)
	}

	// An upgrade that keeps the heap (Motoko's enhanced orthogonal persistence), then a query.
	out, err = x.Execute(ctx, st, execution.Input{Kind: execution.KindUpgrade, Wasm: code, Arg: noArgs,
		Caller: user, Time: now, Persistence: execution.PersistenceKeep})
	if err != nil {
		return err
	}
	if out.Err != nil {
		return fmt.Errorf("upgrade: %v", out.Err)
	}
	st = out.State
	out, err = x.Execute(ctx, st, execution.Input{Kind: execution.KindQuery, Method: "get", Arg: noArgs, Caller: user, Time: now})
	if err != nil {
		return err
	}
	count, err := decodeNat(out.Response.Data)
	if err != nil {
		return err
	}
	fmt.Printf("upgrade    wasm_memory_persistence = keep; query get -> %s\n", count)

	// 4–5. Certify the last reply as a replica would and verify it as a client does.
	id := last.ID()
	tree := hashtree.Fork(
		hashtree.Labeled([]byte("request_status"),
			hashtree.Labeled(id[:], hashtree.Fork(
				hashtree.Labeled([]byte("reply"), hashtree.Leaf(lastReply)),
				hashtree.Labeled([]byte("status"), hashtree.Leaf([]byte("replied")))))),
		hashtree.Labeled([]byte("time"), hashtree.Leaf(leb128(uint64(now)))))
	msg := hashtree.SignedMessage(tree.Digest())

	// Every node holds a share; n − f = 3 signatures combine into the subnet's.
	var shares [][]byte
	for i := 1; i < n; i++ { // node 0 stays silent
		k, err := chainkey.NewThresholdKey(dkgRun.Transcript.Coefficients, &dkgRun.Shares[i])
		if err != nil {
			return err
		}
		share, err := k.SignShare(msg)
		if err != nil {
			return err
		}
		shares = append(shares, share)
	}
	group, err := chainkey.NewThresholdKey(dkgRun.Transcript.Coefficients, nil)
	if err != nil {
		return err
	}
	sig, err := group.Combine(msg, shares)
	if err != nil {
		return err
	}
	cert, err := (&hashtree.Certificate{Tree: tree, Signature: sig}).MarshalCBOR()
	if err != nil {
		return err
	}
	fmt.Printf("certified  %d-byte certificate, root %s, signed by %d of %d nodes\n", len(cert), tree.Digest(), len(shares), n)

	// The client's side: decode, verify against the subnet's DER key, look up the reply.
	got, err := hashtree.DecodeCertificate(cert)
	if err != nil {
		return err
	}
	if err := got.Verify(hashtree.VerifyOptions{RootKey: der, Verifier: bls.EncodedVerifier{}}); err != nil {
		return fmt.Errorf("certificate does not verify: %w", err)
	}
	reply, status := got.Tree.Lookup([]byte("request_status"), id[:], []byte("reply"))
	count, err = decodeNat(reply)
	if err != nil {
		return fmt.Errorf("lookup (status %v): %w", status, err)
	}
	certTime, err := got.Time()
	if err != nil {
		return err
	}
	fmt.Printf("verified   /request_status/%s/reply = %s at %s\n", id, count, certTime)

	forged := *got
	forged.Signature = append([]byte{sig[0]}, sig[1:]...)
	forged.Signature[len(sig)-1] ^= 1
	if forged.Verify(hashtree.VerifyOptions{RootKey: der, Verifier: bls.EncodedVerifier{}}) == nil {
		return errors.New("a forged certificate verified")
	}
	fmt.Println("rejected   the same certificate with one signature bit flipped")
	return nil
}

// leb128 encodes a nat as the state tree's /time leaf holds it.
func leb128(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func decodeNat(reply []byte) (candid.Nat, error) {
	var n candid.Nat
	if err := candid.Unmarshal(reply, &n); err != nil {
		return candid.Nat{}, fmt.Errorf("decoding reply %x: %w", reply, err)
	}
	return n, nil
}
