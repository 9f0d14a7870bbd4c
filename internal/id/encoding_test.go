package id_test

import (
	"errors"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"

	"switchboard/internal/id"
)

var edgeIDs = []int64{0, 1, 9, 10, 4095, 4096, 1 << 22, 700551909773148160, math.MaxInt64 - 1, math.MaxInt64}

func TestNativeExample(t *testing.T) {
	if got := id.EncodeNative(700551909773148160); got != "NzAwNTUxOTA5NzczMTQ4MTYw" {
		t.Errorf("EncodeNative = %q", got)
	}
	if got, err := id.DecodeNative("NzAwNTUxOTA5NzczMTQ4MTYw"); err != nil || got != 700551909773148160 {
		t.Errorf("DecodeNative = %d, %v", got, err)
	}
}

func TestNativeRoundTrip(t *testing.T) {
	for _, v := range edgeIDs {
		s := id.EncodeNative(v)
		got, err := id.DecodeNative(s)
		if err != nil || got != v {
			t.Errorf("DecodeNative(EncodeNative(%d) = %q) = %d, %v", v, s, got, err)
		}
	}
}

func TestDecodeNativeRejects(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"not base64", "!!!!"},
		{"url-safe alphabet", "-_-_"},
		{"unpadded", "MTI"}, // "12" without its padding
		{"padding bits set", "MTJ="},
		{"newline inside", "MT\nI="},
		{"trailing newline", "MTI=\n"},
		{"space", " MTI="},
		{"leading zero", b64("012")},
		{"lone zeros", b64("00")},
		{"minus", b64("-12")},
		{"plus", b64("+12")},
		{"letters", b64("12a")},
		{"decimal point", b64("1.0")},
		{"overflow", b64("9223372036854775808")},
		{"huge", b64(strings.Repeat("9", 100))},
		{"raw decimal", "12"},
	}
	for _, tt := range tests {
		got, err := id.DecodeNative(tt.in)
		if !errors.Is(err, id.ErrInvalid) {
			t.Errorf("%s: DecodeNative(%q) = %d, %v; want ErrInvalid", tt.name, tt.in, got, err)
		}
	}
}

func TestUUIDShape(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, v := range edgeIDs {
		s := id.EncodeUUID(v)
		if !shape.MatchString(s) {
			t.Errorf("EncodeUUID(%d) = %q is not a lowercase v8 RFC 9562 UUID", v, s)
		}
	}
}

func TestUUIDRoundTrip(t *testing.T) {
	for _, v := range edgeIDs {
		s := id.EncodeUUID(v)
		for _, in := range []string{s, strings.ToUpper(s)} {
			got, err := id.DecodeUUID(in)
			if err != nil || got != v {
				t.Errorf("DecodeUUID(%q) = %d, %v; want %d", in, got, err, v)
			}
		}
	}
}

func TestUUIDDistinctAndOrdered(t *testing.T) {
	// Every bit of the id must reach the UUID, and in order of significance.
	var ids []int64
	for bit := range 63 {
		ids = append(ids, 1<<bit)
	}
	seen := map[string]int64{}
	var uuids []string
	for _, v := range ids {
		s := id.EncodeUUID(v)
		if prev, dup := seen[s]; dup {
			t.Fatalf("ids %d and %d share UUID %s", prev, v, s)
		}
		seen[s] = v
		uuids = append(uuids, s)
	}
	if !sort.StringsAreSorted(uuids) {
		t.Errorf("UUIDs of increasing ids are not in increasing order: %v", uuids)
	}
}

func TestDecodeUUIDRejects(t *testing.T) {
	good := id.EncodeUUID(700551909773148160)
	flip := func(i int, c byte) string {
		b := []byte(good)
		b[i] = c
		return string(b)
	}
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"no hyphens", strings.ReplaceAll(good, "-", "")},
		{"braces", "{" + good + "}"},
		{"urn", "urn:uuid:" + good},
		{"short", good[:35]},
		{"non-hex", flip(0, 'g')},
		{"hyphen moved", good[:7] + "-" + good[7:8] + good[9:]},
		{"version 4", flip(14, '4')},
		{"variant 11", flip(19, 'c')},
		{"variant 0", flip(19, '0')},
		{"tag changed", flip(35, next(good[35]))},
		{"tag changed high", flip(20, next(good[20]))},
		{"random v4", "f47ac10b-58cc-4372-a567-0e02b2c3d479"},
		{"nil uuid", "00000000-0000-0000-0000-000000000000"},
		{"max uuid", "ffffffff-ffff-ffff-ffff-ffffffffffff"},
		{"negative id", id.EncodeUUID(-1)},
		{"plus sign", "+" + good[1:]},
	}
	for _, tt := range tests {
		got, err := id.DecodeUUID(tt.in)
		if !errors.Is(err, id.ErrInvalid) {
			t.Errorf("%s: DecodeUUID(%q) = %d, %v; want ErrInvalid", tt.name, tt.in, got, err)
		}
	}
}

// next returns a different hex digit.
func next(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}
