package sip_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	sipengine "switchboard/internal/sip"
)

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "switchboard test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestEngineTLSAndClose serves OPTIONS over TLS and checks that Close
// releases every listener.
func TestEngineTLSAndClose(t *testing.T) {
	cert, key := selfSigned(t, t.TempDir())
	before := runtime.NumGoroutine()
	e, _ := newEngine(t, sipengine.Config{Addr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", TLSCert: cert, TLSKey: key, Advertise: "sip.example.net:5080"})
	if err := e.Listen(); err != nil {
		t.Fatal(err)
	}
	e.Start()
	c, err := tls.Dial("tcp", e.TLSAddr(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("dial tls: %v", err)
	}
	defer c.Close()
	msg := "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKtls\r\nFrom: <sip:a@b>;tag=1\r\n" +
		"To: <sip:c@d>\r\nCall-ID: tls1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Fatalf("OPTIONS over TLS: %q %v", line, err)
	}
	udp, tlsAddr := e.Addr(), e.TLSAddr()
	c.Close()
	if err := e.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	var now int
	for range 100 {
		if now = runtime.NumGoroutine(); now <= before {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if now > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before the engine, %d after Close:\n%s", before, now, buf[:runtime.Stack(buf, true)])
	}
	// Every port is free again.
	if l, err := net.ListenPacket("udp", udp); err != nil {
		t.Errorf("udp %s still bound: %v", udp, err)
	} else {
		l.Close()
	}
	for _, a := range []string{udp, tlsAddr} {
		if l, err := net.Listen("tcp", a); err != nil {
			t.Errorf("tcp %s still bound: %v", a, err)
		} else {
			l.Close()
		}
	}
}
