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
	vmu.Register(s.Router)
	carrier.New(carrier.Config{Auth: s.Auth, Logger: s.cfg.Log}).Register(s.Router)
	reseller.New(reseller.Config{Auth: s.Auth, Logger: s.cfg.Log}).Register(s.Router)
}
