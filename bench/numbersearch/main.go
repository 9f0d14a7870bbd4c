// Command numbersearch measures number searches on SQLite: it fills a
// fresh database with n synthetic North American numbers (area codes of
// every state, patterns computed as on import) and times the searches the
// dialects run, printing p50 and p99 per kind.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"switchboard/internal/geo"
	"switchboard/internal/number"
	"switchboard/internal/store"
)

type seq struct{ n int64 }

func (s *seq) Next() int64 { s.n++; return s.n }

func main() {
	n := flag.Int("n", 5_000_000, "numbers in inventory")
	searches := flag.Int("searches", 1000, "searches of each kind")
	dir := flag.String("data", "", "data directory (default: a temporary one, removed); a directory already filled by an earlier run is searched as it is")
	flag.Parse()
	ctx := context.Background()
	if *dir == "" {
		d, err := os.MkdirTemp("", "numbersearch")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	db, err := store.Open(ctx, "", *dir)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, nil); err != nil {
		log.Fatal(err)
	}
	ns := store.NewNumbers(db)
	type area struct {
		npa   string
		state geo.State
	}
	var areas []area
	seen := map[string]bool{}
	for _, cid := range []int{geo.UnitedStatesID, geo.CanadaID} {
		for _, st := range geo.States(cid) {
			for _, npa := range geo.AreaCodes(st.ID) {
				if !seen[npa] { // an NPA shared by several states once
					seen[npa] = true
					areas = append(areas, area{npa, st})
				}
			}
		}
	}
	tollFree := []string{"800", "833", "844", "855", "866", "877", "888"}
	rng := rand.New(rand.NewPCG(1, 2))
	ids := &seq{}
	start := time.Now()
	now := time.Now().UTC()
	const chunk = 100_000
	made := 0
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM numbers`).Scan(&made); err != nil {
		log.Fatal(err)
	}
	if made > 0 {
		*n = made
	}
	for made < *n {
		batch := make([]number.Number, 0, chunk)
		for len(batch) < chunk && made < *n {
			a := areas[made%len(areas)]
			nxx := 200 + (made/len(areas))%800
			line := (made / (len(areas) * 800)) % 10000
			nat := fmt.Sprintf("%s%03d%04d", a.npa, nxx, line)
			typ := number.Local
			if made%100 == 0 {
				k := made / 100
				nat = fmt.Sprintf("%s%07d", tollFree[k%len(tollFree)], 2_000_000+k/len(tollFree))
				typ = number.TollFree
			}
			x := number.Number{ID: ids.Next(), E164: "+1" + nat, National: nat, Type: typ, Country: "US", CountryID: a.state.CountryID,
				NPA: nat[:3], NXX: nat[3:6], RateCenter: fmt.Sprintf("RC%s%03d", a.npa, nxx%40), City: fmt.Sprintf("City %s %d", a.state.Code, nxx%40),
				SMS: made%3 == 0, T38: made%2 == 0, Setup: 50000, Monthly: 100000, Patterns: number.PatternsOf(nat),
				Status: number.Available, CreatedAt: now, UpdatedAt: now}
			if typ == number.Local {
				x.State, x.StateID = a.state.Code, a.state.ID
			}
			x.Shuffle()
			batch = append(batch, x)
			made++
		}
		if err := ns.InsertNumbers(ctx, batch); err != nil {
			log.Fatalf("insert: %v", err)
		}
	}
	fmt.Printf("loaded %d numbers in %.1f s\n", made, time.Since(start).Seconds())
	pick := func() area { return areas[rng.IntN(len(areas))] }
	kinds := []struct {
		name string
		q    func() number.Search
	}{
		{"searchdid state", func() number.Search { return number.Search{State: pick().state.Code, Limit: 500} }},
		{"searchdid NPANXX", func() number.Search {
			return number.Search{NPA: pick().npa, NXX: fmt.Sprint(200 + rng.IntN(800)), Limit: 500}
		}},
		{"searchdid NPANXXYYYY", func() number.Search {
			return number.Search{National: fmt.Sprintf("%s%03d%04d", pick().npa, 200+rng.IntN(800), rng.IntN(10000)), Limit: 500}
		}},
		{"searchtfn", func() number.Search {
			return number.Search{Type: number.TollFree, NPA: tollFree[rng.IntN(len(tollFree))], Limit: 500}
		}},
		{"get_new_dids state_id + patterns", func() number.Search {
			return number.Search{StateID: pick().state.ID, Patterns: []string{number.PatternTriple, number.PatternRare}, Limit: 100}
		}},
		{"get_new_dids npa + sms + t38", func() number.Search { return number.Search{NPA: pick().npa, SMS: true, T38: true, Limit: 100} }},
		{"get_new_dids ratecenter", func() number.Search {
			a := pick()
			return number.Search{RateCenter: fmt.Sprintf("RC%s%03d", a.npa, rng.IntN(40)), Limit: 100}
		}},
		{"get_new_dids order=random", func() number.Search { return number.Search{StateID: pick().state.ID, Random: true, Limit: 100} }},
	}
	for _, k := range kinds {
		lat := make([]time.Duration, 0, *searches)
		found := 0
		for i := 0; i < *searches; i++ {
			q := k.q()
			t := time.Now()
			res, err := ns.SearchNumbers(ctx, q)
			lat = append(lat, time.Since(t))
			if err != nil {
				log.Fatalf("%s: %v", k.name, err)
			}
			found += len(res)
		}
		slices.Sort(lat)
		fmt.Printf("%-34s p50 %7.2f ms  p99 %7.2f ms  (%d searches, %.0f numbers each)\n", k.name,
			ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), len(lat), float64(found)/float64(len(lat)))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
