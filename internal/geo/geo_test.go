package geo_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/geo"
)

// geography mirrors account.Geography (not imported, to keep geo's tests
// independent of the account package): Reference must satisfy it.
type geography interface {
	CountryExists(id int) bool
	HasStates(countryID int) bool
	StateInCountry(stateID, countryID int) bool
	ValidPostalCode(countryID int, code string) bool
}

var _ geography = geo.Reference{}

// countryPins freezes every published country_id. Clients store these ids:
// a change here is a breaking change. Add new countries at the end only.
const countryPins = `
	1:AF 2:AL 3:DZ 4:AS 5:AD 6:AO 7:AI 8:AQ 9:AG 10:AR 11:AM 12:AW 13:AU 14:AT
	15:AZ 16:BS 17:BH 18:BD 19:BB 20:BY 21:BE 22:BZ 23:BJ 24:BM 25:BT 26:BO
	27:BA 28:BW 29:BV 30:BR 31:IO 32:BN 33:BG 34:BF 35:BI 36:KH 37:CM 38:CA
	39:CV 40:KY 41:CF 42:TD 43:CL 44:CN 45:CX 46:CC 47:CO 48:KM 49:CG 50:CK
	51:CR 52:CI 53:HR 54:CU 55:CY 56:CZ 57:DK 58:DJ 59:DM 60:DO 61:TL 62:EC
	63:EG 64:SV 65:GQ 66:ER 67:EE 68:ET 69:FK 70:FO 71:FJ 72:FI 73:FR 75:GF
	76:PF 77:TF 78:GA 79:GM 80:GE 81:DE 82:GH 83:GI 84:GR 85:GL 86:GD 87:GP
	88:GU 89:GT 90:GN 91:GW 92:GY 93:HT 94:HM 95:HN 96:HK 97:HU 98:IS 99:IN
	100:ID 101:IR 102:IQ 103:IE 104:IL 105:IT 106:JM 107:JP 108:JO 109:KZ
	110:KE 111:KI 112:KP 113:KR 114:KW 115:KG 116:LA 117:LV 118:LB 119:LS
	120:LR 121:LY 122:LI 123:LT 124:LU 125:MO 126:MK 127:MG 128:MW 129:MY
	130:MV 131:ML 132:MT 133:MH 134:MQ 135:MR 136:MU 137:YT 138:MX 139:FM
	140:MD 141:MC 142:MN 143:MS 144:MA 145:MZ 146:MM 147:NA 148:NR 149:NP
	150:NL 151:BQ 152:NC 153:NZ 154:NI 155:NE 156:NG 157:NU 158:NF 159:MP
	160:NO 161:OM 162:PK 163:PW 164:PA 165:PG 166:PY 167:PE 168:PH 169:PN
	170:PL 171:PT 172:PR 173:QA 174:RE 175:RO 176:RU 177:RW 178:KN 179:LC
	180:VC 181:WS 182:SM 183:ST 184:SA 185:SN 186:SC 187:SL 188:SG 189:SK
	190:SI 191:SB 192:SO 193:ZA 194:GS 195:ES 196:LK 197:SH 198:PM 199:SD
	200:SR 201:SJ 202:SZ 203:SE 204:CH 205:SY 206:TW 207:TJ 208:TZ 209:TH
	210:TG 211:TK 212:TO 213:TT 214:TN 215:TR 216:TM 217:TC 218:TV 219:UG
	220:UA 221:AE 222:GB 223:US 224:UM 225:UY 226:UZ 227:VU 228:VA 229:VE
	230:VN 231:VG 232:VI 233:WF 234:EH 235:YE 236:RS 237:CD 238:ZM 239:ZW
	240:AX 241:PS 242:ME 243:GG 244:IM 245:JE 246:SS 247:CW 248:SX 249:BL
	250:MF`

// statePins freezes every published state_id ("id:country:code").
const statePins = `
	1:223:AL 2:223:AK 3:223:AS 4:223:AZ 5:223:AR 7:223:AA 9:223:AE 11:223:AP
	12:223:CA 13:223:CO 14:223:CT 15:223:DE 16:223:DC 17:223:FM 18:223:FL
	19:223:GA 20:223:GU 21:223:HI 22:223:ID 23:223:IL 24:223:IN 25:223:IA
	26:223:KS 27:223:KY 28:223:LA 29:223:ME 30:223:MH 31:223:MD 32:223:MA
	33:223:MI 34:223:MN 35:223:MS 36:223:MO 37:223:MT 38:223:NE 39:223:NV
	40:223:NH 41:223:NJ 42:223:NM 43:223:NY 44:223:NC 45:223:ND 46:223:MP
	47:223:OH 48:223:OK 49:223:OR 50:223:PW 51:223:PA 52:223:PR 53:223:RI
	54:223:SC 55:223:SD 56:223:TN 57:223:TX 58:223:UT 59:223:VT 60:223:VI
	61:223:VA 62:223:WA 63:223:WV 64:223:WI 65:223:WY
	66:38:AB 67:38:BC 68:38:MB 69:38:NL 70:38:NB 71:38:NS 72:38:NT 73:38:NU
	74:38:ON 75:38:PE 76:38:QC 77:38:SK 78:38:YT`

// Ids retired forever: they must never come back with another meaning.
var (
	retiredCountries = []int{74}
	retiredStates    = []int{6, 8, 10}
)

func TestCountryPins(t *testing.T) {
	pinned := map[int]bool{}
	for _, f := range strings.Fields(countryPins) {
		id, code, _ := strings.Cut(f, ":")
		n, _ := strconv.Atoi(id)
		pinned[n] = true
		c, ok := geo.CountryByID(n)
		if !ok || c.Alpha2 != code {
			t.Errorf("country %d = %+v, %v; want %s", n, c, ok, code)
		}
	}
	for _, c := range geo.Countries() {
		if !pinned[c.ID] {
			t.Errorf("country %d %s is not pinned in countryPins", c.ID, c.Alpha2)
		}
	}
	for _, id := range retiredCountries {
		if c, ok := geo.CountryByID(id); ok {
			t.Errorf("retired country_id %d is used by %s", id, c.Name)
		}
	}
}

func TestStatePins(t *testing.T) {
	pinned := map[int]bool{}
	for _, f := range strings.Fields(statePins) {
		p := strings.Split(f, ":")
		id, _ := strconv.Atoi(p[0])
		country, _ := strconv.Atoi(p[1])
		pinned[id] = true
		s, ok := geo.StateByID(id)
		if !ok || s.CountryID != country || s.Code != p[2] {
			t.Errorf("state %d = %+v, %v; want %d %s", id, s, ok, country, p[2])
		}
	}
	for _, id := range []int{geo.UnitedStatesID, geo.CanadaID} {
		for _, s := range geo.States(id) {
			if !pinned[s.ID] {
				t.Errorf("state %d %s is not pinned in statePins", s.ID, s.Code)
			}
		}
	}
	for _, id := range retiredStates {
		if s, ok := geo.StateByID(id); ok {
			t.Errorf("retired state_id %d is used by %s", id, s.Name)
		}
	}
}

func TestWellKnownIDs(t *testing.T) {
	tests := []struct {
		id             int
		alpha2, alpha3 string
		name, nameFR   string
		dial           string
	}{
		{38, "CA", "CAN", "Canada", "Canada", "1"},
		{223, "US", "USA", "United States", "États-Unis", "1"},
		{222, "GB", "GBR", "United Kingdom", "Royaume-Uni", "44"},
		{73, "FR", "FRA", "France", "France", "33"},
		{81, "DE", "DEU", "Germany", "Allemagne", "49"},
		{138, "MX", "MEX", "Mexico", "Mexique", "52"},
		{4, "AS", "ASM", "American Samoa", "Samoa américaines", "1"},
		{243, "GG", "GGY", "Guernsey", "Guernesey", "44"},
	}
	for _, tt := range tests {
		c, ok := geo.CountryByID(tt.id)
		want := geo.Country{ID: tt.id, Alpha2: tt.alpha2, Alpha3: tt.alpha3, Name: tt.name, NameFR: tt.nameFR, DialCode: tt.dial}
		if !ok || c != want {
			t.Errorf("CountryByID(%d) = %+v, %v; want %+v", tt.id, c, ok, want)
		}
	}
	if geo.CanadaID != 38 || geo.UnitedStatesID != 223 {
		t.Errorf("CanadaID, UnitedStatesID = %d, %d", geo.CanadaID, geo.UnitedStatesID)
	}
}

func TestCountriesWellFormed(t *testing.T) {
	all := geo.Countries()
	if len(all) < 240 {
		t.Fatalf("%d countries, want at least 240", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b geo.Country) int { return a.ID - b.ID }) {
		t.Error("Countries() is not sorted by ID")
	}
	alpha2 := regexp.MustCompile(`^[A-Z]{2}$`)
	alpha3 := regexp.MustCompile(`^[A-Z]{3}$`)
	dial := regexp.MustCompile(`^[1-9][0-9]{0,3}$`)
	ids, a2s, a3s := map[int]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range all {
		if c.ID <= 0 || ids[c.ID] {
			t.Errorf("bad or duplicate id %d", c.ID)
		}
		if !alpha2.MatchString(c.Alpha2) || a2s[c.Alpha2] {
			t.Errorf("%d: bad or duplicate alpha-2 %q", c.ID, c.Alpha2)
		}
		if !alpha3.MatchString(c.Alpha3) || a3s[c.Alpha3] {
			t.Errorf("%d: bad or duplicate alpha-3 %q", c.ID, c.Alpha3)
		}
		if c.Name == "" || c.NameFR == "" || strings.TrimSpace(c.Name) != c.Name {
			t.Errorf("%d: bad names %q / %q", c.ID, c.Name, c.NameFR)
		}
		if !dial.MatchString(c.DialCode) {
			t.Errorf("%d %s: bad dial code %q", c.ID, c.Alpha2, c.DialCode)
		}
		ids[c.ID], a2s[c.Alpha2], a3s[c.Alpha3] = true, true, true
		got, ok := geo.CountryByID(c.ID)
		if !ok || got != c {
			t.Errorf("CountryByID(%d) = %+v, %v", c.ID, got, ok)
		}
		got, ok = geo.CountryByAlpha2(strings.ToLower(c.Alpha2))
		if !ok || got != c {
			t.Errorf("CountryByAlpha2(%q) = %+v, %v", strings.ToLower(c.Alpha2), got, ok)
		}
	}
}

func TestCountriesIsACopy(t *testing.T) {
	all := geo.Countries()
	all[0].Name = "changed"
	if c, _ := geo.CountryByID(all[0].ID); c.Name == "changed" {
		t.Error("Countries() exposes the package's data")
	}
}

func TestLookupMisses(t *testing.T) {
	for _, id := range []int{0, -1, 74, 251, 1000} {
		if c, ok := geo.CountryByID(id); ok {
			t.Errorf("CountryByID(%d) = %+v", id, c)
		}
	}
	for _, code := range []string{"", "X", "XX", "USA", "FX", "YU", "ZR", "AN", "UK"} {
		if c, ok := geo.CountryByAlpha2(code); ok {
			t.Errorf("CountryByAlpha2(%q) = %+v", code, c)
		}
	}
	for _, id := range []int{0, -1, 6, 79} {
		if s, ok := geo.StateByID(id); ok {
			t.Errorf("StateByID(%d) = %+v", id, s)
		}
	}
}

func TestCountryByAlpha2(t *testing.T) {
	tests := []struct {
		code string
		id   int
	}{
		{"CA", 38}, {"ca", 38}, {" Ca ", 38}, {"US", 223}, {"us", 223}, {"GB", 222},
		{"RS", 236}, {"CD", 237}, {"TL", 61}, {"BQ", 151}, {"MF", 250},
	}
	for _, tt := range tests {
		c, ok := geo.CountryByAlpha2(tt.code)
		if !ok || c.ID != tt.id {
			t.Errorf("CountryByAlpha2(%q) = %d, %v; want %d", tt.code, c.ID, ok, tt.id)
		}
	}
}

func TestStates(t *testing.T) {
	usStates := strings.Fields(`AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD
		MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC`)
	if len(usStates) != 51 {
		t.Fatalf("test table has %d US codes", len(usStates))
	}
	usTerritories := strings.Fields(`PR GU VI AS MP`)
	canada := strings.Fields(`AB BC MB NB NL NS NT NU ON PE QC SK YT`)
	tests := []struct {
		country int
		codes   []string
		min     int
	}{
		{geo.UnitedStatesID, usStates, 51},
		{geo.UnitedStatesID, usTerritories, 51},
		{geo.CanadaID, canada, 13},
	}
	for _, tt := range tests {
		list := geo.States(tt.country)
		if len(list) < tt.min {
			t.Errorf("country %d: %d states, want at least %d", tt.country, len(list), tt.min)
		}
		for _, code := range tt.codes {
			if _, ok := geo.StateByCode(tt.country, code); !ok {
				t.Errorf("country %d: no state %s", tt.country, code)
			}
		}
	}
	if n := len(geo.States(geo.CanadaID)); n != 13 {
		t.Errorf("Canada has %d provinces and territories, want 13", n)
	}
	for _, id := range []int{0, 222, 73, 138, 999} {
		if list := geo.States(id); len(list) != 0 {
			t.Errorf("States(%d) = %d states, want none", id, len(list))
		}
	}
}

func TestStatesWellFormed(t *testing.T) {
	var ref geo.Reference
	code := regexp.MustCompile(`^[A-Z]{2}$`)
	ids := map[int]bool{}
	for _, country := range []int{geo.UnitedStatesID, geo.CanadaID} {
		list := geo.States(country)
		if !slices.IsSortedFunc(list, func(a, b geo.State) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("States(%d) is not sorted by name", country)
		}
		for _, s := range list {
			if s.ID <= 0 || ids[s.ID] {
				t.Errorf("bad or duplicate state id %d", s.ID)
			}
			ids[s.ID] = true
			if s.CountryID != country || !ref.CountryExists(s.CountryID) || !ref.HasStates(s.CountryID) {
				t.Errorf("state %d: country %d does not exist or has no states", s.ID, s.CountryID)
			}
			if !code.MatchString(s.Code) || s.Name == "" || s.NameFR == "" {
				t.Errorf("state %d: bad code or names %+v", s.ID, s)
			}
			if got, ok := geo.StateByID(s.ID); !ok || got != s {
				t.Errorf("StateByID(%d) = %+v, %v", s.ID, got, ok)
			}
			for _, c := range []string{s.Code, strings.ToLower(s.Code)} {
				if got, ok := geo.StateByCode(s.CountryID, c); !ok || got != s {
					t.Errorf("StateByCode(%d, %q) = %+v, %v; want %+v", s.CountryID, c, got, ok, s)
				}
			}
			if !ref.StateInCountry(s.ID, s.CountryID) {
				t.Errorf("StateInCountry(%d, %d) = false", s.ID, s.CountryID)
			}
		}
	}
}

func TestStateByCode(t *testing.T) {
	tests := []struct {
		country int
		code    string
		id      int
		ok      bool
	}{
		{223, "NY", 43, true},
		{223, "ny", 43, true},
		{38, "QC", 76, true},
		{38, "PQ", 76, true}, // former code of Quebec
		{38, "NF", 69, true}, // former code of Newfoundland
		{38, "yk", 78, true}, // unofficial code of Yukon
		{38, "NY", 0, false},
		{223, "QC", 0, false},
		{223, "PQ", 0, false},
		{223, "AF", 0, false}, // withdrawn USPS code
		{222, "CA", 0, false},
		{0, "CA", 0, false},
		{223, "", 0, false},
	}
	for _, tt := range tests {
		s, ok := geo.StateByCode(tt.country, tt.code)
		if ok != tt.ok || s.ID != tt.id {
			t.Errorf("StateByCode(%d, %q) = %d, %v; want %d, %v", tt.country, tt.code, s.ID, ok, tt.id, tt.ok)
		}
	}
	if s, _ := geo.StateByCode(38, "QC"); s.Name != "Quebec" || s.NameFR != "Québec" {
		t.Errorf("Quebec = %+v", s)
	}
}

func TestReference(t *testing.T) {
	var ref geo.Reference
	exists := []struct {
		id   int
		want bool
	}{{38, true}, {223, true}, {1, true}, {250, true}, {0, false}, {74, false}, {-5, false}, {251, false}}
	for _, tt := range exists {
		if got := ref.CountryExists(tt.id); got != tt.want {
			t.Errorf("CountryExists(%d) = %v", tt.id, got)
		}
	}
	for _, c := range geo.Countries() {
		want := c.ID == 38 || c.ID == 223
		if got := ref.HasStates(c.ID); got != want {
			t.Errorf("HasStates(%d %s) = %v", c.ID, c.Alpha2, got)
		}
	}
	inCountry := []struct {
		state, country int
		want           bool
	}{
		{76, 38, true}, {43, 223, true}, {76, 223, false}, {43, 38, false},
		{0, 223, false}, {6, 223, false}, {999, 38, false}, {43, 0, false},
	}
	for _, tt := range inCountry {
		if got := ref.StateInCountry(tt.state, tt.country); got != tt.want {
			t.Errorf("StateInCountry(%d, %d) = %v", tt.state, tt.country, got)
		}
	}
}
