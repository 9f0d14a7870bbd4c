package reseller

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"switchboard/internal/bundle"
	"switchboard/internal/callpack"
	"switchboard/internal/id"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// RegisterCatalogOps adds the call-pack commands of seed 000 and the VoIP
// bundle commands of seed 001, acting on the caller's own account:
//
//	GET    /call-pack            the active call packs
//	POST   /call-pack            {"pack_id": 13..20}: buy one (201)
//	GET    /call-pack/{uuid}     one
//	PUT    /call-pack/{uuid}     renew it
//	DELETE /call-pack/{uuid}     delete it (204)
//	GET    /bundle, GET /bundle/{uuid}
//	POST   /bundle               {"auto_renew", "bundle_type"}: buy one (201)
//	PUT    /bundle/{uuid}        {"auto_renew", "bundle_type"}: update it
//	POST   /bundle/{uuid}/renew  renew it
//
// The commands that charge honour an Idempotency-Key header as the native
// API does.
func RegisterCatalogOps(d *Dialect, packs *callpack.Service, bundles *bundle.Service) {
	o := &catalogOps{packs: packs, bundles: bundles}
	d.Handle(http.MethodGet, "/call-pack", o.listPacks)
	d.Handle(http.MethodPost, "/call-pack", o.createPack)
	d.Handle(http.MethodGet, "/call-pack/{uuid}", o.getPack)
	d.Handle(http.MethodPut, "/call-pack/{uuid}", o.renewPack)
	d.Handle(http.MethodDelete, "/call-pack/{uuid}", o.deletePack)
	d.Handle(http.MethodGet, "/bundle", o.listBundles)
	d.Handle(http.MethodPost, "/bundle", o.createBundle)
	d.Handle(http.MethodGet, "/bundle/{uuid}", o.getBundle)
	d.Handle(http.MethodPut, "/bundle/{uuid}", o.updateBundle)
	d.Handle(http.MethodPost, "/bundle/{uuid}/renew", o.renewBundle)
}

type catalogOps struct {
	packs   *callpack.Service
	bundles *bundle.Service
}

// date renders the document's YYYY-MM-DD.
func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// packResult is a call pack as the document shows it.
type packResult struct {
	CreatedOn string `json:"created_on"`
	UpdatedOn string `json:"updated_on,omitempty"`
	UUID      string `json:"uuid"`
}

func packOf(p callpack.Pack) packResult {
	return packResult{CreatedOn: date(p.CreatedAt), UpdatedOn: date(p.UpdatedAt), UUID: id.EncodeUUID(p.ID)}
}

// maxList bounds one list answer: the document's list has no paging.
const maxList = 100

func (o *catalogOps) listPacks(ctx context.Context, r *Request) (any, error) {
	var out []packResult
	for skip := 0; ; skip += maxList {
		ps, total, err := o.packs.List(ctx, r.Principal, pageOf(skip))
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, packOf(p))
		}
		if skip+maxList >= total || len(ps) == 0 || len(out) >= 10*maxList {
			break
		}
	}
	if out == nil {
		out = []packResult{}
	}
	return out, nil
}

func (o *catalogOps) createPack(ctx context.Context, r *Request) (any, error) {
	var body struct {
		PackID *int `json:"pack_id"`
	}
	if err := r.Decode(&body); err != nil {
		return nil, err
	}
	if body.PackID == nil {
		return nil, problem.Field("pack_id", "is required")
	}
	p, err := o.packs.Create(ctx, r.Principal, callpack.CreateRequest{TypeID: *body.PackID}, key(r))
	if err != nil {
		return nil, err
	}
	res := packOf(p)
	res.UpdatedOn = ""
	return Created(res), nil
}

func (o *catalogOps) getPack(ctx context.Context, r *Request) (any, error) {
	n, err := r.UUIDParam("uuid")
	if err != nil {
		return nil, err
	}
	p, err := o.packs.Get(ctx, r.Principal, n)
	if err != nil {
		return nil, err
	}
	return packOf(p), nil
}

func (o *catalogOps) renewPack(ctx context.Context, r *Request) (any, error) {
	n, err := r.UUIDParam("uuid")
	if err != nil {
		return nil, err
	}
	p, err := o.packs.Renew(ctx, r.Principal, n, key(r))
	if err != nil {
		return nil, err
	}
	return packOf(p), nil
}

func (o *catalogOps) deletePack(ctx context.Context, r *Request) (any, error) {
	n, err := r.UUIDParam("uuid")
	if err != nil {
		return nil, err
	}
	if err := o.packs.Destroy(ctx, r.Principal, n); err != nil {
		return nil, err
	}
	return NoContent(), nil
}

// bundleResult is a bundle as the document shows it.
type bundleResult struct {
	AutoRenew  bool   `json:"auto_renew"`
	BundleType int    `json:"bundle_type"`
	ExpiresOn  string `json:"expires_on"`
	UUID       string `json:"uuid"`
}

func bundleOf(b bundle.Bundle) bundleResult {
	return bundleResult{AutoRenew: b.AutoRenew, BundleType: b.TypeID, ExpiresOn: date(b.ExpiresOn), UUID: id.EncodeUUID(b.ID)}
}

// bundleBody is the document's POST and PUT body; auto_renew defaults to
// false when omitted, on both.
type bundleBody struct {
	AutoRenew  *bool `json:"auto_renew"`
	BundleType *int  `json:"bundle_type"`
}

func (b *bundleBody) read(r *Request) error {
	if err := r.Decode(b); err != nil {
		return err
	}
	if b.BundleType == nil {
		return problem.Field("bundle_type", "is required")
	}
	if b.AutoRenew == nil {
		b.AutoRenew = new(bool)
	}
	return nil
}

func (o *catalogOps) listBundles(ctx context.Context, r *Request) (any, error) {
	var out []bundleResult
	for skip := 0; ; skip += maxList {
		bs, total, err := o.bundles.List(ctx, r.Principal, pageOf(skip))
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			out = append(out, bundleOf(b))
		}
		if skip+maxList >= total || len(bs) == 0 || len(out) >= 10*maxList {
			break
		}
	}
	if out == nil {
		out = []bundleResult{}
	}
	return out, nil
}

func (o *catalogOps) createBundle(ctx context.Context, r *Request) (any, error) {
	var body bundleBody
	if err := body.read(r); err != nil {
		return nil, err
	}
	b, err := o.bundles.Create(ctx, r.Principal, bundle.CreateRequest{TypeID: *body.BundleType, AutoRenew: *body.AutoRenew}, key(r))
	if err != nil {
		return nil, err
	}
	return Created(bundleOf(b)), nil
}

func (o *catalogOps) getBundle(ctx context.Context, r *Request) (any, error) {
	n, err := r.UUIDParam("uuid")
	if err != nil {
		return nil, err
	}
	b, err := o.bundles.Get(ctx, r.Principal, n)
	if err != nil {
		return nil, err
	}
	return bundleOf(b), nil
}

func (o *catalogOps) updateBundle(ctx context.Context, r *Request) (any, error) {
	n, err := r.UUIDParam("uuid")
	if err != nil {
		return nil, err
	}
	var body bundleBody
	if err := body.read(r); err != nil {
		return nil, err
	}
	b, err := o.bundles.Update(ctx, r.Principal, n, bundle.Patch{AutoRenew: body.AutoRenew, TypeID: body.BundleType}, key(r))
	if err != nil {
		return nil, err
	}
	return bundleOf(b), nil
}

func (o *catalogOps) renewBundle(ctx context.Context, r *Request) (any, error) {
	n, err := r.UUIDParam("uuid")
	if err != nil {
		return nil, err
	}
	b, err := o.bundles.Renew(ctx, r.Principal, n, key(r))
	if err != nil {
		return nil, err
	}
	return bundleOf(b), nil
}

func key(r *Request) string { return r.HTTP.Header.Get("Idempotency-Key") }

// pageOf is one page of a list, oldest first.
func pageOf(skip int) query.Params {
	return query.Params{OrderBy: "id asc", Skip: strconv.Itoa(skip), Top: strconv.Itoa(maxList)}
}
