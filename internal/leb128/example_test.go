package leb128_test

import (
	"fmt"
	"math/big"

	"github.com/thebigfile/bigfile/internal/leb128"
)

func Example() {
	b := leb128.AppendUint(nil, 300)
	b = leb128.AppendInt(b, -1)
	fmt.Printf("%x\n", b)

	u, n, err := leb128.Uint(b)
	fmt.Println(u, n, err)
	i, m, err := leb128.Int(b[n:])
	fmt.Println(i, m, err)

	_, _, err = leb128.Uint([]byte{0x80, 0x00})
	fmt.Println(err)

	big1e30, _ := new(big.Int).SetString("1000000000000000000000000000000", 10)
	enc, _ := leb128.AppendBigUint(nil, big1e30)
	v, _, _ := leb128.BigUint(enc)
	fmt.Println(len(enc), v)
	// Output:
	// ac027f
	// 300 2 <nil>
	// -1 1 <nil>
	// leb128: overlong encoding
	// 15 1000000000000000000000000000000
}
