package bigfile_test

import (
	"fmt"
	"time"

	"github.com/thebigfile/bigfile"
)

func ExampleParsePrincipal() {
	p, err := bigfile.ParsePrincipal("rrkah-fqaaa-aaaaa-aaaaq-cai")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x %v\n", p.Bytes(), p.Class() == bigfile.ClassOpaque)

	_, err = bigfile.ParsePrincipal("rrkah-fqaaa-aaaaa-aaaaa-cai") // one character off
	fmt.Println(err)
	// Output:
	// 00000000000000010101 true
	// bigfile: principal checksum mismatch: "rrkah-fqaaa-aaaaa-aaaaa-cai"
}

func ExampleCubeID() {
	cube := bigfile.CubeID(1)
	fmt.Println(cube, cube.Principal().Len())
	back, err := bigfile.CubeIDFromPrincipal(cube.Principal())
	fmt.Println(back == cube, err)
	_, err = bigfile.CubeIDFromPrincipal(bigfile.ManagementCube)
	fmt.Println(err)
	// Output:
	// rrkah-fqaaa-aaaaa-aaaaq-cai 10
	// true <nil>
	// bigfile: invalid principal: aaaaa-aa is not a cube id
}

func ExampleIngress_ID() {
	// The Internet Computer interface specification's example call.
	receiver, _ := bigfile.PrincipalFromBytes([]byte{0, 0, 0, 0, 0, 0, 0x04, 0xD2})
	call := bigfile.Ingress{
		Sender:   bigfile.Anonymous,
		Receiver: receiver,
		Method:   "hello",
		Arg:      []byte("DIDL\x00\xFD*"),
		Expiry:   bigfile.TimeOf(time.Date(2023, 5, 31, 22, 0, 0, 0, time.UTC)),
	}
	fmt.Println(call.ID())
	// Output: 1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101
}

func ExampleCycles() {
	balance := bigfile.CyclesFromUint64(3_000_000_000_000)
	fee := bigfile.CyclesFromUint64(590_000).MulUint64(4) // four messages
	fmt.Println(balance.Sub(fee))
	fmt.Println(fee.Sub(balance)) // saturates at zero instead of wrapping
	// Output:
	// 2999997640000
	// 0
}
