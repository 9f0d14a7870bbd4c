package invoice

import (
	"fmt"
	"strconv"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"switchboard/internal/money"
)

// Page geometry in points (A4).
const (
	pageMargin = 48.0
	lineHeight = 14.0
	pageBottom = 842.0 - 56.0
)

// Columns of a section's lines: date, description, calls, minutes, amount.
const (
	colDate    = pageMargin
	colDesc    = pageMargin + 70
	colCalls   = 360.0
	colMinutes = 420.0
	colAmount  = 480.0
	amountW    = 595.0 - pageMargin - colAmount
)

// Render draws the invoice as a PDF. The output depends on the invoice
// only (its creation time stands for the document's), so rendering the
// same invoice twice gives the same bytes on every node.
func Render(inv Invoice) ([]byte, error) {
	r := &renderer{inv: inv}
	r.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	r.pdf.SetInfo(gopdf.PdfInfo{Title: "Invoice " + inv.Number, Author: inv.Content.Issuer.Name,
		Creator: "Switchboard", Producer: "Switchboard", CreationDate: inv.CreatedAt})
	if err := r.pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("invoice pdf font: %w", err)
	}
	if err := r.pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("invoice pdf font: %w", err)
	}
	r.page()
	r.header()
	for _, s := range inv.Content.Sections {
		r.section(s)
	}
	r.summary()
	if r.err != nil {
		return nil, fmt.Errorf("invoice pdf: %w", r.err)
	}
	b, err := r.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("invoice pdf: %w", err)
	}
	return b, nil
}

type renderer struct {
	inv   Invoice
	pdf   gopdf.GoPdf
	y     float64
	pages int
	err   error
}

func (r *renderer) page() {
	r.pdf.AddPage()
	r.pages++
	r.y = pageMargin
	if r.pages > 1 {
		r.font("regular", 8)
		r.text(pageMargin, fmt.Sprintf("Invoice %s, page %d", r.inv.Number, r.pages))
		r.y += lineHeight * 1.5
	}
}

// need starts a new page unless n more lines fit.
func (r *renderer) need(n int) {
	if r.y+float64(n)*lineHeight > pageBottom {
		r.page()
	}
}

func (r *renderer) font(name string, size float64) {
	if err := r.pdf.SetFont(name, "", size); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *renderer) text(x float64, s string) {
	r.pdf.SetXY(x, r.y)
	if err := r.pdf.Cell(nil, s); err != nil && r.err == nil {
		r.err = err
	}
}

// right writes s right-aligned in the column [x, x+w).
func (r *renderer) right(x, w float64, s string) {
	r.pdf.SetXY(x, r.y)
	if err := r.pdf.CellWithOption(&gopdf.Rect{W: w, H: lineHeight}, s, gopdf.CellOption{Align: gopdf.Right | gopdf.Top}); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *renderer) rule() {
	r.pdf.SetLineWidth(0.5)
	r.pdf.Line(pageMargin, r.y, 595-pageMargin, r.y)
	r.y += 4
}

func (r *renderer) header() {
	inv, c := r.inv, r.inv.Content
	r.font("bold", 18)
	r.text(pageMargin, "Invoice "+inv.Number)
	r.y += 28
	r.font("bold", 10)
	r.text(pageMargin, "Issued by")
	r.text(300, "Billed to")
	r.y += lineHeight
	r.font("regular", 10)
	r.text(pageMargin, c.Issuer.Name)
	r.text(300, c.Customer.Name)
	r.y += lineHeight
	r.text(pageMargin, "Account "+c.Issuer.Number)
	r.text(300, "Account "+c.Customer.Number)
	r.y += lineHeight * 2
	for _, kv := range [][2]string{
		{"Invoice number", inv.Number},
		{"Invoice date", inv.CreatedAt.UTC().Format("2006-01-02")},
		{"Period", inv.PeriodStart.UTC().Format("2006-01-02") + " to " + inv.PeriodEnd.UTC().Add(-time.Nanosecond).Format("2006-01-02")},
		{"Currency", inv.Currency},
	} {
		r.text(pageMargin, kv[0])
		r.text(pageMargin+110, kv[1])
		r.y += lineHeight
	}
	r.y += lineHeight
	r.font("bold", 10)
	r.text(pageMargin, "Opening balance")
	r.right(colAmount, amountW, amount(inv.Opening))
	r.y += lineHeight * 2
}

func (r *renderer) section(s Section) {
	r.need(4)
	r.font("bold", 12)
	r.text(pageMargin, s.Title)
	r.y += lineHeight * 1.3
	r.font("bold", 8)
	if s.Key == SecCalls {
		r.text(colDate, "Rate type and destination")
		r.right(colCalls, colMinutes-colCalls-8, "Calls")
		r.right(colMinutes, colAmount-colMinutes-8, "Minutes")
	} else {
		r.text(colDate, "Date")
		r.text(colDesc, "Description")
	}
	r.right(colAmount, amountW, "Amount")
	r.y += lineHeight
	r.rule()
	r.font("regular", 9)
	if len(s.Lines) == 0 {
		r.text(colDate, "None")
		r.y += lineHeight
	}
	for _, l := range s.Lines {
		r.need(1)
		if s.Key == SecCalls {
			r.text(colDate, clip(l.Description, 52))
			if l.Calls > 0 || l.Seconds > 0 {
				r.right(colCalls, colMinutes-colCalls-8, strconv.FormatInt(l.Calls, 10))
				r.right(colMinutes, colAmount-colMinutes-8, minutes(l.Seconds))
			}
		} else {
			if !l.Date.IsZero() {
				r.text(colDate, l.Date.UTC().Format("2006-01-02"))
			}
			r.text(colDesc, clip(l.Description, 56))
		}
		r.right(colAmount, amountW, amount(l.Amount))
		r.y += lineHeight
	}
	r.rule()
	r.font("bold", 9)
	r.text(colDesc, "Total "+s.Title)
	r.right(colAmount, amountW, amount(s.Total))
	r.y += lineHeight * 2
}

func (r *renderer) summary() {
	inv := r.inv
	r.need(9)
	r.font("bold", 12)
	r.text(pageMargin, "Summary")
	r.y += lineHeight * 1.3
	r.rule()
	rows := [][2]string{
		{"Charges (subtotal)", amount(inv.Charges)},
		{"Tax (" + inv.TaxRate.Percent() + "%)", amount(inv.Tax)},
		{"Total " + inv.Currency, amount(inv.Total)},
		{"", ""},
		{"Opening balance", amount(inv.Opening)},
		{"Payments and credits", amount(inv.Credits)},
		{"Charges", amount(inv.Charges)},
		{"Closing balance", amount(inv.Closing)},
	}
	for i, row := range rows {
		if i == 2 || i == 7 {
			r.font("bold", 10)
		} else {
			r.font("regular", 10)
		}
		if row[0] != "" {
			r.text(colDesc, row[0])
			r.right(colAmount, amountW, row[1])
		}
		r.y += lineHeight
	}
	r.y += lineHeight
	r.font("regular", 7)
	r.text(pageMargin, "Tax is charged on the period's charges. Balances are those of the account's ledger, before tax.")
}

// amount renders money with every decimal the ledger holds, so the PDF's
// figures add up exactly.
func amount(a money.Amount) string { return a.String() }

// minutes renders billed seconds as minutes and seconds.
func minutes(sec int64) string { return fmt.Sprintf("%d:%02d", sec/60, sec%60) }

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
