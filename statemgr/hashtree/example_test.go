package hashtree_test

import (
	"fmt"

	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// Example builds the specification's example tree, prints its root hash,
// and looks paths up in a witness that reveals only /a/y and proves /ax
// absent.
func Example() {
	l := func(s string) []byte { return []byte(s) }
	tree := hashtree.Fork(
		hashtree.Fork(
			hashtree.Labeled(l("a"), hashtree.Fork(
				hashtree.Fork(hashtree.Labeled(l("x"), hashtree.Leaf(l("hello"))), hashtree.Empty()),
				hashtree.Labeled(l("y"), hashtree.Leaf(l("world"))))),
			hashtree.Labeled(l("b"), hashtree.Leaf(l("good")))),
		hashtree.Fork(
			hashtree.Labeled(l("c"), hashtree.Empty()),
			hashtree.Labeled(l("d"), hashtree.Leaf(l("morning")))))
	fmt.Println(tree.Digest())

	w := tree.Witness(hashtree.PathOf("a", "y"), hashtree.PathOf("ax"))
	fmt.Println(w.Digest() == tree.Digest())
	for _, p := range []string{"y", "x"} {
		v, st := w.Lookup(l("a"), l(p))
		fmt.Printf("/a/%s: %s %q\n", p, st, v)
	}
	_, st := w.Lookup(l("ax"))
	fmt.Println("/ax:", st)
	// Output:
	// eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0
	// true
	// /a/y: found "world"
	// /a/x: unknown ""
	// /ax: absent
}
