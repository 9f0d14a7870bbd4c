// Package invoicetest reads back the text of invoice PDFs for tests, with
// an independent PDF reader, so that a test checks what a PDF viewer
// would show rather than what the renderer meant to draw.
package invoicetest

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
)

// Text returns the text of every page, one line per text row, failing the
// test when b is not a PDF the reader can open.
func Text(tb testing.TB, b []byte) string {
	tb.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("open pdf: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		rows, err := p.GetTextByRow()
		if err != nil {
			tb.Fatalf("pdf page %d: %v", i, err)
		}
		for _, row := range rows {
			for j, w := range row.Content {
				if j > 0 {
					out.WriteByte(' ')
				}
				out.WriteString(w.S)
			}
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// Value returns the amount (5 decimals) that follows the first
// occurrence of label in text, "" when there is none.
func Value(text, label string) string {
	m := regexp.MustCompile(regexp.QuoteMeta(label) + ` (-?[0-9]+\.[0-9]{5})\b`).FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}
