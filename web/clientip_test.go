package web

import (
	"net/http/httptest"
	"testing"
)

// The address a caller is throttled and audited by: a trusted proxy's X-Forwarded-For is read from
// the right, skipping trusted hops; anyone else's header is ignored, so a client cannot choose
// its own address.
func TestClientIP(t *testing.T) {
	proxies, err := parseProxies([]string{"10.0.0.5", "192.168.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseProxies([]string{"proxy.example"}); err == nil {
		t.Error("a host name was taken for a proxy")
	}
	for _, c := range []struct{ peer, xff, want string }{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "1.2.3.4", "203.0.113.9"},                         // not a proxy: the header is ignored
		{"10.0.0.5:443", "198.51.100.7", "198.51.100.7"},                       // one trusted proxy
		{"10.0.0.5:443", "1.2.3.4, 198.51.100.7, 192.168.3.3", "198.51.100.7"}, // spoofed leftmost, two proxies
		{"10.0.0.5:443", "", "10.0.0.5"},
		{"10.0.0.5:443", "garbage", "10.0.0.5"},
		{"[::ffff:10.0.0.5]:443", "198.51.100.8", "198.51.100.8"},
		{"[2001:db8::1]:443", "198.51.100.8", "2001:db8::1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(r, proxies); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}
