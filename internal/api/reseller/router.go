package reseller

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The dialect routes by itself rather than through an http.ServeMux: a
// ServeMux answers an unknown path or a wrong method with a plain-text
// page, and redirects paths it would clean, where this API must answer its
// JSON envelope. The patterns are a subset of the ServeMux's: literal
// segments and whole-segment {name} wildcards.

// segment is one part of a pattern: a literal, or a wildcard when wild
// (its name) is set.
type segment struct {
	literal string
	wild    string
}

// route is one registered method and pattern.
type route struct {
	method  string
	pattern string
	segs    []segment
	h       Handler
}

// methods are the methods a route may be registered for. HEAD is served by
// the GET route of a path.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// parsePattern splits a pattern such as "/call-pack/{uuid}/renew".
func parsePattern(pattern string) ([]segment, error) {
	if !strings.HasPrefix(pattern, "/") {
		return nil, fmt.Errorf("pattern %q does not start with /", pattern)
	}
	if pattern == "/" {
		return nil, nil
	}
	var segs []segment
	seen := map[string]bool{}
	for part := range strings.SplitSeq(pattern[1:], "/") {
		if name, ok := strings.CutPrefix(part, "{"); ok {
			name, ok = strings.CutSuffix(name, "}")
			if !ok || !isIdent(name) || seen[name] {
				return nil, fmt.Errorf("pattern %q: bad or repeated wildcard %q", pattern, part)
			}
			seen[name] = true
			segs = append(segs, segment{wild: name})
			continue
		}
		if part == "" || strings.ContainsAny(part, "{}") {
			return nil, fmt.Errorf("pattern %q: bad segment %q", pattern, part)
		}
		segs = append(segs, segment{literal: part})
	}
	return segs, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// sameShape reports whether a and b match exactly the same paths.
func sameShape(a, b []segment) bool {
	return slices.EqualFunc(a, b, func(x, y segment) bool {
		return (x.wild != "") == (y.wild != "") && x.literal == y.literal
	})
}

// splitPath returns the unescaped segments of an escaped request path
// below the mount point. One trailing slash is ignored. ok is false for a
// path outside the mount point, with a bad escape, or with a "." or ".."
// segment, which no client means literally and a wildcard must not take.
func splitPath(escaped string) (segs []string, ok bool) {
	rest, found := strings.CutPrefix(escaped, mount)
	if !found || (rest != "" && rest[0] != '/') {
		return nil, false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return nil, true
	}
	for part := range strings.SplitSeq(rest[1:], "/") {
		p, err := url.PathUnescape(part)
		if err != nil || p == "." || p == ".." {
			return nil, false
		}
		segs = append(segs, p)
	}
	return segs, true
}

// matches reports whether rt matches the path segments.
func (rt *route) matches(path []string) bool {
	if len(rt.segs) != len(path) {
		return false
	}
	for i, s := range rt.segs {
		if s.wild != "" {
			// Like the ServeMux, a wildcard matches a non-empty segment.
			if path[i] == "" {
				return false
			}
		} else if s.literal != path[i] {
			return false
		}
	}
	return true
}

// moreSpecific reports whether a beats b for a path both match: at the
// first segment where they differ, a literal beats a wildcard.
func moreSpecific(a, b *route) bool {
	for i := range a.segs {
		aw, bw := a.segs[i].wild != "", b.segs[i].wild != ""
		if aw != bw {
			return bw
		}
	}
	return false
}

// match returns the most specific route of method for path, and, when
// there is none, the methods the path does allow (empty for an unknown
// path).
func match(routes []*route, method string, path []string) (best *route, allowed []string) {
	want := method
	if method == http.MethodHead {
		want = http.MethodGet
	}
	for _, rt := range routes {
		if !rt.matches(path) {
			continue
		}
		if rt.method != want {
			if !slices.Contains(allowed, rt.method) {
				allowed = append(allowed, rt.method)
			}
			continue
		}
		if best == nil || moreSpecific(rt, best) {
			best = rt
		}
	}
	if best != nil {
		return best, nil
	}
	if slices.Contains(allowed, http.MethodGet) {
		allowed = append(allowed, http.MethodHead)
	}
	slices.Sort(allowed)
	return nil, allowed
}

// values returns the wildcard values of path matched by rt.
func (rt *route) values(path []string) map[string]string {
	var out map[string]string
	for i, s := range rt.segs {
		if s.wild != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[s.wild] = path[i]
		}
	}
	return out
}
