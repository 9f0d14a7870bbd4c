package geo

import (
	"slices"
	"strings"
	"sync"
)

// areaCodesByState lists the geographic NANP area codes (NPAs) in service in
// 2025, overlays included, keyed by the USPS or Canada Post two-letter code of
// the state, district, territory or province they serve. The United States
// entries are listed first, then Canada.
//
// "In service" means the code's in-service date had passed by the end of
// 2025, even where no number has been assigned from it yet (an overlay
// waits for its parent code to run out: 624 over 716, 686 over 804). Codes
// only approved or set aside then (483 over 334 in Alabama, from 2026) are
// left out until their date: add a code to its state when it goes live.
//
// Non-geographic codes (5XX personal communications, 600 and 622 Canadian
// non-geographic, 700, 8YY toll-free, 900, and so on) belong to no state and
// are not listed. Neither are the N11 service codes, codes reserved or only
// planned, nor codes of the other NANP countries (the Caribbean nations).
// The USPS codes outside the NANP (FM, MH and PW, which have country codes
// of their own, and the armed forces codes AA, AE and AP) have no entry.
//
// Three NPAs serve more than one state: 782 and 902 (Nova Scotia and Prince
// Edward Island) and 867 (Yukon, Northwest Territories and Nunavut). They
// are listed under each of the states they serve.
var areaCodesByState = map[int]map[string][]string{
	UnitedStatesID: {
		"AK": {"907"},
		"AL": {"205", "251", "256", "334", "659", "938"},
		"AR": {"327", "479", "501", "870"},
		"AS": {"684"},
		"AZ": {"480", "520", "602", "623", "928"},
		"CA": {"209", "213", "279", "310", "323", "341", "350", "357", "369", "408", "415", "424", "442", "510", "530", "559", "562", "619", "626", "628", "650", "657", "661", "669", "707", "714", "738", "747", "760", "805", "818", "820", "831", "840", "858", "909", "916", "925", "949", "951"},
		"CO": {"303", "719", "720", "748", "970", "983"},
		"CT": {"203", "475", "860", "959"},
		"DC": {"202", "771"},
		"DE": {"302"},
		"FL": {"239", "305", "321", "324", "352", "386", "407", "448", "561", "645", "656", "689", "727", "728", "754", "772", "786", "813", "850", "863", "904", "941", "954"},
		"GA": {"229", "404", "470", "478", "678", "706", "762", "770", "912", "943"},
		"GU": {"671"},
		"HI": {"808"},
		"IA": {"319", "515", "563", "641", "712"},
		"ID": {"208", "986"},
		"IL": {"217", "224", "309", "312", "331", "447", "464", "618", "630", "708", "730", "773", "779", "815", "847", "861", "872"},
		"IN": {"219", "260", "317", "463", "574", "765", "812", "930"},
		"KS": {"316", "620", "785", "913"},
		"KY": {"270", "364", "502", "606", "859"},
		"LA": {"225", "318", "337", "457", "504", "985"},
		"MA": {"339", "351", "413", "508", "617", "774", "781", "857", "978"},
		"MD": {"227", "240", "301", "410", "443", "667"},
		"ME": {"207"},
		"MI": {"231", "248", "269", "313", "517", "586", "616", "679", "734", "810", "906", "947", "989"},
		"MN": {"218", "320", "507", "612", "651", "763", "924", "952"},
		"MO": {"235", "314", "417", "557", "573", "636", "660", "816", "975"},
		"MP": {"670"},
		"MS": {"228", "601", "662", "769"},
		"MT": {"406"},
		"NC": {"252", "336", "472", "704", "743", "828", "910", "919", "980", "984"},
		"ND": {"701"},
		"NE": {"308", "402", "531"},
		"NH": {"603"},
		"NJ": {"201", "551", "609", "640", "732", "848", "856", "862", "908", "973"},
		"NM": {"505", "575"},
		"NV": {"702", "725", "775"},
		"NY": {"212", "315", "329", "332", "347", "363", "516", "518", "585", "607", "624", "631", "646", "680", "716", "718", "838", "845", "914", "917", "929", "934"},
		"OH": {"216", "220", "234", "283", "326", "330", "380", "419", "436", "440", "513", "567", "614", "740", "937"},
		"OK": {"405", "539", "572", "580", "918"},
		"OR": {"458", "503", "541", "971"},
		"PA": {"215", "223", "267", "272", "412", "445", "484", "570", "582", "610", "717", "724", "814", "835", "878"},
		"PR": {"787", "939"},
		"RI": {"401"},
		"SC": {"803", "821", "839", "843", "854", "864"},
		"SD": {"605"},
		"TN": {"423", "615", "629", "729", "731", "865", "901", "931"},
		"TX": {"210", "214", "254", "281", "325", "346", "361", "409", "430", "432", "469", "512", "682", "713", "726", "737", "806", "817", "830", "832", "903", "915", "936", "940", "945", "956", "972", "979"},
		"UT": {"385", "435", "801"},
		"VA": {"276", "434", "540", "571", "686", "703", "757", "804", "826", "948"},
		"VI": {"340"},
		"VT": {"802"},
		"WA": {"206", "253", "360", "425", "509", "564"},
		"WI": {"262", "274", "353", "414", "534", "608", "715", "920"},
		"WV": {"304", "681"},
		"WY": {"307"},
	},
	CanadaID: {
		"AB": {"368", "403", "587", "780", "825"},
		"BC": {"236", "250", "257", "604", "672", "778"},
		"MB": {"204", "431", "584"},
		"NB": {"428", "506"},
		"NL": {"709", "879"},
		"NS": {"782", "902"},
		"NT": {"867"},
		"NU": {"867"},
		"ON": {"226", "249", "289", "343", "365", "382", "416", "437", "519", "548", "613", "647", "683", "705", "742", "753", "807", "905", "942"},
		"PE": {"782", "902"},
		"QC": {"263", "354", "367", "418", "438", "450", "468", "514", "579", "581", "819", "873"},
		"SK": {"306", "474", "639"},
		"YT": {"867"},
	},
}

// areaIndex is built on first use rather than in an init function, because
// it resolves the codes through StateByCode, whose maps geo.go fills in its
// own init.
type areaIndex struct {
	byState map[int][]string // state_id -> sorted NPAs
	owner   map[string]int   // NPA -> state_id, for NPAs of a single state
	shared  map[string][]int // NPA -> sorted state_ids, for shared NPAs
}

var areaCodeIndex = sync.OnceValue(func() areaIndex {
	idx := areaIndex{
		byState: map[int][]string{},
		owner:   map[string]int{},
		shared:  map[string][]int{},
	}
	for countryID, byCode := range areaCodesByState {
		for code, npas := range byCode {
			s, ok := StateByCode(countryID, code)
			if !ok || s.Code != code || s.CountryID != countryID {
				panic("geo: area codes listed for unknown state " + code)
			}
			list := slices.Clone(npas)
			slices.Sort(list)
			if len(slices.Compact(slices.Clone(list))) != len(list) {
				panic("geo: area code listed twice for " + code)
			}
			idx.byState[s.ID] = list
			for _, npa := range list {
				idx.shared[npa] = append(idx.shared[npa], s.ID)
			}
		}
	}
	for npa, ids := range idx.shared {
		if len(ids) == 1 {
			idx.owner[npa] = ids[0]
			delete(idx.shared, npa)
			continue
		}
		slices.Sort(ids)
	}
	return idx
})

// AreaCodes returns the NANP area codes (NPAs, 3 digits) in service in a US
// state/territory or Canadian province/territory, sorted; nil for other
// states. The geographic codes in service in 2025 are listed, overlays
// included; non-geographic codes (toll-free 8YY, 900, 5XX, 600...) belong to
// no state. An NPA shared by several states (782 and 902: Nova Scotia and
// Prince Edward Island; 867: Yukon, Northwest Territories and Nunavut) is
// listed for each of them. The slice is a copy.
func AreaCodes(stateID int) []string {
	return slices.Clone(areaCodeIndex().byState[stateID])
}

// StateOfAreaCode returns the state an NPA belongs to. Surrounding spaces
// are ignored. It is false for a string that is not a geographic NPA in
// service (toll-free 800, for one), and for the NPAs shared by several
// states (782, 867 and 902), whose state the area code alone cannot tell.
func StateOfAreaCode(npa string) (State, bool) {
	id, ok := areaCodeIndex().owner[strings.TrimSpace(npa)]
	if !ok {
		return State{}, false
	}
	return StateByID(id)
}
