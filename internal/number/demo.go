package number

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"switchboard/internal/geo"
	"switchboard/internal/money"
)

// demoPrefixesPerNPA is how many exchanges of each area code the demo
// inventory draws numbers from.
const demoPrefixesPerNPA = 8

// demoTollFree are the toll-free codes the demo stocks, about 1 % of it.
var demoTollFree = []string{"800", "833", "844", "855", "866", "877", "888"}

// DemoEntries returns count realistic North American numbers for a demo
// inventory, the same for the same seed. Their exchanges are the ones the
// phone-number library places in a city ("Seattle, WA") of the area
// code's state, so city and state come from its geocoding data, and every
// number is one the library validates.
func DemoEntries(count int, seed uint64) []Entry {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	type exchange struct{ npa, nxx, city, state, country string }
	var exchanges []exchange
	for _, cid := range []int{geo.UnitedStatesID, geo.CanadaID} {
		country, _ := geo.CountryByID(cid)
		for _, st := range geo.States(cid) {
			for _, npa := range geo.AreaCodes(st.ID) {
				found := 0
				for _, i := range rng.Perm(800) {
					if found == demoPrefixesPerNPA {
						break
					}
					nxx := fmt.Sprint(200 + i)
					if nxx[1:] == "11" || nxx == "555" {
						continue // service codes and fiction
					}
					pn, err := phonenumbers.Parse("+1"+npa+nxx+"4000", "US")
					if err != nil || !phonenumbers.IsValidNumber(pn) {
						continue
					}
					g, _ := phonenumbers.GetGeocodingForNumber(pn, "en")
					city, code, ok := strings.Cut(g, ", ")
					if !ok || code != st.Code {
						continue
					}
					exchanges = append(exchanges, exchange{npa, nxx, city, st.Code, country.Alpha2})
					found++
				}
			}
		}
	}
	if len(exchanges) == 0 || count <= 0 {
		return nil
	}
	// Spread a small inventory over every state rather than the first
	// exchanges found.
	rng.Shuffle(len(exchanges), func(i, j int) { exchanges[i], exchanges[j] = exchanges[j], exchanges[i] })
	tollFree := count / 100
	local := count - tollFree
	out := make([]Entry, 0, count)
	seen := map[string]bool{}
	for i := 0; len(out) < local && i < local*4; i++ {
		ex := exchanges[i%len(exchanges)]
		line := fmt.Sprintf("%04d", rng.IntN(10000))
		nat := ex.npa + ex.nxx + line
		if seen[nat] {
			continue
		}
		seen[nat] = true
		out = append(out, Entry{Number: "+1" + nat, Type: string(Local), Country: ex.country, State: ex.state, City: ex.city,
			RateCenter: strings.ToUpper(ex.city), SMS: rng.IntN(10) < 7, MMS: rng.IntN(10) < 4, T38: rng.IntN(2) == 0,
			Setup: money.Amount(rng.IntN(3)) * 50000, Monthly: 1_00000 + money.Amount(rng.IntN(3))*25000})
	}
	for len(out) < count {
		code := demoTollFree[rng.IntN(len(demoTollFree))]
		nat := fmt.Sprintf("%s%03d%04d", code, 200+rng.IntN(800), rng.IntN(10000))
		if seen[nat] {
			continue
		}
		pn, err := phonenumbers.Parse("+1"+nat, "US")
		if err != nil || phonenumbers.GetNumberType(pn) != phonenumbers.TOLL_FREE {
			continue
		}
		seen[nat] = true
		out = append(out, Entry{Number: "+1" + nat, Type: string(TollFree), Country: "US", SMS: rng.IntN(2) == 0,
			Setup: 2_00000, Monthly: 2_00000})
	}
	return out
}
