package number_test

import (
	"strings"
	"testing"
	"time"

	"switchboard/internal/number"
	"switchboard/internal/problem"
)

func TestPatternsOf(t *testing.T) {
	for _, c := range []struct {
		digits string
		want   number.Patterns
	}{
		{"2065551234", number.Patterns{Double: true, Triple: true, Rare: true}}, // 555, straight 1234
		{"2062193847", number.Patterns{}},                                       // nothing
		{"2062195577", number.Patterns{Double: true, Pair: true}},               // 55 77
		{"2062115577", number.Patterns{Double: true, Pair: true, Trio: true}},   // 11 55 77
		{"2062197777", number.Patterns{Double: true, Triple: true, Quadruple: true, Rare: true}},
		{"2062193000", number.Patterns{Double: true, Triple: true, Rare: true}}, // round
		{"2062194545", number.Patterns{Rare: true}},                             // ABAB
		{"2062199876", number.Patterns{Double: true, Rare: true}},               // 99, straight down
	} {
		if got := number.PatternsOf(c.digits); got != c.want {
			t.Errorf("PatternsOf(%s) = %+v; want %+v", c.digits, got, c.want)
		}
	}
}

type seq struct{ n int64 }

func (s *seq) Next() int64 { s.n++; return s.n }

func TestBuild(t *testing.T) {
	svc := number.NewService(number.Config{IDs: &seq{}})
	now := time.Now()
	n, err := svc.Build(number.Entry{Number: "(206) 219-0123"}, now)
	if err != nil || n.E164 != "+12062190123" || n.Type != number.Local || n.State != "WA" || n.StateID == 0 || n.NPA != "206" || n.NXX != "219" {
		t.Fatalf("build = %+v %v", n, err)
	}
	if n, err := svc.Build(number.Entry{Number: "18005551234"}, now); err != nil || n.Type != number.TollFree || n.State != "" {
		t.Fatalf("toll free = %+v %v", n, err)
	}
	if n, err := svc.Build(number.Entry{Number: "+442071838750"}, now); err != nil || n.Type != number.International || n.Country != "GB" {
		t.Fatalf("international = %+v %v", n, err)
	}
	for _, bad := range []struct {
		e     number.Entry
		field string
	}{
		{number.Entry{Number: "12345"}, "number"},
		{number.Entry{Number: "+1206555012"}, "number"},
		{number.Entry{Number: "2065550123", Type: "tollfree"}, "type"},
		{number.Entry{Number: "18005551234", Type: "local"}, "type"},
		{number.Entry{Number: "2065550123", Type: "mobile"}, "type"},
		{number.Entry{Number: "2065550123", State: "ZZ"}, "state"},
		{number.Entry{Number: "2062190123", State: "OR"}, "state"},
		{number.Entry{Number: "2065550123", NPA: "212"}, "npa"},
		{number.Entry{Number: "2065550123", Setup: -1}, "setup_price"},
	} {
		_, err := svc.Build(bad.e, now)
		if pe := problem.As(err); err == nil || pe.Field != bad.field {
			t.Errorf("Build(%+v) = %v; want an error on %s", bad.e, err, bad.field)
		}
	}
}

func TestReadCSV(t *testing.T) {
	svc := number.NewService(number.Config{IDs: &seq{}})
	head := strings.Join(number.CSVHeader, ",") + "\n"
	ns, err := svc.ParseCSV(strings.NewReader(head + "+12065550123,local,US,WA,206,555,SEATTLE,Seattle,1,0,1,1.5,2\n18005551234,tollfree,US,,,,,,0,0,0,0,0\n"))
	if err != nil || len(ns) != 2 || !ns[0].SMS || ns[0].MMS || !ns[0].T38 || ns[0].Setup != 1_50000 || ns[1].Type != number.TollFree {
		t.Fatalf("read = %+v %v", ns, err)
	}
	_, err = svc.ParseCSV(strings.NewReader(head +
		"+12065550123,local,US,WA,206,555,SEATTLE,Seattle,1,0,1,1.5,2\n" +
		"not a number,local,US,WA,,,,,0,0,0,0,0\n" +
		"+12065550124,local,US,WA,,,,,maybe,0,0,0,0\n" +
		"+12065550123,local,US,WA,,,,,0,0,0,0,0\n" +
		"+12065550125,local\n" +
		"+12065550126,local,US,WA,,,,,0,0,0,1.000001,0\n"))
	ie, ok := err.(*number.ImportError)
	if !ok || len(ie.Lines) != 5 {
		t.Fatalf("bad file = %v; want every one of 5 bad lines", err)
	}
	for i, want := range []struct {
		line  int
		field string
	}{{3, "number"}, {4, "sms"}, {5, "number"}, {6, ""}, {7, "setup_price"}} {
		if ie.Lines[i].Line != want.line || ie.Lines[i].Field != want.field {
			t.Errorf("error %d = %+v; want line %d field %q", i, ie.Lines[i], want.line, want.field)
		}
	}
	if _, err := svc.ParseCSV(strings.NewReader("number,type\n")); err == nil {
		t.Error("a wrong header is accepted")
	}
}

func TestMerge(t *testing.T) {
	old := number.Settings{"usage_type": "default", "forward_number": "5145550100", "options": "enable_forwarding"}
	got, err := number.Merge(old, number.Settings{"peer_timeout": "20"}, true)
	if err != nil || got["forward_number"] != "5145550100" || got["peer_timeout"] != "20" {
		t.Fatalf("preserve = %v %v", got, err)
	}
	if _, err := number.Merge(old, number.Settings{"peer_timeout": "20"}, false); problem.As(err).Field != "usage_type" {
		t.Fatalf("without preserve usage_type is required: %v", err)
	}
	got, err = number.Merge(old, number.Settings{"usage_type": "uri", "bridge_uri": "sip:a@example.com"}, false)
	if err != nil || got["forward_number"] != "" || got["bridge_uri"] == "" {
		t.Fatalf("replace = %v %v", got, err)
	}
	for k, v := range map[string]string{"peer_timeout": "7", "forward_number": "123", "send_dtmf": "12x", "options": "enable_magic",
		"simultaneous_calls_limit": "256", "sms_callback_url": "ftp://x", "nonsense": "1", "callerid_name_rewrite": "ab"} {
		if _, err := number.Merge(old, number.Settings{k: v}, true); problem.As(err).Field != k {
			t.Errorf("%s=%q: %v; want an error on it", k, v, err)
		}
	}
	if _, err := number.Merge(number.Settings{"usage_type": "default"}, number.Settings{"options": "enable_sms_forwarding"}, true); problem.As(err).Field != "sms_forward_number" {
		t.Errorf("an option without its setting: %v", err)
	}
}

func TestDemoEntries(t *testing.T) {
	es := number.DemoEntries(2000, 1)
	if len(es) != 2000 {
		t.Fatalf("%d entries", len(es))
	}
	svc := number.NewService(number.Config{IDs: &seq{}})
	states, tollFree := map[string]bool{}, 0
	for _, e := range es {
		n, err := svc.Build(e, time.Now())
		if err != nil {
			t.Fatalf("demo entry %+v: %v", e, err)
		}
		if n.Type == number.TollFree {
			tollFree++
			continue
		}
		if e.City == "" || n.State != e.State {
			t.Fatalf("demo entry %+v has no city or the wrong state (%s)", e, n.State)
		}
		states[n.State] = true
	}
	if len(states) < 40 || tollFree != 20 {
		t.Errorf("%d states, %d toll-free numbers", len(states), tollFree)
	}
	if again := number.DemoEntries(2000, 1); again[1234] != es[1234] {
		t.Error("the demo is not the same for the same seed")
	}
}
