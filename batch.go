package bigfile

// Batch is what consensus hands to message routing for each finalized block:
// the block's height, time and randomness, and its payload — ingress messages
// and certified stream slices from other subnets. Every replica of a subnet
// receives the same batches in the same order; executing them is what keeps
// the replicas' states identical.
type Batch struct {
	Height Height // the height of the finalized block
	Time   Time   // the block's time; never decreases from one batch to the next
	// Randomness is the hash of the random beacon at Height: seed material for
	// the round's random tape (raw_rand). It is unpredictable until the block
	// is made and the same on every replica.
	Randomness Hash
	// Ingress lists the user calls to induct, in block order.
	Ingress []Ingress
	// XNet lists certified stream slices from other subnets, in increasing
	// order of sending subnet id, at most one slice per subnet. Routing
	// decodes and verifies them; consensus carries them as opaque bytes.
	XNet []XNetSlice
	// Checkpoint, when true, asks the state manager to checkpoint the state
	// after this batch (consensus sets it at summary heights).
	Checkpoint bool
}

// XNetSlice is a stream slice from another subnet, in routing's certified
// encoding. Routing owns the format; consensus and the batch only carry it.
type XNetSlice struct {
	From  SubnetID // the sending subnet
	Slice []byte   // the certified slice; routing verifies it before induction
}
