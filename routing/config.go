package routing

import (
	"fmt"
	"time"

	"github.com/thebigfile/bigfile"
)

// Defaults for the zero fields of [Config]. The message limits are the
// Internet Computer's (system-api.md §3.3), the fees its application subnet
// fees for 13 nodes (§4.2).
const (
	DefaultSubnetSize            = 13
	DefaultMaxIngressBytes       = 2 << 20
	DefaultMaxRemoteRequestBytes = 2 << 20
	DefaultMaxLocalRequestBytes  = 10 << 20
	DefaultMaxResponseBytes      = 2 << 20
	DefaultMaxIngressExpiry      = 5*time.Minute + 30*time.Second
	DefaultQueueCapacity         = 500
	DefaultIngressQueueCapacity  = 10000
	DefaultMaxIngressHistory     = 1 << 20
	DefaultMaxStreamMessages     = 10000
	DefaultMaxSliceMessages      = 1000
	DefaultMaxSliceBytes         = 4 << 20
	// DefaultIngressBaseFee is charged per inducted ingress message, in
	// cycles, on a 13-node subnet (ingress_message_reception_fee).
	DefaultIngressBaseFee = 1_200_000
	// DefaultIngressByteFee is charged per byte of method name and argument,
	// in cycles, on a 13-node subnet (ingress_byte_reception_fee).
	DefaultIngressByteFee = 2_000
)

// Config configures a [Router]. Zero-valued optional fields take the
// Default constants above; Validate reports the rest.
type Config struct {
	// Subnet is this subnet's id. Required.
	Subnet bigfile.SubnetID
	// Table is the routing table; the Router owns it from New on (schedule
	// changes through [Router.Migrate]). Required.
	Table *Table
	// Cubes tells induction which cubes exist, whether they run and what
	// they can pay. Required.
	Cubes Cubes
	// Certifier certifies the slices this subnet sends. Required.
	Certifier Certifier
	// Verifier checks the slices other subnets send. Required.
	Verifier Verifier

	// SubnetSize is the number of nodes; fees scale by SubnetSize/13.
	SubnetSize int
	// FreeIngress turns the ingress fee off (a test cost schedule).
	FreeIngress bool
	// IngressBaseFee and IngressByteFee override the 13-node fees, in
	// cycles; zero means the default.
	IngressBaseFee, IngressByteFee uint64

	// MaxIngressBytes bounds an ingress message's method name plus argument.
	MaxIngressBytes int
	// MaxRemoteRequestBytes bounds a request to another subnet's cube.
	MaxRemoteRequestBytes int
	// MaxLocalRequestBytes bounds a request to a cube of this subnet.
	MaxLocalRequestBytes int
	// MaxResponseBytes bounds a reply or reject message.
	MaxResponseBytes int
	// MaxIngressExpiry is how far past the batch time an ingress expiry may
	// lie (five minutes plus the HTTP layer's 30 s of drift). It is also
	// how long a "done" status stays in the ingress history after expiry.
	MaxIngressExpiry time.Duration

	// QueueCapacity bounds, per cube, the requests in its input queue, the
	// response slots reserved for its outstanding calls, and, per pair of
	// cubes, the requests waiting in an output queue for stream space.
	QueueCapacity int
	// IngressQueueCapacity bounds the ingress messages queued per cube.
	IngressQueueCapacity int
	// MaxIngressHistory bounds the ingress history's entries; ingress
	// arriving when it is full is skipped (the client resubmits).
	MaxIngressHistory int
	// MaxStreamMessages is the backpressure threshold: a stream holding this
	// many unacknowledged messages takes no further requests (responses
	// still flow), and requests from the peer subnet are not inducted
	// while the stream back to it is this long.
	MaxStreamMessages int
	// MaxSliceMessages and MaxSliceBytes bound the slices this subnet cuts.
	// The byte bound counts 64 bytes per message plus its payload (an
	// estimate of the encoding); a slice always holds at least one
	// message if one is waiting, whatever its size.
	MaxSliceMessages, MaxSliceBytes int
}

// withDefaults returns c with the zero optional fields set.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.SubnetSize, DefaultSubnetSize)
	def(&c.MaxIngressBytes, DefaultMaxIngressBytes)
	def(&c.MaxRemoteRequestBytes, DefaultMaxRemoteRequestBytes)
	def(&c.MaxLocalRequestBytes, DefaultMaxLocalRequestBytes)
	def(&c.MaxResponseBytes, DefaultMaxResponseBytes)
	def(&c.QueueCapacity, DefaultQueueCapacity)
	def(&c.IngressQueueCapacity, DefaultIngressQueueCapacity)
	def(&c.MaxIngressHistory, DefaultMaxIngressHistory)
	def(&c.MaxStreamMessages, DefaultMaxStreamMessages)
	def(&c.MaxSliceMessages, DefaultMaxSliceMessages)
	def(&c.MaxSliceBytes, DefaultMaxSliceBytes)
	if c.MaxIngressExpiry == 0 {
		c.MaxIngressExpiry = DefaultMaxIngressExpiry
	}
	if c.IngressBaseFee == 0 {
		c.IngressBaseFee = DefaultIngressBaseFee
	}
	if c.IngressByteFee == 0 {
		c.IngressByteFee = DefaultIngressByteFee
	}
	return c
}

// Validate reports missing collaborators and negative limits, wrapping
// [ErrInvalidConfig].
func (c Config) Validate() error {
	switch {
	case c.Subnet == (bigfile.SubnetID{}):
		return fmt.Errorf("%w: Subnet is required", ErrInvalidConfig)
	case c.Table == nil:
		return fmt.Errorf("%w: Table is required", ErrInvalidConfig)
	case c.Cubes == nil:
		return fmt.Errorf("%w: Cubes is required", ErrInvalidConfig)
	case c.Certifier == nil:
		return fmt.Errorf("%w: Certifier is required", ErrInvalidConfig)
	case c.Verifier == nil:
		return fmt.Errorf("%w: Verifier is required", ErrInvalidConfig)
	case c.MaxIngressExpiry < 0:
		return fmt.Errorf("%w: negative MaxIngressExpiry", ErrInvalidConfig)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"SubnetSize", c.SubnetSize}, {"MaxIngressBytes", c.MaxIngressBytes},
		{"MaxRemoteRequestBytes", c.MaxRemoteRequestBytes}, {"MaxLocalRequestBytes", c.MaxLocalRequestBytes},
		{"MaxResponseBytes", c.MaxResponseBytes}, {"QueueCapacity", c.QueueCapacity},
		{"IngressQueueCapacity", c.IngressQueueCapacity}, {"MaxIngressHistory", c.MaxIngressHistory},
		{"MaxStreamMessages", c.MaxStreamMessages}, {"MaxSliceMessages", c.MaxSliceMessages},
		{"MaxSliceBytes", c.MaxSliceBytes},
	} {
		if f.v < 0 {
			return fmt.Errorf("%w: negative %s", ErrInvalidConfig, f.name)
		}
	}
	return nil
}

// ingressFee is the fee for inducting an ingress message with n payload
// bytes: (base + n·perByte)·size/13, multiplying before dividing as the
// Internet Computer does.
func (c *Config) ingressFee(n int) bigfile.Cycles {
	if c.FreeIngress {
		return bigfile.Cycles{}
	}
	fee := bigfile.CyclesFromUint64(c.IngressByteFee).MulUint64(uint64(n)).Add(bigfile.CyclesFromUint64(c.IngressBaseFee))
	return fee.MulUint64(uint64(c.SubnetSize)).DivUint64(DefaultSubnetSize)
}
