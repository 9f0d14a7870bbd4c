package voicemeup

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"switchboard/internal/peer"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// RegisterPeerOps adds the peer request types: get_peers, update_peer and
// delete_peer.
func RegisterPeerOps(d *Dialect, peers *peer.Service) {
	o := &peerOps{peers: peers}
	d.Handle("get_peers", o.getPeers)
	d.Handle("update_peer", o.updatePeer, RequireWrite())
	d.Handle("delete_peer", o.deletePeer, RequireWrite())
}

type peerOps struct{ peers *peer.Service }

// peerFieldNames renames core fields to this API's parameters, whose
// error types the document defines (dtmf_invalid, client_subaccount_id_invalid).
var peerFieldNames = map[string]string{
	"dtmf_mode": "dtmf", "subaccount_id": "client_subaccount_id",
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func peerNode(p peer.Peer) *Node {
	n := Elem("peer").Attr("client_peer_id", itoa(p.ID)).
		Set("friendly_name", p.FriendlyName).
		Set("peer_username", p.Username).
		Set("host_type", p.HostType).
		Set("host", p.Host).
		SetInt("port", int64(p.Port)).
		Set("callerid_name", p.CallerIDName).
		Set("callerid_number", p.CallerIDNumber).
		Set("callerid_mode", p.CallerIDMode).
		Set("callerid_type", p.CallerIDType).
		Set("callerid_format", p.CallerIDFormat).
		Set("transport", p.Transport).
		Set("codecs", strings.Join(p.Codecs, ",")).
		Set("dtmf_mode", p.DTMFMode).
		Set("dnis_mode", p.DNISMode).
		Set("dnis_format", p.DNISFormat).
		Set("enable_nat", flag(p.EnableNAT)).
		Set("enable_qualify", flag(p.EnableQualify)).
		SetInt("qualify", int64(p.Qualify)).
		SetInt("simultaneous_calls_limit", int64(p.SimultaneousCallsLimit)).
		Set("enable_auth", flag(p.EnableAuth)).
		Set("auth_username", p.AuthUsername).
		Set("default_ip", p.DefaultIP).
		SetInt("register_timeout", int64(p.RegisterTimeout)).
		SetInt("progress_timeout", int64(p.ProgressTimeout)).
		SetInt("client_subaccount_id", p.SubaccountID).
		Set("status", p.Status).
		Set("comments", p.Comments)
	meta, _ := json.Marshal(p.Metadata)
	return n.Set("metadata", string(meta))
}

func (o *peerOps) getPeers(ctx context.Context, r *Request) (*Result, error) {
	if cid, err := r.OptionalInt("client_channel_id", 0); err != nil {
		return nil, err
	} else if cid != 0 {
		// Channels arrive with call limits; none can be named yet.
		return nil, problem.Field("client_channel_id", "is not valid")
	}
	var f peer.Filter
	if r.Has("client_subaccount_id") {
		sid, err := r.Int("client_subaccount_id")
		if err != nil {
			return nil, err
		}
		f.SubaccountID = sid
	}
	var out []peer.Peer
	if r.Has("client_peer_id") {
		pid, err := r.Int("client_peer_id")
		if err != nil {
			return nil, err
		}
		p, err := o.peers.Get(ctx, r.Principal, pid)
		if err != nil {
			return nil, notFoundAs(err, "client_peer_id")
		}
		if f.SubaccountID == 0 || p.SubaccountID == f.SubaccountID {
			out = []peer.Peer{p}
		}
	} else {
		for skip := 0; ; skip += 100 {
			page, total, err := o.peers.List(ctx, r.Principal, f, query.Params{Skip: strconv.Itoa(skip), Top: "100"})
			if err != nil {
				return nil, err
			}
			out = append(out, page...)
			if skip+100 >= total || len(page) == 0 {
				break
			}
		}
	}
	list := List("peers", "peer")
	for _, p := range out {
		list.Add(peerNode(p))
	}
	return OK(list), nil
}

// peerFlag reads a 1/0 parameter.
func peerFlag(r *Request, name string) (*bool, error) {
	if !r.Has(name) {
		return nil, nil
	}
	b, err := r.Bool(name, false)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (o *peerOps) updatePeer(ctx context.Context, r *Request) (*Result, error) {
	mode, err := r.OneOf("mode", "update", "update", "create")
	if err != nil {
		return nil, err
	}
	p := peer.Patch{
		FriendlyName: optString(r, "friendly_name"), HostType: optString(r, "host_type"), Host: optString(r, "host"),
		Password: optString(r, "password"), CallerIDName: optString(r, "callerid_name"),
		CallerIDNumber: optString(r, "callerid_number"), CallerIDMode: optString(r, "callerid_mode"),
		CallerIDType: optString(r, "callerid_type"), CallerIDFormat: optString(r, "callerid_format"),
		Transport: optString(r, "transport"), Codecs: optList(r, "codecs"), DTMFMode: optString(r, "dtmf_mode"),
		DNISMode: optString(r, "dnis_mode"), DNISFormat: optString(r, "dnis_format"),
		AuthUsername: optString(r, "auth_username"), DefaultIP: optString(r, "default_ip"),
		Status: optString(r, "status"), Comments: optString(r, "comments"),
	}
	if p.Codecs != nil && len(*p.Codecs) == 1 && strings.Contains((*p.Codecs)[0], ",") {
		l := strings.Split((*p.Codecs)[0], ",")
		p.Codecs = &l
	}
	for _, f := range []struct {
		name string
		dst  **int
	}{{"port", &p.Port}, {"qualify", &p.Qualify}, {"simultaneous_calls_limit", &p.SimultaneousCallsLimit},
		{"register_timeout", &p.RegisterTimeout}, {"progress_timeout", &p.ProgressTimeout}} {
		if *f.dst, err = optInt(r, f.name); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		dst  **bool
	}{{"enable_nat", &p.EnableNAT}, {"enable_qualify", &p.EnableQualify}, {"enable_auth", &p.EnableAuth}} {
		if *f.dst, err = peerFlag(r, f.name); err != nil {
			return nil, err
		}
	}
	if r.Has("client_subaccount_id") {
		v, err := r.Int("client_subaccount_id")
		if err != nil {
			return nil, err
		}
		p.SubaccountID = &v
	}
	if r.Has("metadata") {
		m := map[string]string{}
		if err := json.Unmarshal([]byte(r.OptionalString("metadata", "")), &m); err != nil {
			return nil, problem.Field("metadata", "must be a JSON object of strings")
		}
		p.Metadata = &m
	}
	// The document requires these on every call, and more on update.
	required := []string{"friendly_name", "host_type", "callerid_mode"}
	if mode == "update" {
		required = append(required, "client_peer_id", "callerid_type", "callerid_format", "codecs", "dtmf_mode", "dnis_format", "status")
	}
	if p.HostType != nil && *p.HostType == "static" {
		required = append(required, "transport")
	}
	for _, f := range required {
		if r.Has(f) || f == "codecs" && len(r.List(f)) > 0 {
			continue
		}
		return nil, Missing(f)
	}
	var res peer.Peer
	if mode == "create" {
		// username is the document's deprecated spelling, but also the
		// credential parameter: it names the peer only when it is not the
		// caller's own login.
		name := r.OptionalString("peer_username", "")
		if u := r.OptionalString("username", ""); name == "" && u != r.Principal.Username {
			name = u
		}
		if name == "" {
			return nil, Missing("username")
		}
		p.Username = &name
		res, err = o.peers.Create(ctx, r.Principal, p)
	} else {
		if r.Has("peer_username") {
			return nil, problem.Field("username", "is only available on mode create")
		}
		pid, ierr := r.Int("client_peer_id")
		if ierr != nil {
			return nil, ierr
		}
		res, err = o.peers.Update(ctx, r.Principal, pid, p)
		err = notFoundAs(err, "client_peer_id")
	}
	if err != nil {
		if pe := problem.As(err); pe.Code == problem.Conflict && pe.Field == "username" {
			return nil, Fail("peer_exist", err)
		}
		return nil, sentIsInvalid(r, RenameField(err, peerFieldNames))
	}
	return OK(peerNode(res)), nil
}

func (o *peerOps) deletePeer(ctx context.Context, r *Request) (*Result, error) {
	pid, err := r.Int("client_peer_id")
	if err != nil {
		return nil, err
	}
	if err := o.peers.Delete(ctx, r.Principal, pid); err != nil {
		return nil, notFoundAs(err, "client_peer_id")
	}
	return OK(Elem("peer").Attr("client_peer_id", itoa(pid)).Set("status", "deleted")), nil
}
