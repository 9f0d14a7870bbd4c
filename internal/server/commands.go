package server

import (
	"strings"

	"switchboard/internal/api/carrier"
	"switchboard/internal/api/voicemeup"
	"switchboard/internal/command"
)

// commandCatalog lists the commands of each dialect that the operator may
// price: every authenticated native route, every voicemeup request type,
// every carrier endpoint and every reseller route.
func (s *Server) commandCatalog(dialect string) []string {
	switch dialect {
	case command.Native:
		var out []string
		for _, p := range s.Router.Patterns() {
			_, path, _ := strings.Cut(p, " ")
			if strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/v1.1/") && !strings.HasPrefix(path, "/api/openapi") &&
				!strings.HasPrefix(path, "/api/docs") && !strings.HasPrefix(path, "/api/schemas") && !strings.HasPrefix(path, "/api/login") {
				out = append(out, p)
			}
		}
		return out
	case command.Voicemeup:
		return voicemeup.RequestTypes()
	case command.Carrier:
		var out []string
		for _, e := range carrier.Endpoints() {
			if e.AliasOf == "" {
				out = append(out, e.Name)
			}
		}
		return out
	case command.Reseller:
		if s.reseller == nil {
			return nil
		}
		return s.reseller.Commands()
	}
	return nil
}
