// Package sip is Switchboard's SIP engine: the UDP, TCP and TLS listener
// built on sipgo, the registrar with digest authentication, the protection
// against scanners and password guessing, qualify pings, and the Locator
// that tells where a peer is reachable.
package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"switchboard/internal/peer"
)

// Config sets up the engine.
type Config struct {
	// Addr is the listen address for UDP and TCP; "" or "off" disables SIP.
	Addr string
	// Advertise is HOST[:PORT] put in Via and Contact headers we write,
	// when the node is behind NAT; default the listen address.
	Advertise string
	// TLSAddr, TLSCert and TLSKey enable SIP over TLS (default TLSAddr:
	// the listen port + 1).
	TLSAddr, TLSCert, TLSKey string
	// Realm is the digest realm; it must match the one peers' secrets were
	// hashed for.
	Realm string
	// Algorithms are the digest algorithms challenged, in order (default
	// MD5 then SHA-256: many phones read only the first challenge).
	Algorithms []string
	// NonceTTL is how long a challenge stays valid (default 5 minutes).
	NonceTTL time.Duration
	// MinExpires is the shortest registration accepted (default 60 s).
	MinExpires int
	// MaxContacts is the most bindings one peer may have (default 10).
	MaxContacts int
	// RingTimeout is how long a callee rings when nothing shorter is set
	// (default 60 s).
	RingTimeout time.Duration
	// MaxCallDuration ends an answered call however long its sides stay
	// silent (default 4 h): the bound on a call whose other side vanished.
	MaxCallDuration time.Duration
	Guard           GuardConfig
	UserAgent       string
	Log             *slog.Logger
}

// Enabled reports whether the configuration turns SIP on.
func (c Config) Enabled() bool { return c.Addr != "" && c.Addr != "off" }

// IDs hands out new ids.
type IDs interface{ Next() int64 }

// Engine is a node's SIP stack.
type Engine struct {
	cfg      Config
	store    peer.Store
	ids      IDs
	node     int64
	log      *slog.Logger
	now      func() time.Time
	nonces   *nonces
	guard    *guard
	Locator  *Locator
	ua       *sipgo.UserAgent
	srv      *sipgo.Server
	client   *sipgo.Client
	udp      net.PacketConn
	tcp      net.Listener
	tls      net.Listener
	advHost  string
	advPort  int
	wg       sync.WaitGroup
	stop     context.CancelFunc
	ctx      context.Context
	closeMu  sync.Mutex
	closed   bool
	dummyMD5 string
	routing  *Routing
	callsMu  sync.Mutex
	active   map[int64]int  // calls per peer id (and negated subaccount id)
	dialogs  sync.Map       // Call-ID -> side
	calls    sync.WaitGroup // call goroutines, counted through track
	closing  bool           // under callsMu: no new call goroutines
}

// sipgoDefault routes the few messages sipgo logs through its process-wide
// default logger (connection reference counts) to the first engine's
// logger, at debug level.
var sipgoDefault sync.Once

// New prepares an engine; Listen binds it.
func New(cfg Config, store peer.Store, ids IDs, node int64) (*Engine, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	sipgoDefault.Do(func() { sip.SetDefaultLogger(slog.New(quietHandler{cfg.Log.Handler()})) })
	if cfg.Realm == "" {
		cfg.Realm = peer.DefaultRealm
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = []string{"MD5", "SHA-256"}
	}
	for i, a := range cfg.Algorithms {
		a = strings.ToUpper(strings.TrimSpace(a))
		if a != "MD5" && a != "SHA-256" {
			return nil, fmt.Errorf("sip: digest algorithm %q: want MD5 or SHA-256", a)
		}
		cfg.Algorithms[i] = a
	}
	if cfg.NonceTTL <= 0 {
		cfg.NonceTTL = 5 * time.Minute
	}
	if cfg.MinExpires <= 0 {
		cfg.MinExpires = 60
	}
	if cfg.MaxContacts <= 0 {
		cfg.MaxContacts = 10
	}
	if cfg.RingTimeout <= 0 {
		cfg.RingTimeout = 60 * time.Second
	}
	if cfg.MaxCallDuration <= 0 {
		cfg.MaxCallDuration = 4 * time.Hour
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Switchboard"
	}
	e := &Engine{cfg: cfg, store: store, ids: ids, node: node, log: cfg.Log, now: time.Now,
		dummyMD5: peer.HA1("MD5", "nobody", cfg.Realm, "no-such-password")}
	e.nonces = newNonces(cfg.NonceTTL, 100_000, func() time.Time { return e.now() })
	e.guard = newGuard(cfg.Guard, func() time.Time { return e.now() })
	e.Locator = newLocator(store, func() time.Time { return e.now() })
	e.active = map[int64]int{}
	return e, nil
}

// Listen binds UDP and TCP on the same port (and TLS when configured) and
// sets up sipgo over them.
func (e *Engine) Listen() error {
	udp, tcp, err := listenPair(e.cfg.Addr)
	if err != nil {
		return err
	}
	e.udp, e.tcp = udp, tcp
	var tlsConf *tls.Config
	if e.cfg.TLSCert != "" || e.cfg.TLSKey != "" {
		cert, err := tls.LoadX509KeyPair(e.cfg.TLSCert, e.cfg.TLSKey)
		if err != nil {
			e.closeListeners()
			return fmt.Errorf("sip tls: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		addr := e.cfg.TLSAddr
		if addr == "" {
			host, _, _ := net.SplitHostPort(e.cfg.Addr)
			addr = net.JoinHostPort(host, strconv.Itoa(tcp.Addr().(*net.TCPAddr).Port+1))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			e.closeListeners()
			return fmt.Errorf("listen sip tls: %w", err)
		}
		e.tls = tls.NewListener(ln, tlsConf)
	}
	e.advHost, e.advPort = e.advertised()
	quiet := slog.New(quietHandler{e.log.Handler()})
	opts := []sipgo.UserAgentOption{sipgo.WithUserAgent(e.cfg.UserAgent), sipgo.WithUserAgentHostname(e.advHost),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quiet))}
	if tlsConf != nil {
		opts = append(opts, sipgo.WithUserAgenTLSConfig(tlsConf))
	}
	ua, err := sipgo.NewUA(opts...)
	if err != nil {
		e.closeListeners()
		return fmt.Errorf("sip ua: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(quiet))
	if err != nil {
		ua.Close()
		e.closeListeners()
		return fmt.Errorf("sip server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(quiet), sipgo.WithClientHostname(e.advHost))
	if err != nil {
		ua.Close()
		e.closeListeners()
		return fmt.Errorf("sip client: %w", err)
	}
	e.ua, e.srv, e.client = ua, srv, client
	srv.OnRegister(e.serve)
	srv.OnOptions(e.serve)
	srv.OnNoRoute(e.serve)
	srv.OnInvite(e.onInvite)
	srv.OnAck(e.onAck)
	for _, m := range []sip.RequestMethod{sip.BYE, sip.UPDATE, sip.INFO} {
		srv.OnRequest(m, e.inDialog)
	}
	return nil
}

// listenPair binds UDP at addr and TCP on the port UDP got (a ":0" address
// picks a free port for both; a few tries cover a port taken for TCP).
func listenPair(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("sip address %q: %w", addr, err)
	}
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("listen sip udp: %w", err)
		}
		p := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if port != "0" || try >= 10 {
			return nil, nil, fmt.Errorf("listen sip tcp: %w", err)
		}
	}
}

func (e *Engine) advertised() (string, int) {
	port := e.udp.LocalAddr().(*net.UDPAddr).Port
	host := ""
	if e.cfg.Advertise != "" {
		h, p, err := net.SplitHostPort(e.cfg.Advertise)
		if err != nil {
			h = e.cfg.Advertise
		} else if n, err := strconv.Atoi(p); err == nil {
			port = n
		}
		host = h
	}
	if host == "" {
		host = e.udp.LocalAddr().(*net.UDPAddr).IP.String()
		if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
			host = "127.0.0.1"
			if out, err := net.Dial("udp", "192.0.2.1:9"); err == nil {
				host = out.LocalAddr().(*net.UDPAddr).IP.String()
				out.Close()
			}
		}
	}
	return host, port
}

// Addr is the bound UDP (and TCP) address.
func (e *Engine) Addr() string { return e.udp.LocalAddr().String() }

// TLSAddr is the bound TLS address, "" without TLS.
func (e *Engine) TLSAddr() string {
	if e.tls == nil {
		return ""
	}
	return e.tls.Addr().String()
}

// Start serves the listeners and runs the qualify and pruning workers
// until Close.
func (e *Engine) Start() {
	e.ctx, e.stop = context.WithCancel(context.Background())
	serve := func(name string, f func() error) {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			if err := f(); err != nil && !errors.Is(err, net.ErrClosed) && e.ctx.Err() == nil {
				e.log.Error("sip listener stopped", "transport", name, "err", err)
			}
		}()
	}
	serve("udp", func() error { return e.srv.ServeUDP(e.udp) })
	serve("tcp", func() error { return e.srv.ServeTCP(e.tcp) })
	if e.tls != nil {
		serve("tls", func() error { return e.srv.ServeTLS(e.tls) })
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.maintain(e.ctx)
	}()
	e.log.Info("sip serving", "udp", e.Addr(), "tcp", e.tcp.Addr().String(), "tls", e.TLSAddr(),
		"advertise", net.JoinHostPort(e.advHost, strconv.Itoa(e.advPort)))
}

// Close stops the listeners and workers and waits for them.
func (e *Engine) Close() error {
	e.closeMu.Lock()
	defer e.closeMu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if e.stop != nil {
		e.stop()
	}
	// Cancelling the engine's context ends ringing and bridged calls
	// (BYE to both sides); give them a moment before the transports go.
	e.callsMu.Lock()
	e.closing = true
	e.callsMu.Unlock()
	done := make(chan struct{})
	go func() { e.calls.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		e.log.Warn("sip close: calls still ending")
	}
	e.closeListeners()
	var err error
	if e.ua != nil {
		err = e.ua.Close()
	}
	e.wg.Wait()
	return err
}

func (e *Engine) closeListeners() {
	for _, c := range []interface{ Close() error }{e.udp, e.tcp, e.tls} {
		if c != nil {
			_ = c.Close()
		}
	}
}

// serve is the sipgo handler: every request goes through handle, whose
// answer (nil: drop) is sent on the transaction.
func (e *Engine) serve(req *sip.Request, tx sip.ServerTransaction) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("sip handler panic", "panic", r)
		}
	}()
	ctx := e.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	res := e.Handle(ctx, req)
	if res == nil || tx == nil {
		return
	}
	if err := tx.Respond(res); err != nil {
		e.log.Debug("sip respond", "err", err)
	}
}

// quietHandler logs sipgo's transport and transaction layers at debug
// level: what they report (a datagram that does not parse, a connection
// that dropped) is the internet's noise, and a flood of garbage must not
// turn into a flood of error lines.
type quietHandler struct{ h slog.Handler }

func (q quietHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return q.h.Enabled(ctx, slog.LevelDebug)
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return q.h.Handle(ctx, r)
}

func (q quietHandler) WithAttrs(a []slog.Attr) slog.Handler { return quietHandler{q.h.WithAttrs(a)} }
func (q quietHandler) WithGroup(n string) slog.Handler      { return quietHandler{q.h.WithGroup(n)} }
