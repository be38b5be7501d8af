package routing_test

import (
	"errors"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

var (
	subnetA = bigfile.SubnetIDFromPublicKey([]byte("subnet A"))
	subnetB = bigfile.SubnetIDFromPublicKey([]byte("subnet B"))
	subnetC = bigfile.SubnetIDFromPublicKey([]byte("subnet C"))

	// Cubes 0..99 live on A, 100..199 on B, 200..299 on C.
	rangeA = bigfile.CubeRange{Start: 0, End: 99}
	rangeB = bigfile.CubeRange{Start: 100, End: 199}
	rangeC = bigfile.CubeRange{Start: 200, End: 299}

	t0 = bigfile.Time(1_700_000_000_000_000_000)
)

func testMap(t testing.TB) routing.Map {
	t.Helper()
	m, err := routing.NewMap([]routing.Assignment{{Range: rangeA, Subnet: subnetA}, {Range: rangeB, Subnet: subnetB}, {Range: rangeC, Subnet: subnetC}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// node is one subnet's router with its fake cubes.
type node struct {
	r     *routing.Router
	cubes *routingtest.Cubes
	table *routing.Table
}

// newNode builds the router of subnet s with cubes ids, each holding 1T
// cycles; tweak may adjust the config.
func newNode(t testing.TB, keys *routingtest.Keys, s bigfile.SubnetID, ids []bigfile.CubeID, tweak func(*routing.Config)) *node {
	t.Helper()
	cubes := routingtest.NewCubes()
	for _, id := range ids {
		cubes.Add(id, routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
	}
	table := routing.NewTable(testMap(t))
	cfg := routing.Config{Subnet: s, Table: table, Cubes: cubes, Certifier: keys.Certifier(s), Verifier: keys}
	if tweak != nil {
		tweak(&cfg)
	}
	r, err := routing.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &node{r: r, cubes: cubes, table: table}
}

func call(to bigfile.CubeID, method string, nonce byte) bigfile.Ingress {
	return bigfile.Ingress{Sender: bigfile.Anonymous, Receiver: to.Principal(), Method: method,
		Arg: []byte("DIDL\x00\x00"), Nonce: []byte{nonce}, Expiry: t0.Add(60e9)}
}

// mustInduct inducts a batch with only ingress at height h.
func mustInduct(t testing.TB, r *routing.Router, h bigfile.Height, now bigfile.Time, in ...bigfile.Ingress) routing.Report {
	t.Helper()
	rep, err := r.Induct(bigfile.Batch{Height: h, Time: now, Ingress: in})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rejectCode returns the reject code inside err, or 0.
func rejectCode(err error) bigfile.RejectCode {
	var ce *routing.CallError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}
