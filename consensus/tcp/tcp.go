package tcp

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"sync"
	"time"

	"github.com/thebigfile/bigfile"
)

// Errors returned by the transport.
var (
	// ErrUnknownPeer reports a TLS peer whose key is not a member's.
	ErrUnknownPeer = errors.New("tcp: unknown peer")
	// ErrFrameTooLarge reports a frame above Config.MaxFrame.
	ErrFrameTooLarge = errors.New("tcp: frame too large")
	// ErrInvalidConfig reports a Config that New cannot use.
	ErrInvalidConfig = errors.New("tcp: invalid config")
)

// NodeID returns the id of the node whose Ed25519 node key is pub: the
// self-authenticating principal of the key's DER (SubjectPublicKeyInfo)
// encoding, as on the Internet Computer.
func NodeID(pub ed25519.PublicKey) bigfile.NodeID {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil { // only for a malformed key
		return bigfile.NodeID{}
	}
	return bigfile.NodeIDFromPublicKey(der)
}

// Config configures a [Transport].
type Config struct {
	// Key is the node key; the node's id is NodeID(Key.Public()). Required.
	Key ed25519.PrivateKey
	// Listen is the address to accept peers on, such as "127.0.0.1:0".
	Listen string
	// Peers maps every other member to its address. A peer is
	// authenticated by its key, whose id must be a key of Peers.
	Peers map[bigfile.NodeID]string
	// MaxFrame bounds one message. Default 64 MiB.
	MaxFrame int
	// QueueLen is the number of messages queued per peer before Send drops.
	// Default 4096.
	QueueLen int
	// RedialDelay is the wait before reconnecting to a peer. Default 100 ms.
	RedialDelay time.Duration
}

// Transport sends length-prefixed frames over mutually authenticated TLS
// 1.3 connections: each node presents a self-signed certificate for its
// Ed25519 node key, and accepts only peers whose key hashes to a member's
// id. Each node dials every peer once for its outgoing traffic and reads
// its incoming traffic from the connections peers dialled, so a connection
// carries one direction only. It implements consensus.Transport.
type Transport struct {
	cfg   Config
	id    bigfile.NodeID
	cert  tls.Certificate
	ln    net.Listener
	out   map[bigfile.NodeID]chan []byte
	in    chan envelope
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// envelope is a received frame with the peer its connection authenticated.
type envelope struct {
	from bigfile.NodeID
	msg  []byte
}

// New returns a transport listening on cfg.Listen. Call Run to connect.
func New(cfg Config) (*Transport, error) {
	if len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: no Ed25519 key", ErrInvalidConfig)
	}
	if cfg.MaxFrame <= 0 {
		cfg.MaxFrame = 64 << 20
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 4096
	}
	if cfg.RedialDelay <= 0 {
		cfg.RedialDelay = 100 * time.Millisecond
	}
	cert, err := selfSigned(cfg.Key)
	if err != nil {
		return nil, err
	}
	t := &Transport{cfg: cfg, id: NodeID(cfg.Key.Public().(ed25519.PublicKey)), cert: cert,
		out: map[bigfile.NodeID]chan []byte{}, in: make(chan envelope, cfg.QueueLen), conns: map[net.Conn]bool{}}
	for id := range cfg.Peers {
		t.out[id] = make(chan []byte, cfg.QueueLen)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, err
	}
	t.ln = ln
	return t, nil
}

// ID returns the local node's id.
func (t *Transport) ID() bigfile.NodeID { return t.id }

// Addr returns the listening address.
func (t *Transport) Addr() net.Addr { return t.ln.Addr() }

// selfSigned makes a certificate for key; peers check the key, not the
// certificate chain.
func selfSigned(key ed25519.PrivateKey) (tls.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// peerID checks the certificate a peer presented and returns its id.
func (t *Transport) peerID(certs []*x509.Certificate) (bigfile.NodeID, error) {
	if len(certs) != 1 {
		return bigfile.NodeID{}, fmt.Errorf("%w: %d certificates", ErrUnknownPeer, len(certs))
	}
	pub, ok := certs[0].PublicKey.(ed25519.PublicKey)
	if !ok {
		return bigfile.NodeID{}, fmt.Errorf("%w: not an Ed25519 key", ErrUnknownPeer)
	}
	if err := certs[0].CheckSignature(certs[0].SignatureAlgorithm, certs[0].RawTBSCertificate, certs[0].Signature); err != nil {
		return bigfile.NodeID{}, fmt.Errorf("%w: %v", ErrUnknownPeer, err)
	}
	id := NodeID(pub)
	if _, ok := t.cfg.Peers[id]; !ok {
		return bigfile.NodeID{}, fmt.Errorf("%w: %s", ErrUnknownPeer, id)
	}
	return id, nil
}

// tlsConfig is the configuration of both ends: TLS 1.3 only, a client
// certificate required, and identity checked by key (peerID) instead of by
// certificate authority. expect, when set, is the peer a dialler meant to
// reach; a listener accepts any member.
func (t *Transport) tlsConfig(expect *bigfile.NodeID) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		Certificates:       []tls.Certificate{t.cert},
		ClientAuth:         tls.RequireAnyClientCert,
		InsecureSkipVerify: true, // replaced by VerifyPeerCertificate: keys, not CAs
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			var certs []*x509.Certificate
			for _, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return err
				}
				certs = append(certs, c)
			}
			id, err := t.peerID(certs)
			if err != nil {
				return err
			}
			if expect != nil && id != *expect {
				return fmt.Errorf("%w: dialled %s, reached %s", ErrUnknownPeer, *expect, id)
			}
			return nil
		},
	}
}

// Send queues msg for peer to; it drops the message if the peer's queue is
// full or to is not a peer.
func (t *Transport) Send(to bigfile.NodeID, msg []byte) {
	q := t.out[to]
	if q == nil {
		return
	}
	select {
	case q <- msg:
	default:
	}
}

// Recv returns the next message from an authenticated peer.
func (t *Transport) Recv(ctx context.Context) (bigfile.NodeID, []byte, error) {
	select {
	case e := <-t.in:
		return e.from, e.msg, nil
	case <-ctx.Done():
		return bigfile.NodeID{}, nil, ctx.Err()
	}
}

// Run accepts and dials peers until ctx is done, then closes the listener
// and every connection and returns ctx's error after its goroutines exit.
// A Transport runs once.
func (t *Transport) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t.accept(ctx, &wg)
	}()
	for id, addr := range t.cfg.Peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.dialLoop(ctx, id, addr)
		}()
	}
	<-ctx.Done()
	t.ln.Close()
	t.mu.Lock()
	for c := range t.conns {
		c.Close()
	}
	t.mu.Unlock()
	wg.Wait()
	return ctx.Err()
}

// track records open connections so that Run can close them all on exit,
// which unblocks their reader and writer goroutines.
func (t *Transport) track(c net.Conn, on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if on {
		t.conns[c] = true
	} else {
		delete(t.conns, c)
	}
}

// accept serves incoming connections until the listener closes: each is a
// TLS server handshake that must present a member's key, then a stream of
// frames from that member. The handshake has a deadline so that a silent
// connection cannot hold a goroutine.
func (t *Transport) accept(ctx context.Context, wg *sync.WaitGroup) {
	for {
		raw, err := t.ln.Accept()
		if err != nil {
			return // closed by Run
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.track(raw, true)
			defer t.track(raw, false)
			defer raw.Close()
			c := tls.Server(raw, t.tlsConfig(nil))
			hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.HandshakeContext(hctx)
			cancel()
			if err != nil {
				return
			}
			from, err := t.peerID(c.ConnectionState().PeerCertificates)
			if err != nil {
				return
			}
			r := bufio.NewReaderSize(c, 64<<10)
			for {
				msg, err := readFrame(r, t.cfg.MaxFrame)
				if err != nil {
					return
				}
				select {
				case t.in <- envelope{from, msg}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
}

// dialLoop keeps one outgoing connection to a peer and writes its queue.
func (t *Transport) dialLoop(ctx context.Context, id bigfile.NodeID, addr string) {
	q := t.out[id]
	var pending []byte // a message taken from the queue but not yet written
	for ctx.Err() == nil {
		d := tls.Dialer{Config: t.tlsConfig(&id), NetDialer: &net.Dialer{Timeout: 2 * time.Second}}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			select {
			case <-time.After(t.cfg.RedialDelay):
			case <-ctx.Done():
			}
			continue
		}
		t.track(c, true)
		w := bufio.NewWriterSize(c, 64<<10)
		for err == nil {
			if pending == nil {
				select {
				case pending = <-q:
				case <-ctx.Done():
					err = ctx.Err()
					continue
				}
			}
			if err = writeFrame(w, pending); err != nil {
				break
			}
			pending = nil
			if len(q) == 0 {
				err = w.Flush()
			}
		}
		c.Close()
		t.track(c, false)
	}
}

// writeFrame writes a 4-byte big-endian length and msg.
func writeFrame(w io.Writer, msg []byte) error {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(msg)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.Write(msg)
	return err
}

// readFrame reads one frame, rejecting lengths above max.
func readFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, n)
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// Close closes the listener of a transport that will not Run (Run closes
// it itself when its context ends).
func (t *Transport) Close() error { return t.ln.Close() }
