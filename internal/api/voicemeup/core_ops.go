package voicemeup

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/account"
	"switchboard/internal/geo"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// RegisterAccountOps adds the request types of the account tree: account
// details and preferences, subaccounts and their addresses, and the
// country/state reference lists.
func RegisterAccountOps(d *Dialect, accounts *account.Service) {
	o := &accountOps{accounts: accounts}
	d.Handle("get_account_details", o.accountDetails)
	d.Handle("get_account_preferences", o.accountPreferences)
	d.Handle("get_subaccounts", o.getSubaccounts)
	d.Handle("update_subaccount", o.updateSubaccount, RequireWrite())
	d.Handle("update_subaccount_address", o.updateAddress, RequireWrite())
	d.Handle("get_countries", getCountries)
	d.Handle("get_states", getStates)
}

type accountOps struct{ accounts *account.Service }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (o *accountOps) accountDetails(ctx context.Context, r *Request) (*Result, error) {
	a, err := o.accounts.GetAccount(ctx, r.Principal, r.Principal.AccountID)
	if err != nil {
		return nil, err
	}
	n := Elem("account").Attr("client_account_id", a.Number).
		Set("account_name", a.Name).
		Set("account_type", string(a.Type)).
		Set("account_status", string(a.Status)).
		Set("billing_mode", string(a.BillingMode)).
		Set("currency", a.Currency).
		Set("credit_limit", a.CreditLimit.String()).
		Set("language", a.Language).
		Set("client_user_id", itoa(r.Principal.UserID)).
		Set("username", r.Principal.Username).
		Set("created_date", a.CreatedAt.Format("2006-01-02 15:04:05"))
	return OK(n), nil
}

func (o *accountOps) accountPreferences(ctx context.Context, r *Request) (*Result, error) {
	a, err := o.accounts.GetAccount(ctx, r.Principal, r.Principal.AccountID)
	if err != nil {
		return nil, err
	}
	n := Elem("account_preferences").
		Set("language", a.Language).
		Set("currency", a.Currency).
		Set("billing_mode", string(a.BillingMode))
	prefs := Elem("preferences")
	keys := make([]string, 0, len(a.Preferences))
	for k := range a.Preferences {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		prefs.Add(Elem("preference").Attr("name", k).Text(prefText(a.Preferences[k])))
	}
	return OK(n.Add(prefs)), nil
}

func prefText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return yesNo(t)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

func subaccountNode(s account.Subaccount, assoc *account.Associations) *Node {
	n := Elem("subaccount").Attr("client_subaccount_id", itoa(s.ID)).
		Set("custom_id", s.CustomID).
		Set("friendly_name", s.FriendlyName).
		SetInt("call_limit", int64(s.CallLimit)).
		Set("allow_international_call", yesNo(s.AllowInternationalCall)).
		SetInt("international_call_limit", int64(s.InternationalCallLimit)).
		Set("require_international_nip", yesNo(s.RequireInternationalNIP)).
		Set("international_nip", strings.Join(s.InternationalNIP, ",")).
		Set("multi_tenancy_mode", s.MultiTenancyMode)
	if s.MultiTenancySubaccountID != 0 {
		n.Set("multi_tenancy_subaccount_id", itoa(s.MultiTenancySubaccountID))
	} else {
		n.Set("multi_tenancy_subaccount_id", "")
	}
	n.Set("organization", s.Organization).
		Set("organization_type", s.OrganizationType).
		Set("client_profile", s.ClientProfile).
		Set("voice_language", s.VoiceLanguage).
		Set("notification_language", s.NotificationLanguage).
		Set("callerid_name", s.CallerIDName).
		Set("callerid_number", s.CallerIDNumber).
		Set("client_moh_profile_id", s.ClientMOHProfileID).
		Set("default_provisioned_endpoint_id", s.DefaultProvisionedEndpointID)
	opts := List("options", "option")
	for _, op := range s.Options {
		opts.Add(Leaf("option", op))
	}
	n.Add(opts).Set("status", s.Status).Set("comments", s.Comments)
	if assoc != nil {
		ids := func(name, item string, list []int64) *Node {
			l := List(name, item)
			for _, v := range list {
				l.Add(Leaf(item, itoa(v)))
			}
			return l
		}
		n.Add(Elem("associations").Add(
			ids("peers", "client_peer_id", assoc.Peers),
			ids("dids", "client_did_id", assoc.DIDs),
			ids("extensions", "client_extension_id", assoc.Extensions),
			ids("mailboxes", "client_mailbox_id", assoc.Mailboxes),
		))
	}
	return n
}

func (o *accountOps) getSubaccounts(ctx context.Context, r *Request) (*Result, error) {
	if _, err := r.OptionalInt("client_brand_id", 0); err != nil {
		return nil, err
	}
	withAssoc, err := r.Bool("get_associations", false)
	if err != nil {
		return nil, err
	}
	var subs []account.Subaccount
	if r.Has("client_subaccount_id") {
		sid, err := r.Int("client_subaccount_id")
		if err != nil {
			return nil, err
		}
		s, err := o.accounts.GetSubaccount(ctx, r.Principal, sid)
		if err != nil {
			return nil, notFoundAs(err, "client_subaccount_id")
		}
		subs = []account.Subaccount{s}
	} else {
		// The whole subtree, as lookups by id and updates reach it too.
		f := account.SubaccountFilter{Statuses: r.List("status")}
		for skip := 0; ; skip += 100 {
			page, total, err := o.accounts.ListSubaccounts(ctx, r.Principal, f, query.Params{Skip: strconv.Itoa(skip), Top: "100"})
			if err != nil {
				return nil, err
			}
			subs = append(subs, page...)
			if skip+100 >= total || len(page) == 0 {
				break
			}
		}
	}
	list := List("subaccounts", "subaccount")
	for _, s := range subs {
		var assoc *account.Associations
		if withAssoc {
			a, err := o.accounts.Associations(ctx, r.Principal, s.ID)
			if err != nil {
				return nil, err
			}
			assoc = &a
		}
		list.Add(subaccountNode(s, assoc))
	}
	return OK(list), nil
}

// notFoundAs names the parameter that pointed at nothing.
func notFoundAs(err error, field string) error {
	if problem.Is(err, problem.NotFound) {
		return &problem.Error{Code: problem.Invalid, Field: field, Message: "is not valid", Err: err}
	}
	return err
}

func optString(r *Request, name string) *string {
	if _, ok := r.Params[name]; !ok {
		return nil
	}
	v := r.OptionalString(name, "")
	return &v
}

func optYesNo(r *Request, name string) (*bool, error) {
	if !r.Has(name) {
		return nil, nil
	}
	v, err := r.OneOf(name, "", "yes", "no")
	if err != nil {
		return nil, err
	}
	b := v == "yes"
	return &b, nil
}

func optInt(r *Request, name string) (*int, error) {
	if !r.Has(name) {
		return nil, nil
	}
	v, err := r.Int(name)
	if err != nil {
		return nil, err
	}
	if v < -1<<31 || v > 1<<31-1 {
		return nil, problem.Field(name, "is out of range")
	}
	n := int(v)
	return &n, nil
}

func optList(r *Request, name string) *[]string {
	if !r.SentList(name) {
		return nil
	}
	l := r.List(name)
	if l == nil {
		l = []string{}
	}
	return &l
}

func (o *accountOps) updateSubaccount(ctx context.Context, r *Request) (*Result, error) {
	mode, err := r.OneOf("mode", "update", "update", "create")
	if err != nil {
		return nil, err
	}
	if _, err := r.OptionalInt("client_brand_id", 0); err != nil {
		return nil, err
	}
	p := account.SubaccountPatch{
		CustomID: optString(r, "custom_id"), FriendlyName: optString(r, "friendly_name"),
		InternationalNIP: optList(r, "international_nip"), MultiTenancyMode: optString(r, "multi_tenancy_mode"),
		Organization: optString(r, "organization"), OrganizationType: optString(r, "organization_type"),
		ClientProfile: optString(r, "client_profile"), VoiceLanguage: optString(r, "voice_language"),
		NotificationLanguage: optString(r, "notification_language"), CallerIDName: optString(r, "callerid_name"),
		CallerIDNumber: optString(r, "callerid_number"), ClientMOHProfileID: optString(r, "client_moh_profile_id"),
		DefaultProvisionedEndpointID: optString(r, "default_provisioned_endpoint_id"),
		Options:                      optList(r, "options"), Status: optString(r, "status"), Comments: optString(r, "comments"),
	}
	if p.CallLimit, err = optInt(r, "call_limit"); err != nil {
		return nil, err
	}
	if p.InternationalCallLimit, err = optInt(r, "international_call_limit"); err != nil {
		return nil, err
	}
	if p.AllowInternationalCall, err = optYesNo(r, "allow_international_call"); err != nil {
		return nil, err
	}
	if p.RequireInternationalNIP, err = optYesNo(r, "require_international_nip"); err != nil {
		return nil, err
	}
	if r.Has("multi_tenancy_subaccount_id") {
		v, err := r.Int("multi_tenancy_subaccount_id")
		if err != nil {
			return nil, err
		}
		p.MultiTenancySubaccountID = &v
	}
	// friendly_name, multi_tenancy_mode and status are required by the
	// document on every call, not only on create.
	for _, f := range []string{"friendly_name", "multi_tenancy_mode", "status"} {
		if !r.Has(f) {
			return nil, Missing(f)
		}
	}
	var s account.Subaccount
	if mode == "create" {
		s, err = o.accounts.CreateSubaccount(ctx, r.Principal, p)
	} else {
		if !r.Has("client_subaccount_id") {
			return nil, Missing("client_subaccount_id")
		}
		sid, ierr := r.Int("client_subaccount_id")
		if ierr != nil {
			return nil, ierr
		}
		s, err = o.accounts.UpdateSubaccount(ctx, r.Principal, sid, p)
		err = notFoundAs(err, "client_subaccount_id")
	}
	if err != nil {
		return nil, sentIsInvalid(r, err)
	}
	return OK(subaccountNode(s, nil)), nil
}

func (o *accountOps) updateAddress(ctx context.Context, r *Request) (*Result, error) {
	mode, err := r.OneOf("mode", "update", "update", "create")
	if err != nil {
		return nil, err
	}
	if !r.Has("client_subaccount_id") {
		return nil, Missing("client_subaccount_id")
	}
	sid, err := r.Int("client_subaccount_id")
	if err != nil {
		return nil, err
	}
	p := account.AddressPatch{
		Type: optString(r, "type"), BoxNumber: optString(r, "box_number"), Street: optString(r, "street"),
		City: optString(r, "city"), StateOther: optString(r, "state_other"), PostalCode: optString(r, "postal_code"),
		Precision: optString(r, "precision"),
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"civic_number", &p.CivicNumber}, {"unit_number", &p.UnitNumber}} {
		if r.Has(f.name) {
			v, err := r.Int(f.name)
			if err != nil {
				return nil, err
			}
			*f.dst = &v
		}
	}
	if p.CountryID, err = optInt(r, "country_id"); err != nil {
		return nil, err
	}
	// An unknown country is reported as such, before a state code that
	// cannot be resolved in it is.
	if p.CountryID != nil {
		if _, ok := geo.CountryByID(*p.CountryID); !ok {
			return nil, problem.Field("country_id", "must be a valid country_id")
		}
	}
	var a account.Address
	if mode == "create" {
		for _, f := range []string{"civic_number", "street", "unit_number", "city", "country_id", "postal_code"} {
			if !r.Has(f) {
				return nil, Missing(f)
			}
		}
		if p.StateID, err = stateParam(r, 0); err != nil {
			return nil, err
		}
		a, err = o.accounts.CreateAddress(ctx, r.Principal, sid, p)
		err = notFoundAs(err, "client_subaccount_id")
	} else {
		if !r.Has("client_address_id") {
			return nil, Missing("client_address_id")
		}
		aid, ierr := r.Int("client_address_id")
		if ierr != nil {
			return nil, ierr
		}
		var cur account.Address
		cur, err = o.accounts.GetAddress(ctx, r.Principal, aid)
		if err == nil && cur.SubaccountID != sid {
			err = problem.Field("client_address_id", "does not belong to the subaccount")
		}
		if err == nil {
			// A state code is resolved in the country the address will
			// have: the one sent, else the one it has.
			p.StateID, err = stateParam(r, cur.CountryID)
		}
		if err == nil {
			a, err = o.accounts.UpdateAddress(ctx, r.Principal, aid, p)
		}
		err = notFoundAs(err, "client_address_id")
	}
	if err != nil {
		return nil, sentIsInvalid(r, err)
	}
	n := Elem("address").Attr("client_address_id", itoa(a.ID)).
		Set("client_subaccount_id", itoa(a.SubaccountID)).
		Set("type", a.Type).Set("box_number", a.BoxNumber).SetInt("civic_number", a.CivicNumber).
		Set("street", a.Street).SetInt("unit_number", a.UnitNumber).Set("city", a.City).
		SetInt("country_id", int64(a.CountryID)).SetInt("state_id", int64(a.StateID)).
		Set("state_other", a.StateOther).Set("postal_code", a.PostalCode).Set("precision", a.Precision)
	return OK(n), nil
}

// stateParam returns the state_id parameter, nil when it is absent. It
// accepts a numeric state_id or a state code ("QC") of the address's
// country: country_id when sent, else currentCountry (the country of the
// address being updated).
func stateParam(r *Request, currentCountry int) (*int, error) {
	if !r.Has("state_id") {
		return nil, nil
	}
	v := r.OptionalString("state_id", "")
	if n, err := strconv.Atoi(v); err == nil {
		return &n, nil
	}
	cid := int64(currentCountry)
	if r.Has("country_id") {
		cid, _ = r.OptionalInt("country_id", 0)
	}
	if st, ok := geo.StateByCode(int(cid), v); ok {
		return &st.ID, nil
	}
	return nil, problem.Field("state_id", "is not valid")
}

// sentIsInvalid reports a core "is required ..." error about a parameter
// the client did send as a bad value: the core words some format rules as
// "is required and must be alphanumeric", which must not answer
// required_parameter_not_found for a street of "%%%".
func sentIsInvalid(r *Request, err error) error {
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Code != problem.Invalid || pe.Field == "" || !r.Has(pe.Field) ||
		errors.Is(err, errMissing) || !strings.Contains(strings.ToLower(pe.Message), "required") {
		return err
	}
	return &problem.Error{Code: problem.Invalid, Field: pe.Field, Message: "is not valid", Err: err}
}

func getCountries(ctx context.Context, r *Request) (*Result, error) {
	list := List("countries", "country")
	for _, c := range geo.Countries() {
		name := c.Name
		if r.Language == "fr" && c.NameFR != "" {
			name = c.NameFR
		}
		list.Add(Elem("country").Attr("country_id", strconv.Itoa(c.ID)).
			Set("country_code", c.Alpha2).Set("country_code_iso3", c.Alpha3).
			Set("country_name", name).Set("dialing_code", c.DialCode))
	}
	return OK(list), nil
}

func getStates(ctx context.Context, r *Request) (*Result, error) {
	if !r.Has("country_id") {
		return nil, Missing("country_id")
	}
	cid, err := r.Int("country_id")
	if err != nil {
		return nil, err
	}
	if _, ok := geo.CountryByID(int(cid)); !ok {
		return nil, problem.Field("country_id", "is not valid")
	}
	list := List("states", "state")
	for _, s := range geo.States(int(cid)) {
		name := s.Name
		if r.Language == "fr" && s.NameFR != "" {
			name = s.NameFR
		}
		list.Add(Elem("state").Attr("state_id", strconv.Itoa(s.ID)).
			Set("state_code", s.Code).Set("state_name", name).SetInt("country_id", cid))
	}
	return OK(list), nil
}
