package param_test

import (
	"errors"
	"mime/multipart"
	"net/url"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/api/param"
	"switchboard/internal/problem"
)

// fieldErr asserts that err is a *problem.Error of code Invalid naming
// field with message msg.
func fieldErr(t *testing.T, err error, field, msg string) {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *problem.Error", err, err)
	}
	if pe.Code != problem.Invalid || pe.Field != field || pe.Message != msg {
		t.Fatalf("got %+v, want Invalid %s %q", pe, field, msg)
	}
}

func TestValue(t *testing.T) {
	p := url.Values{"a": {"  x ", "y"}, "b": {" "}, "b[]": {" z "}, "c[]": {"w"}, "d": {""}}
	for name, want := range map[string]string{"a": "x", "b": "z", "c": "w", "d": "", "e": ""} {
		if got := param.Value(p, name); got != want {
			t.Errorf("Value(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestInt(t *testing.T) {
	if n, err := param.Int("n", "", 25); n != 25 || err != nil {
		t.Fatalf("absent: %d %v", n, err)
	}
	if n, err := param.Int("n", "-42", 25); n != -42 || err != nil {
		t.Fatalf("-42: %d %v", n, err)
	}
	for _, v := range []string{"1.5", "abc", "99999999999999999999", "0x10"} {
		_, err := param.Int("n", v, 0)
		fieldErr(t, err, "n", "must be an integer")
	}
}

func TestBool(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "TRUE": true, "Yes": true, "0": false, "false": false, "NO": false} {
		if got, err := param.Bool("b", v, !want); got != want || err != nil {
			t.Errorf("Bool(%q) = %v %v", v, got, err)
		}
	}
	if got, err := param.Bool("b", "", true); !got || err != nil {
		t.Fatalf("absent: %v %v", got, err)
	}
	_, err := param.Bool("b", "2", false)
	fieldErr(t, err, "b", `must be "1" or "0"`)
}

func TestDate(t *testing.T) {
	d, ok, err := param.Date("from", "2015-04-29", "bad date")
	if !ok || err != nil || !d.Equal(time.Date(2015, 4, 29, 0, 0, 0, 0, time.UTC)) || d.Location() != time.UTC {
		t.Fatalf("valid: %v %v %v", d, ok, err)
	}
	if _, ok, err := param.Date("from", "", "bad date"); ok || err != nil {
		t.Fatalf("absent: %v %v", ok, err)
	}
	for _, v := range []string{"2015-4-29", "2015-02-30", "29/04/2015", "2015-04-29 00:00:00"} {
		_, ok, err := param.Date("from", v, "bad date")
		if ok {
			t.Fatalf("%q accepted", v)
		}
		fieldErr(t, err, "from", "bad date")
	}
}

func TestDateTime(t *testing.T) {
	layouts := []string{time.DateTime, time.RFC3339}
	want := time.Date(2015, 4, 29, 10, 0, 0, 0, time.UTC)
	for _, v := range []string{"2015-04-29 10:00:00", "2015-04-29T12:00:00+02:00"} {
		got, ok, err := param.DateTime("at", v, "bad", layouts...)
		if !ok || err != nil || got != want {
			t.Fatalf("%q: %v %v %v", v, got, ok, err)
		}
	}
	if _, ok, err := param.DateTime("at", "", "bad", layouts...); ok || err != nil {
		t.Fatalf("absent: %v %v", ok, err)
	}
	_, ok, err := param.DateTime("at", "2015-04-29", "bad %d", layouts...)
	if ok {
		t.Fatal("date-only accepted without its layout")
	}
	fieldErr(t, err, "at", "bad %d") // the message is not a format
}

func TestList(t *testing.T) {
	p := url.Values{"n": {"1, 2", " ,3"}, "n[]": {"4"}, "n[1]": {"6"}, "n[0]": {"5,"}, "empty": {" , "}}
	if got, want := param.List(p, "n", "n[]", "n[0]", "n[1]"), []string{"1", "2", "3", "4", "5", "6"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	if got := param.List(p, "empty"); got != nil {
		t.Fatalf("blank list = %q", got)
	}
	if got := param.List(p, "absent"); got != nil {
		t.Fatalf("absent list = %q", got)
	}
}

func TestIntList(t *testing.T) {
	if got, err := param.IntList("ids", nil); got != nil || err != nil {
		t.Fatalf("absent: %v %v", got, err)
	}
	if got, err := param.IntList("ids", []string{}); got == nil || len(got) != 0 || err != nil {
		t.Fatalf("empty: %#v %v", got, err)
	}
	if got, err := param.IntList("ids", []string{"3", "-1"}); !reflect.DeepEqual(got, []int64{3, -1}) || err != nil {
		t.Fatalf("valid: %v %v", got, err)
	}
	_, err := param.IntList("ids", []string{"3", "x"})
	fieldErr(t, err, "ids", "must be a list of integers")
}

func TestFile(t *testing.T) {
	a, b := &multipart.FileHeader{Filename: "a"}, &multipart.FileHeader{Filename: "b"}
	files := map[string][]*multipart.FileHeader{"doc[]": {a, b}, "none": {}}
	if fh, ok := param.File(files, "doc"); !ok || fh != a {
		t.Fatalf("doc[]: %v %v", fh, ok)
	}
	files["doc"] = []*multipart.FileHeader{b}
	if fh, ok := param.File(files, "doc"); !ok || fh != b {
		t.Fatalf("doc: %v %v", fh, ok)
	}
	if _, ok := param.File(files, "none"); ok {
		t.Fatal("empty part list found")
	}
	if _, ok := param.File(nil, "doc"); ok {
		t.Fatal("nil files found")
	}
}
