package server

import (
	"switchboard/internal/api/carrier"
	"switchboard/internal/api/reseller"
	"switchboard/internal/api/voicemeup"
	"switchboard/internal/store"
)

// routeDialects mounts the provider dialects beside the native API.
func (s *Server) routeDialects(counters *store.Counters) {
	vmu := voicemeup.New(voicemeup.Config{Auth: s.Auth, Limits: counters, Logger: s.cfg.Log, Charger: s.Commands})
	voicemeup.RegisterAccountOps(vmu, s.Accounts)
	voicemeup.RegisterRateOps(vmu, s.Tariffs)
	voicemeup.RegisterMoneyOps(vmu, s.Accounts, s.Ledger)
	voicemeup.RegisterPeerOps(vmu, s.Peers)
	voicemeup.RegisterExtensionOps(vmu, s.Extensions, s.Accounts)
	voicemeup.RegisterCallOps(vmu, s.CDRs, s.Accounts)
	voicemeup.RegisterResellerOps(vmu, s.Accounts, s.Invoices)
	voicemeup.RegisterNumberOps(vmu, s.Numbers)
	vmu.Register(s.Router)
	cr := carrier.New(carrier.Config{Auth: s.Auth, Logger: s.cfg.Log, Charger: s.Commands})
	carrier.RegisterMoneyOps(cr, s.Ledger)
	carrier.RegisterPaymentOps(cr, s.Payments)
	carrier.RegisterInvoiceOps(cr, s.Invoices)
	carrier.RegisterNumberOps(cr, s.Numbers)
	cr.Register(s.Router)
	rs := reseller.New(reseller.Config{Auth: s.Auth, Logger: s.cfg.Log, Charger: s.Commands})
	s.reseller = rs
	reseller.RegisterCatalogOps(rs, s.CallPacks, s.Bundles)
	rs.Register(s.Router)
}
