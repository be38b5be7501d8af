package hashtree

import (
	"bytes"
	"fmt"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// Certificate is an Internet Computer certificate: a hash tree (usually a
// witness of the state tree), a threshold BLS signature over its root hash,
// and an optional delegation from the root subnet. Its CBOR form is
// 55799({tree, signature, delegation?}).
type Certificate struct {
	Tree       *Tree
	Signature  []byte      // a BLS12-381 min-sig signature: a 48-byte G1 point
	Delegation *Delegation // nil when the subnet's key is the root key
}

// Delegation lets a subnet other than the root subnet sign certificates: a
// certificate of the root subnet that reveals the subnet's public key and
// cube ranges.
type Delegation struct {
	SubnetID    bigfile.SubnetID
	Certificate []byte // the root subnet's encoded certificate
}

// SignedMessage returns the message a certificate's signature signs: the
// domain separator "\x0dic-state-root" followed by the root hash.
func SignedMessage(root bigfile.Hash) []byte {
	return append(append(make([]byte, 0, len(StateRootSeparator)+32), StateRootSeparator...), root[:]...)
}

// MarshalCBOR returns the CBOR encoding of c with the self-describe tag, the
// form clients decode. It never fails.
func (c *Certificate) MarshalCBOR() ([]byte, error) {
	b := []byte{0xd9, 0xd9, 0xf7}
	n := uint64(2)
	if c.Delegation != nil {
		n = 3
	}
	b = appendHead(b, majMap, n)
	b = appendText(b, "tree")
	b = c.Tree.AppendCBOR(b)
	b = appendText(b, "signature")
	b = appendBytes(b, c.Signature)
	if c.Delegation != nil {
		b = appendText(b, "delegation")
		b = appendHead(b, majMap, 2)
		b = appendText(b, "subnet_id")
		b = appendBytes(b, c.Delegation.SubnetID.Bytes())
		b = appendText(b, "certificate")
		b = appendBytes(b, c.Delegation.Certificate)
	}
	return b, nil
}

// DecodeCertificate decodes a certificate from CBOR, accepting self-describe
// tags anywhere and ignoring unknown map keys. It checks the structure only;
// call [Certificate.Verify] to check the signature. The result does not alias
// data. Errors wrap [ErrMalformed] or [ErrTooDeep].
func DecodeCertificate(data []byte) (*Certificate, error) {
	d := decoder{b: data}
	c := &Certificate{}
	var haveTree, haveSig bool
	err := d.textMap(func(key string) error {
		var err error
		switch key {
		case "tree":
			c.Tree, err = d.tree(0)
			haveTree = true
		case "signature":
			c.Signature, err = d.str(majBytes)
			haveSig = true
		case "delegation":
			c.Delegation = &Delegation{}
			err = d.textMap(func(key string) error {
				switch key {
				case "subnet_id":
					b, err := d.str(majBytes)
					if err != nil {
						return err
					}
					p, err := bigfile.PrincipalFromBytes(b)
					if err != nil {
						return fmt.Errorf("%w: subnet_id: %v", ErrMalformed, err)
					}
					c.Delegation.SubnetID = bigfile.SubnetID{Principal: p}
					return nil
				case "certificate":
					var err error
					c.Delegation.Certificate, err = d.str(majBytes)
					return err
				}
				return d.skip(0)
			})
		default:
			err = d.skip(0)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b)-d.off)
	}
	if !haveTree || !haveSig {
		return nil, fmt.Errorf("%w: certificate without tree or signature", ErrMalformed)
	}
	return c, nil
}

// textMap reads a map with text keys and calls field for each key, with the
// decoder positioned at the value; field must consume the value.
func (d *decoder) textMap(field func(key string) error) error {
	d.skipTags()
	m, n, err := d.head()
	if err != nil {
		return err
	}
	if m != majMap {
		return d.errorf("major type %d, want a map", m)
	}
	if n > uint64(len(d.b)-d.off) {
		return d.errorf("map of %d entries exceeds input", n)
	}
	for range n {
		k, err := d.str(majText)
		if err != nil {
			return err
		}
		if err := field(string(k)); err != nil {
			return err
		}
	}
	return nil
}

// SignatureVerifier checks a BLS12-381 signature in the Internet Computer's
// scheme (min-sig: a 48-byte G1 signature, a 96-byte G2 public key, hash to
// G1 with the ciphersuite BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_). The
// chain-key package's verifier satisfies it through a small adapter. It
// returns nil only for a valid signature.
type SignatureVerifier interface {
	VerifySignature(publicKey, msg, sig []byte) error
}

// VerifyOptions says what a certificate must be checked against.
type VerifyOptions struct {
	// RootKey is the DER-encoded root public key (133 bytes); required.
	RootKey []byte
	// Verifier checks BLS signatures; required.
	Verifier SignatureVerifier
	// Cube, if set, must lie in the cube ranges of a delegated subnet, as
	// clients check for the effective canister id of their request.
	Cube *bigfile.CubeID
	// Now, if set, turns on the clients' freshness checks: the
	// certificate's /time must lie within MaxSkew of Now, and a
	// delegation's /time must be at most MaxDelegationAge old.
	Now bigfile.Time
	// MaxSkew defaults to [DefaultMaxSkew]; MaxDelegationAge to
	// [DefaultMaxDelegationAge]. Both apply only when Now is set.
	MaxSkew          time.Duration
	MaxDelegationAge time.Duration
}

// The clients' freshness limits.
const (
	DefaultMaxSkew          = 5 * time.Minute
	DefaultMaxDelegationAge = 30 * 24 * time.Hour
)

// Verify checks c: that its signature signs its tree's root hash under the
// root key, or, with a delegation, that the delegation's certificate verifies
// under the root key (and has no delegation itself), reveals the subnet's key
// under /subnet/<id>/public_key and, if opts.Cube is set, a cube range that
// holds it; and that c's signature verifies under that subnet key. With
// opts.Now set it also checks /time as the clients do. Only the flat
// /subnet/<id>/canister_ranges form is read, not the sharded
// /canister_ranges/<id>/… of newer specs. Errors wrap
// [ErrInvalidCertificate] or [ErrMalformed].
//
// The order of checks follows the agents': the delegation is checked before
// the signature, so a certificate with a forged delegation fails on the
// delegation whatever its own signature.
func (c *Certificate) Verify(opts VerifyOptions) error {
	if opts.Verifier == nil {
		return fmt.Errorf("%w: no signature verifier", ErrInvalidCertificate)
	}
	key, err := PublicKeyFromDER(opts.RootKey)
	if err != nil {
		return err
	}
	if d := c.Delegation; d != nil {
		dc, err := DecodeCertificate(d.Certificate)
		if err != nil {
			return fmt.Errorf("%w: delegation: %v", ErrInvalidCertificate, err)
		}
		if dc.Delegation != nil {
			return fmt.Errorf("%w: nested delegation", ErrInvalidCertificate)
		}
		if err := dc.Verify(VerifyOptions{RootKey: opts.RootKey, Verifier: opts.Verifier}); err != nil {
			return fmt.Errorf("%w: delegation: %v", ErrInvalidCertificate, err)
		}
		if opts.Now != 0 {
			maxAge := opts.MaxDelegationAge
			if maxAge == 0 {
				maxAge = DefaultMaxDelegationAge
			}
			dt, err := dc.Time()
			if err != nil {
				return fmt.Errorf("%w: delegation: %v", ErrInvalidCertificate, err)
			}
			if opts.Now.Sub(dt) > maxAge {
				return fmt.Errorf("%w: delegation certified at %s, older than %s", ErrInvalidCertificate, dt, maxAge)
			}
		}
		sid := d.SubnetID.Bytes()
		der, st := dc.Tree.Lookup([]byte("subnet"), sid, []byte("public_key"))
		if st != Found {
			return fmt.Errorf("%w: delegation: subnet public key %s", ErrInvalidCertificate, st)
		}
		if key, err = PublicKeyFromDER(der); err != nil {
			return fmt.Errorf("%w: delegation: %v", ErrInvalidCertificate, err)
		}
		if opts.Cube != nil {
			enc, st := dc.Tree.Lookup([]byte("subnet"), sid, []byte("canister_ranges"))
			if st != Found {
				return fmt.Errorf("%w: delegation: canister ranges %s", ErrInvalidCertificate, st)
			}
			ranges, err := DecodeCanisterRanges(enc)
			if err != nil {
				return fmt.Errorf("%w: delegation: %v", ErrInvalidCertificate, err)
			}
			if !rangesContain(ranges, opts.Cube.Principal().Bytes()) {
				return fmt.Errorf("%w: cube %s outside the delegated ranges", ErrInvalidCertificate, opts.Cube)
			}
		}
	}
	if opts.Now != 0 {
		skew := opts.MaxSkew
		if skew == 0 {
			skew = DefaultMaxSkew
		}
		t, err := c.Time()
		if err != nil {
			return err
		}
		if d := opts.Now.Sub(t); d > skew || d < -skew {
			return fmt.Errorf("%w: certified time %s is %s away from now", ErrInvalidCertificate, t, d)
		}
	}
	// Finally the signature over the reconstructed root: it covers every
	// revealed value and every pruned digest at once.
	msg := SignedMessage(c.Tree.Digest())
	if err := opts.Verifier.VerifySignature(key, msg, c.Signature); err != nil {
		return fmt.Errorf("%w: signature: %v", ErrInvalidCertificate, err)
	}
	return nil
}

// Time returns the certified /time of c. Errors wrap [ErrInvalidCertificate]
// when the path is not found or not a valid LEB128 number.
func (c *Certificate) Time() (bigfile.Time, error) {
	v, st := c.Tree.Lookup([]byte("time"))
	if st != Found {
		return 0, fmt.Errorf("%w: /time %s", ErrInvalidCertificate, st)
	}
	t, n, err := leb128.Uint(v)
	if err != nil || n != len(v) {
		return 0, fmt.Errorf("%w: /time is not a LEB128 number", ErrInvalidCertificate)
	}
	return bigfile.Time(t), nil
}

// derPrefix is the DER SubjectPublicKeyInfo header of an Internet Computer
// BLS12-381 G2 public key: the algorithm OIDs 1.3.6.1.4.1.44668.5.3.1.2.1
// and 1.3.6.1.4.1.44668.5.3.2.1, then a 97-byte bit string.
var derPrefix = []byte{
	0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05,
	0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03,
	0x02, 0x01, 0x03, 0x61, 0x00,
}

// PublicKeySize is the size of a raw BLS12-381 G2 public key.
const PublicKeySize = 96

// PublicKeyDER wraps a 96-byte compressed G2 public key in the 133-byte DER
// form that certificates are checked against. It returns an error wrapping
// [ErrMalformed] for a key of another length.
func PublicKeyDER(key []byte) ([]byte, error) {
	if len(key) != PublicKeySize {
		return nil, fmt.Errorf("%w: public key of %d bytes, want %d", ErrMalformed, len(key), PublicKeySize)
	}
	return append(append(make([]byte, 0, len(derPrefix)+PublicKeySize), derPrefix...), key...), nil
}

// PublicKeyFromDER extracts the 96-byte key from its DER form, checking the
// exact prefix and length as clients do. The result aliases der.
func PublicKeyFromDER(der []byte) ([]byte, error) {
	if len(der) != len(derPrefix)+PublicKeySize || !bytes.HasPrefix(der, derPrefix) {
		return nil, fmt.Errorf("%w: not a DER BLS12-381 public key (%d bytes)", ErrMalformed, len(der))
	}
	return der[len(derPrefix):], nil
}

// EncodeCanisterRanges returns the value of /subnet/<id>/canister_ranges:
// 55799([[lo, hi], …]) with the bounds as principal bytes.
func EncodeCanisterRanges(ranges []bigfile.CubeRange) []byte {
	b := []byte{0xd9, 0xd9, 0xf7}
	b = appendHead(b, majArray, uint64(len(ranges)))
	for _, r := range ranges {
		b = append(b, 0x82)
		b = appendBytes(b, r.Start.Principal().Bytes())
		b = appendBytes(b, r.End.Principal().Bytes())
	}
	return b
}

// DecodeCanisterRanges decodes a canister_ranges value into pairs of
// principal bytes [lo, hi]. Errors wrap [ErrMalformed].
func DecodeCanisterRanges(data []byte) ([][2][]byte, error) {
	d := decoder{b: data}
	n, err := d.array()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(data)) {
		return nil, d.errorf("array of %d ranges exceeds input", n)
	}
	out := make([][2][]byte, 0, n)
	for range n {
		k, err := d.array()
		if err != nil {
			return nil, err
		}
		if k != 2 {
			return nil, d.errorf("range of %d elements", k)
		}
		var r [2][]byte
		for i := range r {
			if r[i], err = d.str(majBytes); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	if d.off != len(data) {
		return nil, d.errorf("trailing bytes")
	}
	return out, nil
}

func rangesContain(ranges [][2][]byte, p []byte) bool {
	for _, r := range ranges {
		if bytes.Compare(r[0], p) <= 0 && bytes.Compare(p, r[1]) <= 0 {
			return true
		}
	}
	return false
}

// EncodePrincipals returns 55799([p…]) with each principal as a byte string:
// the value of /canister/<id>/controllers.
func EncodePrincipals(ps []bigfile.Principal) []byte {
	b := []byte{0xd9, 0xd9, 0xf7}
	b = appendHead(b, majArray, uint64(len(ps)))
	for _, p := range ps {
		b = appendBytes(b, p.Bytes())
	}
	return b
}
