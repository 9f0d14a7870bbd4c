//go:build !linux

package rating

// hugeSlice is nil off Linux: the caller uses make.
func hugeSlice[T any](owner *Deck, n int) []T { return nil }
