package geo_test

import (
	"testing"

	"switchboard/internal/geo"
)

func TestValidPostalCode(t *testing.T) {
	const (
		us, ca, gb, fr, de, jp, je, im = 223, 38, 222, 73, 81, 107, 245, 244
	)
	tests := []struct {
		country int
		code    string
		want    bool
	}{
		// United States: ZIP or ZIP+4.
		{us, "12345", true},
		{us, "12345-6789", true},
		{us, " 90210 ", true},
		{us, "1234", false},
		{us, "123456", false},
		{us, "12345-678", false},
		{us, "12345 6789", false},
		{us, "123456789", false},
		{us, "ABCDE", false},
		{us, "", false},

		// Canada: A1A 1A1, space optional, any case.
		{ca, "H2X 1Y4", true},
		{ca, "h2x1y4", true},
		{ca, "K1A 0B1", true},
		{ca, "V6B 4Y8", true},
		{ca, "X0A 0H0", true},
		{ca, "T2P 2W5", true}, // W and Z are fine after the first position
		{ca, "A1A 1Z1", true},
		{ca, "W1A 1A1", false}, // W never first
		{ca, "Z1A 1A1", false}, // Z never first
		{ca, "D1A 1A1", false}, // D F I O Q U never used
		{ca, "H2X 1O4", false},
		{ca, "H2U 1Y4", false},
		{ca, "H2X 1Y", false},
		{ca, "H2X  1Y4", false},
		{ca, "H2X-1Y4", false},
		{ca, "12345", false},
		{ca, "", false},

		// United Kingdom and Crown Dependencies.
		{gb, "SW1A 1AA", true},
		{gb, "sw1a1aa", true},
		{gb, "EC1A 1BB", true},
		{gb, "W1A 0AX", true},
		{gb, "M1 1AE", true},
		{gb, "B33 8TH", true},
		{gb, "CR2 6XH", true},
		{gb, "DN55 1PT", true},
		{gb, "GIR 0AA", true},
		{je, "JE2 3AB", true},
		{im, "IM1 1AD", true},
		{gb, "Q1 1AA", false},
		{gb, "SW1A 1AAA", false},
		{gb, "SW1A", false},
		{gb, "12345", false},
		{gb, "SW1A 1CA", false}, // C never in the inward code
		{je, "12345", false},

		// Elsewhere: 2 to 10 letters, digits, spaces or hyphens.
		{fr, "75008", true},
		{de, "10115", true},
		{jp, "100-0001", true},
		{fr, "AB", true},
		{fr, "1234567890", true},
		{fr, "1", false},
		{fr, "12345678901", false},
		{fr, "75008!", false},
		{fr, "-7500", false},
		{fr, "", false},
		{fr, "   ", false},

		// Unknown countries never validate.
		{0, "12345", false},
		{74, "75008", false},
	}
	var ref geo.Reference
	for _, tt := range tests {
		if got := geo.ValidPostalCode(tt.country, tt.code); got != tt.want {
			t.Errorf("ValidPostalCode(%d, %q) = %v, want %v", tt.country, tt.code, got, tt.want)
		}
		if got := ref.ValidPostalCode(tt.country, tt.code); got != tt.want {
			t.Errorf("Reference.ValidPostalCode(%d, %q) = %v, want %v", tt.country, tt.code, got, tt.want)
		}
	}
}

func TestNormalizePostalCode(t *testing.T) {
	tests := []struct {
		country int
		code    string
		want    string
		ok      bool
	}{
		{223, " 12345-6789 ", "12345-6789", true},
		{38, "h2x1y4", "H2X 1Y4", true},
		{38, "H2X 1Y4", "H2X 1Y4", true},
		{222, "sw1a1aa", "SW1A 1AA", true},
		{222, "m1 1ae", "M1 1AE", true},
		{73, " 75008 ", "75008", true},
		{107, "100-0001", "100-0001", true},
		{38, "W1A 1A1", "", false},
		{223, "1234", "", false},
		{222, "Q1 1AA", "", false},
		{73, "75008!", "", false},
		{0, "12345", "", false},
	}
	for _, tt := range tests {
		got, ok := geo.NormalizePostalCode(tt.country, tt.code)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePostalCode(%d, %q) = %q, %v; want %q, %v", tt.country, tt.code, got, ok, tt.want, tt.ok)
		}
	}
}
