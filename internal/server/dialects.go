package server

import (
	"switchboard/internal/api/carrier"
	"switchboard/internal/api/reseller"
	"switchboard/internal/api/voicemeup"
	"switchboard/internal/store"
)

// routeDialects mounts the provider dialects beside the native API.
func (s *Server) routeDialects(counters *store.Counters) {
	vmu := voicemeup.New(voicemeup.Config{Auth: s.Auth, Limits: counters, Logger: s.cfg.Log})
	voicemeup.RegisterAccountOps(vmu, s.Accounts)
	voicemeup.RegisterRateOps(vmu, s.Tariffs)
	voicemeup.RegisterMoneyOps(vmu, s.Accounts, s.Ledger)
	voicemeup.RegisterResellerOps(vmu, s.Accounts, s.Invoices)
	vmu.Register(s.Router)
	cr := carrier.New(carrier.Config{Auth: s.Auth, Logger: s.cfg.Log})
	carrier.RegisterMoneyOps(cr, s.Ledger)
	carrier.RegisterInvoiceOps(cr, s.Invoices)
	cr.Register(s.Router)
	rs := reseller.New(reseller.Config{Auth: s.Auth, Logger: s.cfg.Log})
	// The call-pack and bundle operations arrive with the billing features;
	// their documented routes already authenticate and answer 501.
	rs.Planned("GET", "/call-pack")
	rs.Planned("POST", "/call-pack")
	rs.Planned("GET", "/call-pack/{uuid}")
	rs.Planned("DELETE", "/call-pack/{uuid}")
	rs.Planned("POST", "/call-pack/{uuid}/renew")
	rs.Register(s.Router)
}
