package rating_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/internal/rating"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string // want "" means ErrPhoneNumberInvalid
	}{
		{"+44 20 7946 0958", "442079460958"},
		{"0044 20 7946 0958", "442079460958"},
		{"011 44 20 7946 0958", "442079460958"},
		{"+1 (212) 555-0100", "12125550100"},
		// NANP, 10 digits: first 2-9, fourth 2-9 → leading 1.
		{"(212) 555-0100", "12125550100"},
		{"212.555.0100", "12125550100"},
		{"9995550100", "19995550100"},
		// Fourth digit 0 or 1 is no NANP exchange: left alone.
		{"2121550100", "2121550100"},
		{"2120550100", "2120550100"},
		// First digit 0 or 1: not NANP either.
		{"1212555010", "1212555010"},
		// 11 digits starting with 1 are already E.164 NANP.
		{"12125550100", "12125550100"},
		{"1-212-555-0100", "12125550100"},
		// After an international prefix the digits are a country code:
		// +354 555 1234 is Iceland, 10 digits that look NANP-shaped.
		{"+3545551234", "3545551234"},
		{"003545551234", "3545551234"},
		{"0113545551234", "3545551234"},
		// Only one international prefix is dropped.
		{"+0044 1234", "00441234"},
		{"011", ""},
		{"00", ""},
		{"+", ""},
		{"", ""},
		{" ( ) - . ", ""},
		// "+" only leads; formatting may precede it.
		{"(+44) 1234", "441234"},
		{"44+1234", ""},
		{"++44", ""},
		{"+44 +1234", ""},
		// Letters, other separators and non-ASCII digits are rejected.
		{"1-800-FLOWERS", ""},
		{"44_1234", ""},
		{"44/1234", ""},
		{"44\t1234", ""},
		{"٤٤١٢٣٤", ""},
		{"4412\x0034", ""},
		// Length: 32 digits pass, 33 fail, counted after the prefix.
		{strings.Repeat("7", 32), strings.Repeat("7", 32)},
		{strings.Repeat("7", 33), ""},
		{"+" + strings.Repeat("7", 32), strings.Repeat("7", 32)},
		{"011" + strings.Repeat("7", 32), strings.Repeat("7", 32)},
		{"011" + strings.Repeat("7", 33), ""},
		{strings.Repeat("7", 1000), ""},
		{"0", "0"},
		{"7", "7"},
	}
	for _, tt := range tests {
		got, err := rating.Normalize(tt.in)
		if tt.want == "" {
			if !errors.Is(err, rating.ErrPhoneNumberInvalid) {
				t.Errorf("Normalize(%q) = %q, %v; want ErrPhoneNumberInvalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		var buf [rating.MaxDigits]byte
		n, err := rating.NormalizeInto(&buf, tt.in)
		if err != nil || string(buf[:n]) != tt.want {
			t.Errorf("NormalizeInto(%q) = %q, %v; want %q", tt.in, buf[:n], err, tt.want)
		}
	}
}

func TestNormalizeDoesNotAllocate(t *testing.T) {
	// Normalize returns a plain destination's digits as a substring.
	for _, in := range []string{"+12125550100", "00442079460958", "0113545551234", "12125550100"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = rating.Normalize(in) }); n != 0 {
			t.Errorf("Normalize(%q) allocates %v times", in, n)
		}
	}
}

func TestNormalizeIntoDoesNotAllocate(t *testing.T) {
	var buf [rating.MaxDigits]byte
	for _, in := range []string{"+1 (212) 555-0100", "not a number"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = rating.NormalizeInto(&buf, in) }); n != 0 {
			t.Errorf("NormalizeInto(%q) allocates %v times", in, n)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"+44 20 7946 0958", "(212) 555-0100", "0113545551234", "00", "+", "",
		"1-800-FLOWERS", strings.Repeat("9", 35), "+0044", "٤٤", "(+1).2-3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := rating.Normalize(s)
		var buf [rating.MaxDigits]byte
		n, ierr := rating.NormalizeInto(&buf, s)
		if (err == nil) != (ierr == nil) || (err == nil && got != string(buf[:n])) {
			t.Fatalf("Normalize(%q) = %q, %v but NormalizeInto gives %q, %v", s, got, err, buf[:n], ierr)
		}
		if err != nil {
			if !errors.Is(err, rating.ErrPhoneNumberInvalid) {
				t.Fatalf("Normalize(%q) error %v does not wrap ErrPhoneNumberInvalid", s, err)
			}
			return
		}
		if len(got) == 0 || len(got) > rating.MaxDigits {
			t.Fatalf("Normalize(%q) = %q: %d digits", s, got, len(got))
		}
		for i := 0; i < len(got); i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("Normalize(%q) = %q: not all digits", s, got)
			}
		}
		// The result is E.164: written with "+" it normalizes to itself.
		if again, err := rating.Normalize("+" + got); err != nil || again != got {
			t.Fatalf("Normalize(+%s) = %q, %v", got, again, err)
		}
	})
}
