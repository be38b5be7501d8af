// Package statemgr is BigFile's state manager: it holds a subnet's
// replicated state, hashes it incrementally into the Internet Computer's
// state tree every round, keeps the certifications of recent states,
// answers certified reads with pruned witnesses, writes checkpoints to a
// [Store] and lets lagging replicas sync a checkpoint from their peers.
//
// # The state
//
// A [State] is a labeled tree of byte-string values plus, for each cube, a
// memory of 4 KiB pages. Clients read the tree at the Internet Computer's
// paths — /time, /subnet/<id>/{public_key, canister_ranges,
// node/<id>/public_key}, /request_status/<id>/…, /canister/<id>/{module_hash,
// controllers, metadata/<name>, certified_data}, /streams/<subnet>/… — which
// the typed setters write. The rest of the replicated state lives under
// BigFile's own labels, so that every round's root hash commits to all of
// it: /cube_state/<cube>/{pages, page_count} (the digest and size of the
// cube's memory, maintained by Commit) and /cube_state/<cube>/blobs/<name>
// and /system/<name> (opaque blobs — queues, balances, metadata — whose
// encodings belong to execution and message routing). [State.Set] and
// [State.Delete] reach any path.
//
// # Hashing
//
// Each level of the tree is a persistent treap whose shape depends only on
// its labels, so all replicas build the same fork structure whatever the
// order of their updates; memories are binary Merkle trees over page
// indices. Digests are cached and only the paths above changed entries and
// pages are rehashed at [Manager.Commit]: certification costs what changed,
// not what exists. Commit freezes the state into a [Snapshot], which
// shares unchanged parts with the next version and is safe for concurrent
// readers while execution goes on.
//
// # Certification
//
// The root hash is signed as "\x0dic-state-root" ‖ root with the subnet's
// n−f threshold BLS key, either by a configured [Signer] ([Manager.Certify])
// or by consensus, whose aggregated signature [Manager.AddCertification]
// records (checked with a configured verifier). [Snapshot.Certificate]
// then answers read_state requests with a certificate in the format
// @dfinity/agent verifies (see package hashtree); it reveals only the
// requested paths and /time.
//
// # Checkpoints and state sync
//
// Every Config.CheckpointInterval rounds, Commit cuts the state into
// content-addressed chunks (pages, and serialized groups of tree entries per
// cube), lists them in a [Manifest] and writes the chunks not stored yet —
// the pages changed since the last checkpoint — then, atomically and last,
// the manifest record. A crash at any point leaves the previous checkpoint
// intact; [Open] loads the latest checkpoint that verifies (every chunk
// against the manifest, the rebuilt root against the recorded one) and
// deletes leftovers. [Manager.Sync] fetches a checkpoint named by its
// manifest hash (which a catch-up package certifies) from several [Peer]s
// concurrently, verifying each chunk and refetching bad ones elsewhere.
//
// # Usage
//
// A replica opens the manager on its store, applies each finalized batch to
// the working state, commits and certifies:
//
//	st, _ := badgerstore.Open(dir, badgerstore.Options{}) // or statemgr.NewMemStore()
//	sm, err := statemgr.Open(statemgr.Config{Store: st, CheckpointInterval: 500, Signer: signer})
//	if err != nil {
//		return err
//	}
//	for batch := range batches {
//		s := sm.State()
//		s.SetTime(batch.Time)
//		execute(s, batch) // WritePage, SetRequestStatus, SetCertifiedData, SetBlob, …
//		if _, err := sm.Commit(batch.Height); err != nil {
//			return err // a failed checkpoint write; the commit itself happened
//		}
//		if _, err := sm.Certify(batch.Height); err != nil {
//			return err
//		}
//	}
//
// The HTTP layer answers read_state from the latest certified snapshot,
// after checking which paths the caller may read:
//
//	snap := sm.Certified()
//	cert, err := snap.Certificate(statemgr.RequestStatusPath(id))
//
// A replica that falls behind syncs the checkpoint a catch-up package names:
//
//	stats, err := sm.Sync(ctx, cup.Height, cup.ManifestHash, peers)
package statemgr
