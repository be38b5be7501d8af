package consensustest

import (
	"encoding/binary"
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
)

// Payloads is a fake payload builder and validator: each block carries
// Items ingress messages with ItemSize-byte arguments, tagged with the maker
// and height so that every block's payload is distinct. The validator
// rejects a payload that repeats a message of an undelivered ancestor, the
// check routing performs for ingress.
type Payloads struct {
	Maker    bigfile.NodeID
	Items    int
	ItemSize int
	seq      uint64
}

// BuildPayload implements [consensus.Payloads].
func (p *Payloads) BuildPayload(ctx consensus.PayloadContext) (consensus.Payload, error) {
	var pl consensus.Payload
	n := max(p.Items, 1)
	pl.Ingress = make([]bigfile.Ingress, n)
	arg := make([]byte, p.ItemSize)
	for i := range pl.Ingress {
		p.seq++
		nonce := binary.BigEndian.AppendUint64(nil, uint64(ctx.Height))
		nonce = binary.BigEndian.AppendUint64(nonce, p.seq)
		pl.Ingress[i] = bigfile.Ingress{Sender: p.Maker.Principal, Method: "m", Arg: arg, Nonce: nonce}
	}
	return pl, nil
}

// ValidatePayload implements [consensus.Payloads].
func (p *Payloads) ValidatePayload(ctx consensus.PayloadContext, pl consensus.Payload) error {
	if len(ctx.Past) == 0 || len(pl.Ingress) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, past := range ctx.Past {
		for _, m := range past.Ingress {
			seen[string(m.Sender.Bytes())+string(m.Nonce)] = true
		}
	}
	for _, m := range pl.Ingress {
		if seen[string(m.Sender.Bytes())+string(m.Nonce)] {
			return fmt.Errorf("consensustest: message repeated from an ancestor")
		}
	}
	return nil
}
