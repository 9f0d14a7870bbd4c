package ledger

import (
	"strings"
	"unicode/utf8"

	"switchboard/internal/problem"
)

// checkText refuses text a store cannot keep as it is (NUL characters,
// invalid UTF-8) or longer than max bytes.
func checkText(field, v string, max int) error {
	if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
		return problem.Field(field, "must be valid UTF-8 text without NUL characters")
	}
	if len(v) > max {
		return problem.Field(field, "must be at most %d bytes", max)
	}
	return nil
}
