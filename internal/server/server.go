// Package server assembles a Switchboard node: it opens the store, applies
// migrations, creates the operator on first start, and serves every dialect,
// health and metrics over HTTP with graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/api/native"
	"switchboard/internal/api/reseller"
	"switchboard/internal/auth"
	"switchboard/internal/blob"
	"switchboard/internal/bundle"
	"switchboard/internal/callcharge"
	"switchboard/internal/callpack"
	"switchboard/internal/catalog"
	"switchboard/internal/cdr"
	"switchboard/internal/command"
	"switchboard/internal/extension"
	"switchboard/internal/geo"
	"switchboard/internal/id"
	"switchboard/internal/invoice"
	"switchboard/internal/ledger"
	"switchboard/internal/number"
	"switchboard/internal/payment"
	"switchboard/internal/peer"
	"switchboard/internal/sip"
	"switchboard/internal/store"
	"switchboard/internal/tariff"
)

// Config is what a node needs to start.
type Config struct {
	DataDir  string
	DBURL    string
	HTTPAddr string
	// SIP configures the SIP engine; an empty or "off" Addr disables it.
	SIP       sip.Config
	RTPPorts  string // reserved for the media engine
	Version   string
	Log       *slog.Logger
	PerMinute int64 // native API requests per account and minute
	// AdminTokenOut receives the "admin token: ..." line on first start.
	AdminTokenOut interface{ Write([]byte) (int, error) }
	// Now is the clock of the invoice worker (nil: time.Now).
	Now func() time.Time
	// InvoiceEvery is how often the node looks for closed months to
	// invoice (default DefaultInvoiceEvery).
	InvoiceEvery time.Duration
	// NumberHold is how long a reservation holds numbers
	// (number.DefaultHold when zero).
	NumberHold time.Duration
	// NumberQuarantine is how long a released number ages before it is
	// in stock again (number.DefaultQuarantine when zero).
	NumberQuarantine time.Duration
}

// DefaultInvoiceEvery is how often a node runs the monthly invoice worker.
const DefaultInvoiceEvery = time.Minute

// Server is one running node.
type Server struct {
	cfg      Config
	DB       *store.DB
	Accounts *account.Service
	Auth     *auth.Service
	Tariffs  *tariff.Service
	Ledger   *ledger.Service
	Payments *payment.Service
	Commands *command.Service
	Catalog  *catalog.Service
	Bundles  *bundle.Service
	// CallPacks sells call packs; the call-charging code consumes them.
	CallPacks *callpack.Service
	// CallCharges rates finished calls and debits them.
	CallCharges *callcharge.Service
	Peers       *peer.Service
	Extensions  *extension.Service
	CDRs        *cdr.Service
	// Recorder writes the CDRs of the node's calls (queued on disk while
	// the database is away) and charges them.
	Recorder *cdr.Recorder
	// SIP is the node's SIP engine, nil when SIP is off.
	SIP      *sip.Engine
	Invoices *invoice.Service
	// Numbers holds inventory, reservations, orders and owned numbers.
	Numbers  *number.Service
	Native   *native.API
	Handler  http.Handler
	Router   *Router
	reseller *reseller.Dialect
	ln       net.Listener
	http     *http.Server
	ready    atomic.Bool
	node     int64
	holder   string
	stop     context.CancelFunc
	done     chan struct{}
}

// nodeTTL is how long a node id lease lasts without renewal.
const nodeTTL = 2 * time.Minute

// Open prepares a node: store, migrations, services, first-start bootstrap
// and routes. It does not listen yet.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "switchboard-data"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	db, err := store.Open(ctx, cfg.DBURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, DB: db, done: make(chan struct{})}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) init(ctx context.Context) error {
	log := s.cfg.Log
	if _, err := s.DB.Migrate(ctx, log); err != nil {
		return err
	}
	host, _ := os.Hostname()
	s.holder = fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())
	node, err := s.DB.LeaseNode(ctx, s.holder, nodeTTL)
	if err != nil {
		return err
	}
	s.node = node
	gen, err := id.NewGenerator(node)
	if err != nil {
		return fmt.Errorf("id generator: %w", err)
	}
	accounts := store.NewAccounts(s.DB)
	s.Accounts = account.NewService(accounts, gen, geo.Reference{})
	s.Auth = auth.NewService(store.NewUsers(s.DB), accounts, gen)
	s.Tariffs = tariff.NewService(store.NewTariffs(s.DB), gen)
	s.Ledger = ledger.NewService(store.NewLedger(s.DB), gen, nil)
	s.Payments = payment.NewService(store.NewPayments(s.DB), s.Accounts, s.Ledger, gen, nil, nil)
	s.Commands = command.NewService(store.NewCommandPrices(s.DB), s.Ledger, gen, s.commandCatalog, func(err error) {
		log.Error("command charge", "err", err)
	})
	s.Catalog = catalog.NewService(store.NewCatalog(s.DB), nil)
	s.Bundles = bundle.NewService(store.NewBundles(s.DB), s.Accounts, s.Catalog, s.Ledger, gen, nil)
	s.CallPacks = callpack.NewService(store.NewCallPacks(s.DB), s.Accounts, s.Catalog, s.Ledger, gen, nil)
	s.CallCharges = callcharge.NewService(store.NewCallCharges(s.DB), s.Tariffs, s.Ledger, gen, nil)
	s.Peers = peer.NewService(store.NewPeers(s.DB), s.Accounts, gen, s.cfg.SIP.Realm)
	s.Peers.RequireBundles(s.Bundles)
	s.Extensions = extension.NewService(store.NewExtensions(s.DB), s.Accounts, store.NewPeers(s.DB), gen)
	s.Extensions.RequireBundles(s.Bundles)
	s.CDRs = cdr.NewService(store.NewCDRs(s.DB))
	s.Recorder = cdr.NewRecorder(store.NewCDRs(s.DB), s.CallCharges, filepath.Join(s.cfg.DataDir, "cdr-queue.jsonl"), log)
	if s.cfg.SIP.Enabled() {
		sc := s.cfg.SIP
		if sc.Log == nil {
			sc.Log = log
		}
		sc.UserAgent = "Switchboard/" + s.cfg.Version
		if s.SIP, err = sip.New(sc, store.NewPeers(s.DB), gen, node); err != nil {
			return err
		}
		s.SIP.Route(sip.Routing{Extensions: store.NewExtensions(s.DB), Subaccounts: accounts, CDRs: s.Recorder})
	}
	blobs, err := blob.NewDir(filepath.Join(s.cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	s.Invoices = invoice.NewService(invoice.Config{Store: store.NewInvoices(s.DB), Accounts: s.Accounts, Ledger: s.Ledger,
		Blobs: blobs, IDs: gen, Now: s.cfg.Now, Log: log})
	s.Numbers = number.NewService(number.Config{Store: store.NewNumbers(s.DB), Levels: s.Catalog, Ledger: s.Ledger, IDs: gen,
		Hold: s.cfg.NumberHold, Quarantine: s.cfg.NumberQuarantine, Now: s.cfg.Now})
	s.Numbers.RequireBundles(s.Bundles)
	if err := s.bootstrap(ctx); err != nil {
		return err
	}
	s.Router = newRouter()
	s.Native = native.New(s.Router, native.Config{
		Accounts: s.Accounts, Auth: s.Auth, Tariffs: s.Tariffs, Ledger: s.Ledger, Limiter: store.NewCounters(s.DB),
		Payments: s.Payments, Commands: s.Commands, Charger: s.Commands, Peers: s.Peers,
		Extensions: s.Extensions, CDRs: s.CDRs,
		Catalog: s.Catalog, Bundles: s.Bundles, CallPacks: s.CallPacks,
		Invoices: s.Invoices, Numbers: s.Numbers,
		PerMinute: s.cfg.PerMinute, Version: s.cfg.Version, Log: log,
	})
	s.routeDialects(store.NewCounters(s.DB))
	m := newMetrics(s.DB)
	s.Router.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	s.Router.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if !s.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "starting")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	s.Router.Handle("GET /metrics", m.handler())
	// Unrouted native paths answer in the native error shape rather than
	// the mux's plain text. Registered on the bare mux: it is a fallback,
	// not a route, so route walks do not see it.
	s.Router.ServeMux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		native.Unrouted(w, r, s.Router.methodsFor(r))
	})
	s.Handler = m.instrument(recoverer(log, limitBody(jsonByDefault(s.Router))))
	return nil
}

// bootstrap creates the operator and its admin on an empty database and
// shows the admin token exactly once.
func (s *Server) bootstrap(ctx context.Context) error {
	op, createdNow, err := s.Accounts.Bootstrap(ctx, "Operator", "USD")
	if err != nil {
		return err
	}
	if err := s.Tariffs.Bootstrap(ctx, op.ID, op.Currency); err != nil {
		return err
	}
	if !createdNow {
		return nil
	}
	token, err := s.Auth.Bootstrap(ctx, op.ID, "admin")
	if err != nil {
		return err
	}
	path := filepath.Join(s.cfg.DataDir, "admin.token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("write admin token: %w", err)
	}
	if s.cfg.AdminTokenOut != nil {
		fmt.Fprintf(s.cfg.AdminTokenOut, "admin token: %s\n", token)
	}
	s.cfg.Log.Info("operator account created", "account", op.Number, "admin_token_file", path)
	return nil
}

// Listen binds the HTTP address and, when SIP is on, the SIP listeners;
// Addr and SIP.Addr are then known (useful with ":0").
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen http: %w", err)
	}
	if s.SIP != nil {
		if err := s.SIP.Listen(); err != nil {
			ln.Close()
			return err
		}
	}
	s.ln = ln
	return nil
}

// Addr is the bound HTTP address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully: in-flight requests
// finish (up to 20 s), the node id is released and the store closed.
func (s *Server) Run(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	bg, stop := context.WithCancel(context.Background())
	s.stop = stop
	go s.background(bg)
	s.http = &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	if s.SIP != nil {
		s.SIP.Start()
	}
	s.ready.Store(true)
	s.cfg.Log.Info("switchboard serving", "http", s.Addr(), "db", s.DB.String(), "node", s.node, "version", s.cfg.Version)
	select {
	case err := <-errc:
		stop()
		<-s.done
		s.closeSIP()
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	s.ready.Store(false)
	s.cfg.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s.closeSIP()
	err := s.http.Shutdown(sctx)
	stop()
	<-s.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// cdrDrainEvery is how often a node retries the CDRs it queued on disk.
const cdrDrainEvery = 5 * time.Second

// renewEvery is how often a node looks for bundles due for renewal.
const renewEvery = time.Minute

// background renews the node lease, prunes old request counters, renews
// bundles that are due (every node may: a period is charged once) and
// invoices closed months.
func (s *Server) background(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(nodeTTL / 4)
	defer t.Stop()
	renewals := time.NewTicker(renewEvery)
	defer renewals.Stop()
	every := s.cfg.InvoiceEvery
	if every <= 0 {
		every = DefaultInvoiceEvery
	}
	inv := time.NewTicker(every)
	defer inv.Stop()
	counters := store.NewCounters(s.DB)
	drain := time.NewTicker(cdrDrainEvery)
	defer drain.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-drain.C:
			if n, err := s.Recorder.Drain(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("cdr queue", "err", err)
			} else if n > 0 {
				s.cfg.Log.Info("queued cdrs written", "cdrs", n)
			}
		case <-renewals.C:
			renewed, suspended, err := s.Bundles.RenewDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("bundle renewals", "err", err)
			}
			if renewed+suspended > 0 {
				s.cfg.Log.Info("bundle renewals", "renewed", renewed, "suspended", suspended)
			}
			s.numberPass(ctx)
		case <-inv.C:
			// Every node runs it; the database keeps one invoice per
			// account and month whichever node gets there first.
			if n, err := s.Invoices.CloseMonth(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("monthly invoices", "err", err)
			} else if n > 0 {
				s.cfg.Log.Info("monthly invoices", "invoices", n)
			}
		case <-t.C:
			if err := s.DB.RenewNode(ctx, s.node, s.holder, nodeTTL); err != nil && ctx.Err() == nil {
				s.cfg.Log.Error("node lease", "err", err)
			}
			if _, err := counters.Prune(ctx, time.Now().Add(-2*time.Hour)); err != nil && ctx.Err() == nil {
				s.cfg.Log.Warn("prune request counters", "err", err)
			}
		}
	}
}

// numberPass charges due number rentals and moves numbers whose hold,
// grace or quarantine ended. Every node may run it: a rental period is
// charged only while the number is still paid until the period's start,
// and the moves are conditional updates.
func (s *Server) numberPass(ctx context.Context) {
	charged, suspended, err := s.Numbers.ChargeRentals(ctx)
	if err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("number rentals", "err", err)
	} else if charged+suspended > 0 {
		s.cfg.Log.Info("number rentals", "charged", charged, "suspended", suspended)
	}
	if _, err := s.Numbers.Sweep(ctx); err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("number sweep", "err", err)
	}
}

// closeSIP stops the SIP engine: listeners, transactions and workers.
func (s *Server) closeSIP() {
	if s.SIP != nil {
		if err := s.SIP.Close(); err != nil {
			s.cfg.Log.Warn("sip close", "err", err)
		}
	}
}

// Close releases the node id and the store; call after Run returns (or
// instead of Run).
func (s *Server) Close() error {
	s.closeSIP()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.DB.ReleaseNode(ctx, s.node, s.holder)
	return s.DB.Close()
}

// OperatorPrincipal returns a principal acting as the operator's admin, for
// host-side commands (the token command).
func (s *Server) OperatorPrincipal(ctx context.Context) (auth.Principal, error) {
	op, ok, err := store.NewAccounts(s.DB).OperatorAccount(ctx)
	if err != nil {
		return auth.Principal{}, err
	}
	if !ok {
		return auth.Principal{}, fmt.Errorf("no operator account")
	}
	return auth.Principal{AccountID: op.ID, AccountPath: op.Path, AccountNumber: op.Number, Role: auth.RoleAdmin, Operator: true}, nil
}
