package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// list runs a paged collection query: base is "FROM ... WHERE <scope>" using
// args as $1..$n; p is compiled against spec and appended.
func list[T any](ctx context.Context, q Querier, cols, base string, args []any, spec *query.Spec, p query.Params, scan func(*sql.Rows) (T, error)) ([]T, int, error) {
	c, err := spec.Compile(p, len(args))
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			field := qe.Param
			if qe.Field != "" {
				field = qe.Param + "." + qe.Field
			}
			return nil, 0, &problem.Error{Code: problem.Invalid, Field: field, Message: qe.Msg, Err: err}
		}
		return nil, 0, problem.Wrap(err, "bad query")
	}
	where := base
	all := append(append([]any{}, args...), c.Args...)
	if c.Where != "" {
		where += " AND (" + c.Where + ")"
	}
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) "+where, all...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count: %w", translate(err))
	}
	stmt := fmt.Sprintf("SELECT %s %s ORDER BY %s LIMIT %d OFFSET %d", cols, where, c.OrderBy, c.Limit, c.Offset)
	rows, err := q.QueryContext(ctx, stmt, all...)
	if err != nil {
		return nil, 0, fmt.Errorf("list: %w", translate(err))
	}
	defer rows.Close()
	items := []T{}
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list scan: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list rows: %w", err)
	}
	return items, total, nil
}

// inScope is the SQL condition "column's account is in the subtree of $n".
func inScope(column string, n int) string {
	return fmt.Sprintf("%s IN (SELECT descendant_id FROM account_tree WHERE ancestor_id = $%d)", column, n)
}

// affected turns a zero-row update or delete into NotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return problem.NotFoundf("not found")
	}
	return nil
}
