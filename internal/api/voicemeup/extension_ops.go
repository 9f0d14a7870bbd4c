package voicemeup

import (
	"context"

	"strconv"
	"strings"
	"switchboard/internal/account"

	"switchboard/internal/extension"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// RegisterExtensionOps adds get_extensions and update_extension.
func RegisterExtensionOps(d *Dialect, exts *extension.Service, accounts *account.Service) {
	o := &extensionOps{exts: exts, accounts: accounts}
	d.Handle("get_extensions", o.getExtensions)
	d.Handle("update_extension", o.updateExtension, RequireWrite())
}

type extensionOps struct {
	exts     *extension.Service
	accounts *account.Service
}

var extensionFieldNames = map[string]string{"peer_ids": "client_peer_ids", "subaccount_id": "client_subaccount_id"}

// timeoutText renders a ring timeout the way the document spells it.
func timeoutText(n int) string {
	if n == 0 {
		return "disabled"
	}
	return strconv.Itoa(n)
}

func extensionNode(e extension.Extension) *Node {
	ids := make([]string, len(e.PeerIDs))
	for i, n := range e.PeerIDs {
		ids[i] = itoa(n)
	}
	return Elem("extension").Attr("client_extension_id", itoa(e.ID)).
		SetInt("extension", int64(e.Number)).
		Set("friendly_name", e.FriendlyName).
		Set("client_peer_ids", strings.Join(ids, ",")).
		Set("peer_timeout", timeoutText(e.PeerTimeout)).
		Set("enable_peer", flag(len(e.PeerIDs) > 0)).
		Set("forward_number", e.ForwardNumber).
		Set("forward_timeout", timeoutText(e.ForwardTimeout)).
		Set("enable_forwarding", flag(e.EnableForwarding)).
		SetInt("client_subaccount_id", e.SubaccountID).
		Set("status", e.Status).
		Set("comments", e.Comments)
}

func (o *extensionOps) getExtensions(ctx context.Context, r *Request) (*Result, error) {
	var f extension.Filter
	if r.Has("client_subaccount_id") {
		sid, err := r.Int("client_subaccount_id")
		if err != nil {
			return nil, err
		}
		if _, err := o.accounts.GetSubaccount(ctx, r.Principal, sid); err != nil {
			return nil, notFoundAs(err, "client_subaccount_id")
		}
		f.SubaccountID = sid
	}
	var out []extension.Extension
	if r.Has("client_extension_id") {
		eid, err := r.Int("client_extension_id")
		if err != nil {
			return nil, err
		}
		e, err := o.exts.Get(ctx, r.Principal, eid)
		if err != nil {
			return nil, notFoundAs(err, "client_extension_id")
		}
		if f.SubaccountID == 0 || e.SubaccountID == f.SubaccountID {
			out = []extension.Extension{e}
		}
	} else {
		for skip := 0; ; skip += 100 {
			page, total, err := o.exts.List(ctx, r.Principal, f, query.Params{Skip: strconv.Itoa(skip), Top: "100"})
			if err != nil {
				return nil, err
			}
			out = append(out, page...)
			if skip+100 >= total || len(page) == 0 {
				break
			}
		}
	}
	list := List("extensions", "extension")
	for _, e := range out {
		list.Add(extensionNode(e))
	}
	return OK(list), nil
}

// timeoutParam reads peer_timeout or forward_timeout: "disabled" or seconds.
func timeoutParam(r *Request, name string) (*int, error) {
	if !r.Has(name) {
		return nil, nil
	}
	v := strings.TrimSpace(r.OptionalString(name, ""))
	if strings.EqualFold(v, "disabled") {
		n := 0
		return &n, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, problem.Field(name, "is not valid")
	}
	return &n, nil
}

func (o *extensionOps) updateExtension(ctx context.Context, r *Request) (*Result, error) {
	mode, err := r.OneOf("mode", "update", "update", "create")
	if err != nil {
		return nil, err
	}
	p := extension.Patch{FriendlyName: optString(r, "friendly_name"), ForwardNumber: optString(r, "forward_number"),
		Status: optString(r, "status"), Comments: optString(r, "comments")}
	if p.Number, err = optInt(r, "extension"); err != nil {
		return nil, err
	}
	if p.PeerTimeout, err = timeoutParam(r, "peer_timeout"); err != nil {
		return nil, err
	}
	if p.ForwardTimeout, err = timeoutParam(r, "forward_timeout"); err != nil {
		return nil, err
	}
	if p.EnableForwarding, err = peerFlag(r, "enable_forwarding"); err != nil {
		return nil, err
	}
	if r.SentList("client_peer_ids") {
		ids, err := r.IntList("client_peer_ids")
		if err != nil {
			return nil, err
		}
		if ids == nil {
			ids = []int64{}
		}
		p.PeerIDs = &ids
	}
	if r.Has("client_subaccount_id") {
		v, err := r.Int("client_subaccount_id")
		if err != nil {
			return nil, err
		}
		p.SubaccountID = &v
	}
	var res extension.Extension
	if mode == "create" {
		for _, f := range []string{"extension", "friendly_name"} {
			if !r.Has(f) {
				return nil, Missing(f)
			}
		}
		res, err = o.exts.Create(ctx, r.Principal, p)
	} else {
		eid, ierr := r.Int("client_extension_id")
		if ierr != nil {
			return nil, ierr
		}
		res, err = o.exts.Update(ctx, r.Principal, eid, p)
		err = notFoundAs(err, "client_extension_id")
	}
	if err != nil {
		return nil, sentIsInvalid(r, RenameField(err, extensionFieldNames))
	}
	return OK(extensionNode(res)), nil
}
