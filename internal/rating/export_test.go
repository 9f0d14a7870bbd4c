package rating

// NewDeckK exposes newDeck so that small test decks can exercise every
// direct-index width, including the widest, which NewDeck only picks for a
// million rates.
var NewDeckK = newDeck

// MatcherBytes is the memory the matcher itself uses, excluding the copied
// rates, for the benchmarks' bytes-per-prefix report.
func MatcherBytes(d *Deck) int {
	return cap(d.short)*4 + cap(d.table)*32 + cap(d.ents)*24
}
