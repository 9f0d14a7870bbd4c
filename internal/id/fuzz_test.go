package id_test

import (
	"encoding/base64"
	"math"
	"strings"
	"testing"

	"switchboard/internal/id"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func FuzzDecodeNative(f *testing.F) {
	for _, v := range []int64{0, 1, 700551909773148160, math.MaxInt64} {
		f.Add(id.EncodeNative(v))
	}
	for _, s := range []string{"", "MTI", "MTJ=", "MT\nI=", b64("012"), b64("-1"), b64("9223372036854775808")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := id.DecodeNative(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("DecodeNative(%q) = negative %d", s, v)
		}
		if got := id.EncodeNative(v); got != s {
			t.Fatalf("DecodeNative(%q) = %d, which encodes to %q", s, v, got)
		}
	})
}

func FuzzDecodeUUID(f *testing.F) {
	for _, v := range []int64{0, 1, 700551909773148160, math.MaxInt64} {
		f.Add(id.EncodeUUID(v))
		f.Add(strings.ToUpper(id.EncodeUUID(v)))
	}
	f.Add("f47ac10b-58cc-4372-a567-0e02b2c3d479")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := id.DecodeUUID(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("DecodeUUID(%q) = negative %d", s, v)
		}
		if got := id.EncodeUUID(v); got != strings.ToLower(s) {
			t.Fatalf("DecodeUUID(%q) = %d, which encodes to %q", s, v, got)
		}
	})
}

func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add(int64(700551909773148160))
	f.Fuzz(func(t *testing.T, v int64) {
		if v < 0 {
			v = -(v + 1) // map onto the non-negative ids
		}
		if got, err := id.DecodeNative(id.EncodeNative(v)); err != nil || got != v {
			t.Fatalf("native round trip of %d = %d, %v", v, got, err)
		}
		if got, err := id.DecodeUUID(id.EncodeUUID(v)); err != nil || got != v {
			t.Fatalf("UUID round trip of %d = %d, %v", v, got, err)
		}
	})
}
