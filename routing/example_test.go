package routing_test

import (
	"fmt"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

// Example inducts an ingress message, lets a stand-in for execution answer
// it, and reads its status as a client would.
func Example() {
	subnet := bigfile.SubnetIDFromPublicKey([]byte("example subnet"))
	m, _ := routing.NewMap([]routing.Assignment{{Range: bigfile.CubeRange{Start: 0, End: 99}, Subnet: subnet}})
	cubes := routingtest.NewCubes()
	cubes.Add(1, routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
	keys := routingtest.NewKeys()
	r, err := routing.New(routing.Config{Subnet: subnet, Table: routing.NewTable(m), Cubes: cubes,
		Certifier: keys.Certifier(subnet), Verifier: keys})
	if err != nil {
		panic(err)
	}

	now := bigfile.Time(1_700_000_000_000_000_000)
	call := bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: bigfile.CubeID(1).Principal(),
		Method: "greet", Arg: []byte("DIDL\x00\x00"), Expiry: now.Add(60e9)}
	rep, _ := r.Induct(bigfile.Batch{Height: 1, Time: now, Ingress: []bigfile.Ingress{call}})
	fmt.Println("inducted:", rep.Inducted, "fee charged:", cubes.Charged)

	st, _ := r.History().Get(call.ID())
	fmt.Println("status:", st.Status)
	msg, _ := r.NextInput(bigfile.CubeID(1).Principal())
	st, _ = r.History().Get(call.ID())
	fmt.Println("status:", st.Status, "method:", msg.Ingress.Method)
	r.CompleteIngress(msg.ID, routing.IngressResult{Reply: []byte("hi")})
	st, _ = r.History().Get(call.ID())
	fmt.Printf("status: %s reply: %s\n", st.Status, st.Reply)
	// Output:
	// inducted: 1 fee charged: 1222000
	// status: received
	// status: processing method: greet
	// status: replied reply: hi
}

// ExampleMap_Assign moves part of a subnet's range to another subnet.
func ExampleMap_Assign() {
	a := bigfile.SubnetIDFromPublicKey([]byte("a"))
	b := bigfile.SubnetIDFromPublicKey([]byte("b"))
	m, _ := routing.NewMap([]routing.Assignment{{Range: bigfile.CubeRange{Start: 0, End: 99}, Subnet: a}})
	m, _ = m.Assign(bigfile.CubeRange{Start: 40, End: 49}, b)
	for _, as := range m.Assignments() {
		fmt.Println(uint64(as.Range.Start), uint64(as.Range.End), as.Subnet == b)
	}
	// Output:
	// 0 39 false
	// 40 49 true
	// 50 99 false
}
