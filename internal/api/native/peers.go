package native

import (
	"context"
	"net/http"

	"switchboard/internal/peer"
)

// PeerView is the native representation of a peer. Its secret never
// appears: has_password tells whether one is set.
type PeerView struct {
	ID                     ID                `json:"id"`
	AccountID              ID                `json:"account_id"`
	SubaccountID           ID                `json:"subaccount_id"`
	FriendlyName           string            `json:"friendly_name"`
	Username               string            `json:"username"`
	HasPassword            bool              `json:"has_password"`
	HostType               string            `json:"host_type"`
	Host                   string            `json:"host"`
	Port                   int               `json:"port"`
	Transport              string            `json:"transport"`
	CallerIDName           string            `json:"callerid_name"`
	CallerIDNumber         string            `json:"callerid_number"`
	CallerIDMode           string            `json:"callerid_mode"`
	CallerIDType           string            `json:"callerid_type"`
	CallerIDFormat         string            `json:"callerid_format"`
	Codecs                 []string          `json:"codecs"`
	DTMFMode               string            `json:"dtmf_mode"`
	DNISMode               string            `json:"dnis_mode"`
	DNISFormat             string            `json:"dnis_format"`
	EnableNAT              bool              `json:"enable_nat"`
	EnableQualify          bool              `json:"enable_qualify"`
	Qualify                int               `json:"qualify" doc:"OPTIONS ping interval in milliseconds"`
	SimultaneousCallsLimit int               `json:"simultaneous_calls_limit"`
	EnableAuth             bool              `json:"enable_auth"`
	AuthUsername           string            `json:"auth_username"`
	DefaultIP              string            `json:"default_ip"`
	RegisterTimeout        int               `json:"register_timeout"`
	ProgressTimeout        int               `json:"progress_timeout"`
	Status                 string            `json:"status"`
	Comments               string            `json:"comments"`
	Metadata               map[string]string `json:"metadata"`
	CreatedAt              Time              `json:"created_at"`
	UpdatedAt              Time              `json:"updated_at"`
}

func peerView(p peer.Peer) PeerView {
	return PeerView{
		ID: ID(p.ID), AccountID: ID(p.AccountID), SubaccountID: ID(p.SubaccountID), FriendlyName: p.FriendlyName,
		Username: p.Username, HasPassword: p.HasSecret(), HostType: p.HostType, Host: p.Host, Port: p.Port,
		Transport: p.Transport, CallerIDName: p.CallerIDName, CallerIDNumber: p.CallerIDNumber,
		CallerIDMode: p.CallerIDMode, CallerIDType: p.CallerIDType, CallerIDFormat: p.CallerIDFormat,
		Codecs: p.Codecs, DTMFMode: p.DTMFMode, DNISMode: p.DNISMode, DNISFormat: p.DNISFormat,
		EnableNAT: p.EnableNAT, EnableQualify: p.EnableQualify, Qualify: p.Qualify,
		SimultaneousCallsLimit: p.SimultaneousCallsLimit, EnableAuth: p.EnableAuth, AuthUsername: p.AuthUsername,
		DefaultIP: p.DefaultIP, RegisterTimeout: p.RegisterTimeout, ProgressTimeout: p.ProgressTimeout,
		Status: p.Status, Comments: p.Comments, Metadata: p.Metadata, CreatedAt: Time(p.CreatedAt), UpdatedAt: Time(p.UpdatedAt),
	}
}

// PeerFields are the writable fields of a peer, with the rules of
// update_peer.
type PeerFields struct {
	AccountID              *string            `json:"account_id,omitempty" doc:"Owning account (create only; default: yours)"`
	SubaccountID           *string            `json:"subaccount_id,omitempty" doc:"A subaccount of the peer's account; empty string: none"`
	FriendlyName           *string            `json:"friendly_name,omitempty" minLength:"2" maxLength:"32" doc:"Required on create"`
	Username               *string            `json:"username,omitempty" minLength:"6" maxLength:"32" pattern:"^[A-Za-z0-9]+$" doc:"SIP username, unique platform-wide (create only)"`
	Password               *string            `json:"password,omitempty" minLength:"6" maxLength:"32" pattern:"^[A-Za-z0-9]+$" doc:"Required on create for dynamic peers; never shown"`
	HostType               *string            `json:"host_type,omitempty" enum:"dynamic,static" doc:"Required on create"`
	Host                   *string            `json:"host,omitempty" maxLength:"45" doc:"IP address (required for static peers)"`
	Port                   *int               `json:"port,omitempty" minimum:"1" maximum:"65535"`
	Transport              *string            `json:"transport,omitempty" enum:"udp,tcp,tls"`
	CallerIDName           *string            `json:"callerid_name,omitempty" maxLength:"15"`
	CallerIDNumber         *string            `json:"callerid_number,omitempty" maxLength:"10"`
	CallerIDMode           *string            `json:"callerid_mode,omitempty" enum:"global,privacy,custom,device,smart" doc:"Required on create"`
	CallerIDType           *string            `json:"callerid_type,omitempty" enum:"rpid,pid,none"`
	CallerIDFormat         *string            `json:"callerid_format,omitempty" enum:"e164,unaltered,national"`
	Codecs                 *[]string          `json:"codecs,omitempty" maxItems:"6" doc:"g729, ulaw, alaw, g726, gsm, ilbc"`
	DTMFMode               *string            `json:"dtmf_mode,omitempty" enum:"rfc2833,inband,info,auto"`
	DNISMode               *string            `json:"dnis_mode,omitempty" enum:"auto,forced,disabled"`
	DNISFormat             *string            `json:"dnis_format,omitempty" enum:"national,e164"`
	EnableNAT              *bool              `json:"enable_nat,omitempty"`
	EnableQualify          *bool              `json:"enable_qualify,omitempty"`
	Qualify                *int               `json:"qualify,omitempty" minimum:"0" maximum:"60000" doc:"Milliseconds, 2000 to 60000; required with enable_qualify"`
	SimultaneousCallsLimit *int               `json:"simultaneous_calls_limit,omitempty" minimum:"0" maximum:"255"`
	EnableAuth             *bool              `json:"enable_auth,omitempty"`
	AuthUsername           *string            `json:"auth_username,omitempty" maxLength:"32"`
	DefaultIP              *string            `json:"default_ip,omitempty" maxLength:"45"`
	RegisterTimeout        *int               `json:"register_timeout,omitempty" minimum:"120" maximum:"7200" doc:"Longest registration in seconds (create only)"`
	ProgressTimeout        *int               `json:"progress_timeout,omitempty" minimum:"1" maximum:"10" doc:"Seconds (create only)"`
	Status                 *string            `json:"status,omitempty" enum:"enabled,disabled"`
	Comments               *string            `json:"comments,omitempty" maxLength:"1024"`
	Metadata               *map[string]string `json:"metadata,omitempty" doc:"Up to 32 string values of your own"`
}

func (f *PeerFields) patch() (peer.Patch, error) {
	acc, err := decodeRef("account_id", f.AccountID)
	if err != nil {
		return peer.Patch{}, err
	}
	sub, err := decodeRef("subaccount_id", f.SubaccountID)
	if err != nil {
		return peer.Patch{}, err
	}
	return peer.Patch{
		AccountID: acc, SubaccountID: sub, FriendlyName: f.FriendlyName, Username: f.Username, Password: f.Password,
		HostType: f.HostType, Host: f.Host, Port: f.Port, Transport: f.Transport, CallerIDName: f.CallerIDName,
		CallerIDNumber: f.CallerIDNumber, CallerIDMode: f.CallerIDMode, CallerIDType: f.CallerIDType,
		CallerIDFormat: f.CallerIDFormat, Codecs: f.Codecs, DTMFMode: f.DTMFMode, DNISMode: f.DNISMode,
		DNISFormat: f.DNISFormat, EnableNAT: f.EnableNAT, EnableQualify: f.EnableQualify, Qualify: f.Qualify,
		SimultaneousCallsLimit: f.SimultaneousCallsLimit, EnableAuth: f.EnableAuth, AuthUsername: f.AuthUsername,
		DefaultIP: f.DefaultIP, RegisterTimeout: f.RegisterTimeout, ProgressTimeout: f.ProgressTimeout,
		Status: f.Status, Comments: f.Comments, Metadata: f.Metadata,
	}, nil
}

// RegistrationView is one registrar binding of a peer.
type RegistrationView struct {
	ID           ID     `json:"id"`
	Contact      string `json:"contact"`
	Source       string `json:"source" doc:"Address the REGISTER came from (ip:port)"`
	Transport    string `json:"transport"`
	UserAgent    string `json:"user_agent"`
	Node         int64  `json:"node" doc:"The node that took the registration"`
	RegisteredAt Time   `json:"registered_at"`
	ExpiresAt    Time   `json:"expires_at"`
	Reachable    bool   `json:"reachable" doc:"False once a qualify ping went unanswered"`
	QualifiedAt  Time   `json:"qualified_at"`
}

func registrationView(r peer.Registration) RegistrationView {
	return RegistrationView{
		ID: ID(r.ID), Contact: r.Contact, Source: r.Source, Transport: r.Transport, UserAgent: r.UserAgent, Node: r.Node,
		RegisteredAt: Time(r.RegisteredAt), ExpiresAt: Time(r.ExpiresAt), Reachable: r.Reachable, QualifiedAt: Time(r.QualifiedAt),
	}
}

type peerBody struct{ Body PeerView }

func (a *API) registerPeers() {
	if a.cfg.Peers == nil {
		return
	}
	const tag = "Peers"
	peers := a.cfg.Peers
	register(a, op{id: "list-peers", method: http.MethodGet, path: "/api/peers", summary: "List peers (SIP accounts)", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[PeerView] }, error) {
			items, n, err := peers.List(ctx, who(ctx), peer.Filter{}, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, peerView), nil
		})
	register(a, op{id: "create-peer", method: http.MethodPost, path: "/api/peers", summary: "Create a peer", tag: tag},
		func(ctx context.Context, in *struct{ Body PeerFields }) (*Created, error) {
			pt, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := peers.Create(ctx, who(ctx), pt)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(p.ID), nil
		})
	register(a, op{id: "get-peer", method: http.MethodGet, path: "/api/peers/{id}", summary: "Get a peer", tag: tag},
		func(ctx context.Context, in *IDPath) (*peerBody, error) {
			n, err := decodeID(in.ID, "peer")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := peers.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &peerBody{Body: peerView(p)}, nil
		})
	register(a, op{id: "update-peer", method: http.MethodPost, path: "/api/peers/{id}", summary: "Update the given fields of a peer", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body PeerFields
		}) (*peerBody, error) {
			n, err := decodeID(in.ID, "peer")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			pt, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := peers.Update(ctx, who(ctx), n, pt)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &peerBody{Body: peerView(p)}, nil
		})
	register(a, op{id: "list-peer-registrations", method: http.MethodGet, path: "/api/peers/{id}/registrations", summary: "A peer's current registrations", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body ListBody[RegistrationView] }, error) {
			n, err := decodeID(in.ID, "peer")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			regs, err := peers.Registrations(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(len(regs), regs, registrationView), nil
		})
	destroyRoutes(a, tag, "peers", "peer", peers.Delete)
}
