package deckcsv_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"switchboard/internal/deckcsv"
)

// FuzzRead checks that Read never panics, that it either returns rates or a
// *DeckError with real line numbers (or nothing else, for a reader that
// cannot fail), and that whatever it accepts survives Write and Read again.
func FuzzRead(f *testing.F) {
	f.Add([]byte(header + "44,INTERNATIONAL,0,3,60,60,0,0,0.012,0.012,UK\n"))
	f.Add([]byte("\xef\xbb\xbf" + header + "447,,1,2,3,4,0.1,0.2,0.3,0.4,\"a \"\"b\"\"\r\nc\"\r\n"))
	f.Add([]byte(header + "44,LOCAL,0,0,60,60,0,0,0.01,0.01,x\n44,LOCAL,0,0,60,60,0,0,0.01,0.01,x\n"))
	f.Add([]byte(header + "4\"4,LOCAL,0,0,0,60,-1,0,1e3,0.000001\n\n\"x\n"))
	f.Add([]byte(header + "1,MOBILE,2147483647,0,1,2147483647,92233720368547.75807,0,0,0,\"\r\r\n\"\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rates, err := deckcsv.Read(bytes.NewReader(data))
		if err != nil {
			var de *deckcsv.DeckError
			if !errors.As(err, &de) {
				t.Fatalf("Read returned %T %v, want a *DeckError", err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + 1
			for _, r := range de.Rows {
				if r.Line < 1 || r.Line > lines {
					t.Fatalf("error on line %d of a %d-line input: %v", r.Line, lines, r)
				}
			}
			_ = de.Error()
			return
		}
		var buf bytes.Buffer
		if err := deckcsv.Write(&buf, rates); err != nil {
			t.Fatalf("Write of rates Read accepted: %v", err)
		}
		again, err := deckcsv.Read(&buf)
		if err != nil {
			t.Fatalf("Read(Write(rates)): %v\n%q", err, buf.String())
		}
		if !reflect.DeepEqual(again, rates) {
			t.Fatalf("round trip changed the rates\n got %+v\nwant %+v", again, rates)
		}
	})
}
