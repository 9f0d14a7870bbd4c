package id

import (
	"encoding/hex"
	"fmt"
)

// The UUID rendering is an RFC 9562 version-8 UUID whose 128 bits are,
// from the most significant:
//
//	48 bits  id bits 63..16
//	 4 bits  version, 0b1000
//	12 bits  id bits 15..4
//	 2 bits  variant, 0b10
//	 4 bits  id bits 3..0
//	58 bits  uuidTag
//
// The id fills the leading bits so that the UUIDs sort in id order, which
// keeps them time-ordered for any consumer that indexes them. uuidTag, an
// arbitrary constant, lets DecodeUUID tell our UUIDs from anyone else's:
// a random foreign v8 UUID passes with odds of 1 in 2^58.
const (
	uuidTag     = 0x2bc66faa122b53f
	uuidTagMask = 1<<58 - 1
	uuidVersion = 0x8
	uuidVariant = 0b10
)

// EncodeUUID renders id for dialects that want UUIDs, as a lowercase
// 8-4-4-4-12 version-8 UUID. Ids are never negative; a negative argument
// yields a UUID that DecodeUUID rejects.
func EncodeUUID(id int64) string {
	u := uint64(id)
	hi := u>>16<<16 | uuidVersion<<12 | u>>4&0xfff
	lo := uint64(uuidVariant)<<62 | u&0xf<<58 | uuidTag

	var b [16]byte
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// DecodeUUID reverses EncodeUUID. It accepts upper or lower case hex but
// only the plain 8-4-4-4-12 form (no braces, no "urn:uuid:" prefix), and
// rejects any UUID that EncodeUUID could not have produced.
func DecodeUUID(s string) (int64, error) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return 0, fmt.Errorf("id: %s is not an 8-4-4-4-12 UUID: %w", quote(s), ErrInvalid)
	}
	var hi, lo uint64
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		v, ok := hexValue(s[i])
		if !ok {
			return 0, fmt.Errorf("id: %s is not an 8-4-4-4-12 UUID: %w", quote(s), ErrInvalid)
		}
		// Shift the 128-bit value left by one nibble.
		hi = hi<<4 | lo>>60
		lo = lo<<4 | uint64(v)
	}
	if hi>>12&0xf != uuidVersion || lo>>62 != uuidVariant || lo&uuidTagMask != uuidTag {
		return 0, fmt.Errorf("id: UUID %s was not issued by Switchboard: %w", quote(s), ErrInvalid)
	}
	u := hi>>16<<16 | hi&0xfff<<4 | lo>>58&0xf
	if int64(u) < 0 {
		return 0, fmt.Errorf("id: UUID %s holds a negative id: %w", quote(s), ErrInvalid)
	}
	return int64(u), nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
