package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"switchboard/internal/account"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// SubaccountSpec lists the fields of subaccounts a collection query may use.
var SubaccountSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "s.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "s.account_id", Type: query.ID, Sort: true},
		{Name: "custom_id", Column: "s.custom_id", Type: query.String, Sort: true, Search: true},
		{Name: "friendly_name", Column: "s.friendly_name", Type: query.String, Sort: true, Search: true},
		{Name: "call_limit", Column: "s.call_limit", Type: query.Int, Sort: true},
		{Name: "allow_international_call", Column: "s.allow_international_call", Type: query.Bool},
		{Name: "multi_tenancy_mode", Column: "s.multi_tenancy_mode", Type: query.Enum, Enum: account.MultiTenancyModes, Sort: true},
		{Name: "organization", Column: "s.organization", Type: query.String, Sort: true, Search: true},
		{Name: "organization_type", Column: "s.organization_type", Type: query.Enum, Enum: append([]string{""}, account.OrganizationTypes...)},
		{Name: "client_profile", Column: "s.client_profile", Type: query.Enum, Enum: account.ClientProfiles, Sort: true},
		{Name: "callerid_number", Column: "s.callerid_number", Type: query.String, Search: true},
		{Name: "status", Column: "s.status", Type: query.Enum, Enum: account.SubaccountStates, Sort: true},
		{Name: "comments", Column: "s.comments", Type: query.String, Search: true},
		{Name: "created_at", Column: "s.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "s.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "s.id ASC",
	TieBreak:     "s.id ASC",
}

const subaccountCols = `s.id, s.account_id, s.custom_id, s.friendly_name, s.call_limit, s.allow_international_call,
	s.international_call_limit, s.require_international_nip, s.international_nip, s.multi_tenancy_mode,
	s.multi_tenancy_subaccount_id, s.organization, s.organization_type, s.client_profile, s.voice_language,
	s.notification_language, s.callerid_name, s.callerid_number, s.client_moh_profile_id,
	s.default_provisioned_endpoint_id, s.options, s.status, s.comments, s.created_at, s.updated_at`

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// subaccountSelect adds what is read but written elsewhere: the tariff is
// set by the tariff service.
const subaccountSelect = subaccountCols + `, s.tariff_id`

func scanSubaccount(r interface{ Scan(...any) error }) (account.Subaccount, error) {
	var s account.Subaccount
	var nip, opts string
	var created, updated int64
	err := r.Scan(&s.ID, &s.AccountID, &s.CustomID, &s.FriendlyName, &s.CallLimit, &s.AllowInternationalCall,
		&s.InternationalCallLimit, &s.RequireInternationalNIP, &nip, &s.MultiTenancyMode,
		&s.MultiTenancySubaccountID, &s.Organization, &s.OrganizationType, &s.ClientProfile, &s.VoiceLanguage,
		&s.NotificationLanguage, &s.CallerIDName, &s.CallerIDNumber, &s.ClientMOHProfileID,
		&s.DefaultProvisionedEndpointID, &opts, &s.Status, &s.Comments, &created, &updated, &s.TariffID)
	if err != nil {
		return s, translate(err)
	}
	s.InternationalNIP, s.Options = splitList(nip), splitList(opts)
	s.CreatedAt, s.UpdatedAt = FromMicros(created), FromMicros(updated)
	return s, nil
}

func subaccountArgs(s *account.Subaccount) []any {
	return []any{s.ID, s.AccountID, s.CustomID, s.FriendlyName, s.CallLimit, s.AllowInternationalCall,
		s.InternationalCallLimit, s.RequireInternationalNIP, strings.Join(s.InternationalNIP, ","), s.MultiTenancyMode,
		s.MultiTenancySubaccountID, s.Organization, s.OrganizationType, s.ClientProfile, s.VoiceLanguage,
		s.NotificationLanguage, s.CallerIDName, s.CallerIDNumber, s.ClientMOHProfileID,
		s.DefaultProvisionedEndpointID, strings.Join(s.Options, ","), s.Status, s.Comments,
		Micros(s.CreatedAt), Micros(s.UpdatedAt)}
}

// CreateSubaccount inserts s.
func (s *Accounts) CreateSubaccount(ctx context.Context, sub *account.Subaccount) error {
	_, err := s.db.Exec(ctx, `INSERT INTO subaccounts (`+strings.ReplaceAll(subaccountCols, "s.", "")+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)`,
		subaccountArgs(sub)...)
	if err != nil {
		return fmt.Errorf("insert subaccount: %w", err)
	}
	return nil
}

// GetSubaccount returns subaccount id if its account is in scope.
func (s *Accounts) GetSubaccount(ctx context.Context, scope, id int64) (account.Subaccount, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+subaccountSelect+` FROM subaccounts s WHERE s.id = $1 AND `+inScope("s.account_id", 2), id, scope)
	sub, err := scanSubaccount(row)
	if problem.Is(err, problem.NotFound) {
		return sub, problem.NotFoundf("no such subaccount")
	}
	return sub, err
}

// ListSubaccounts lists subaccounts in scope.
func (s *Accounts) ListSubaccounts(ctx context.Context, scope int64, f account.SubaccountFilter, p query.Params) ([]account.Subaccount, int, error) {
	base := "FROM subaccounts s WHERE " + inScope("s.account_id", 1)
	args := []any{scope}
	if f.AccountID != 0 {
		args = append(args, f.AccountID)
		base += fmt.Sprintf(" AND s.account_id = $%d", len(args))
	}
	if len(f.Statuses) > 0 {
		marks := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			args = append(args, st)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		base += " AND s.status IN (" + strings.Join(marks, ",") + ")"
	}
	return list(ctx, s.db.Reader(), subaccountSelect, base, args, &SubaccountSpec, p,
		func(r *sql.Rows) (account.Subaccount, error) { return scanSubaccount(r) })
}

// UpdateSubaccount writes every mutable field of sub. Only the parameters
// the statement uses are bound: PostgreSQL cannot type an unused one.
func (s *Accounts) UpdateSubaccount(ctx context.Context, sub *account.Subaccount) error {
	cols := strings.Split(strings.ReplaceAll(subaccountCols, "s.", ""), ",")
	all := subaccountArgs(sub)
	args := []any{sub.ID, sub.AccountID}
	sets := make([]string, 0, len(cols))
	for i, c := range cols {
		c = strings.TrimSpace(c)
		if c == "id" || c == "account_id" || c == "created_at" {
			continue
		}
		args = append(args, all[i])
		sets = append(sets, fmt.Sprintf("%s=$%d", c, len(args)))
	}
	return affected(s.db.Exec(ctx, `UPDATE subaccounts SET `+strings.Join(sets, ", ")+` WHERE id=$1 AND account_id=$2`, args...))
}

// DeleteSubaccount deletes a subaccount in scope and its addresses.
func (s *Accounts) DeleteSubaccount(ctx context.Context, scope, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM subaccount_addresses WHERE subaccount_id = $1 AND `+inScope("account_id", 2), id, scope); err != nil {
			return fmt.Errorf("delete addresses: %w", err)
		}
		// Peers outlive their subaccount: they stay with the account.
		if _, err := tx.ExecContext(ctx, `UPDATE peers SET subaccount_id = 0 WHERE subaccount_id = $1 AND `+inScope("account_id", 2), id, scope); err != nil {
			return fmt.Errorf("detach peers: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE extensions SET subaccount_id = 0 WHERE subaccount_id = $1 AND `+inScope("account_id", 2), id, scope); err != nil {
			return fmt.Errorf("detach extensions: %w", err)
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM subaccounts WHERE id = $1 AND `+inScope("account_id", 2), id, scope))
	})
}

// Associations returns the resources tied to a subaccount: its peers (the
// other resources arrive with later features).
func (s *Accounts) Associations(ctx context.Context, subaccountID int64) (account.Associations, error) {
	a := account.Associations{Peers: []int64{}, DIDs: []int64{}, Extensions: []int64{}, Mailboxes: []int64{}}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id FROM peers WHERE subaccount_id = $1 ORDER BY id`, subaccountID)
	if err != nil {
		return a, fmt.Errorf("associations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return a, fmt.Errorf("associations: %w", err)
		}
		a.Peers = append(a.Peers, id)
	}
	return a, rows.Err()
}

const addressCols = `id, subaccount_id, account_id, type, box_number, civic_number, street, unit_number, city,
	country_id, state_id, state_other, postal_code, precision_note, created_at, updated_at`

func scanAddress(r interface{ Scan(...any) error }) (account.Address, error) {
	var a account.Address
	var created, updated int64
	err := r.Scan(&a.ID, &a.SubaccountID, &a.AccountID, &a.Type, &a.BoxNumber, &a.CivicNumber, &a.Street,
		&a.UnitNumber, &a.City, &a.CountryID, &a.StateID, &a.StateOther, &a.PostalCode, &a.Precision, &created, &updated)
	if err != nil {
		return a, translate(err)
	}
	a.CreatedAt, a.UpdatedAt = FromMicros(created), FromMicros(updated)
	return a, nil
}

func addressArgs(a *account.Address) []any {
	return []any{a.ID, a.SubaccountID, a.AccountID, a.Type, a.BoxNumber, a.CivicNumber, a.Street, a.UnitNumber,
		a.City, a.CountryID, a.StateID, a.StateOther, a.PostalCode, a.Precision, Micros(a.CreatedAt), Micros(a.UpdatedAt)}
}

// CreateAddress inserts a.
func (s *Accounts) CreateAddress(ctx context.Context, a *account.Address) error {
	_, err := s.db.Exec(ctx, `INSERT INTO subaccount_addresses (`+addressCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`, addressArgs(a)...)
	if err != nil {
		return fmt.Errorf("insert address: %w", err)
	}
	return nil
}

// GetAddress returns address id if its account is in scope.
func (s *Accounts) GetAddress(ctx context.Context, scope, id int64) (account.Address, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+addressCols+` FROM subaccount_addresses WHERE id = $1 AND `+inScope("account_id", 2), id, scope)
	a, err := scanAddress(row)
	if problem.Is(err, problem.NotFound) {
		return a, problem.NotFoundf("no such address")
	}
	return a, err
}

// ListAddresses lists a subaccount's addresses in scope.
func (s *Accounts) ListAddresses(ctx context.Context, scope, subaccountID int64) ([]account.Address, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+addressCols+` FROM subaccount_addresses
		WHERE subaccount_id = $1 AND `+inScope("account_id", 2)+` ORDER BY id`, subaccountID, scope)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	defer rows.Close()
	out := []account.Address{}
	for rows.Next() {
		a, err := scanAddress(rows)
		if err != nil {
			return nil, fmt.Errorf("list addresses: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateAddress writes the mutable fields of a.
func (s *Accounts) UpdateAddress(ctx context.Context, a *account.Address) error {
	return affected(s.db.Exec(ctx, `UPDATE subaccount_addresses SET type=$4, box_number=$5, civic_number=$6,
		street=$7, unit_number=$8, city=$9, country_id=$10, state_id=$11, state_other=$12, postal_code=$13,
		precision_note=$14, updated_at=$15 WHERE id=$1 AND subaccount_id=$2 AND account_id=$3`,
		a.ID, a.SubaccountID, a.AccountID, a.Type, a.BoxNumber, a.CivicNumber, a.Street, a.UnitNumber,
		a.City, a.CountryID, a.StateID, a.StateOther, a.PostalCode, a.Precision, Micros(a.UpdatedAt)))
}

// DeleteAddress deletes address id in scope.
func (s *Accounts) DeleteAddress(ctx context.Context, scope, id int64) error {
	return affected(s.db.Exec(ctx, `DELETE FROM subaccount_addresses WHERE id = $1 AND `+inScope("account_id", 2), id, scope))
}
