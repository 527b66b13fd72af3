// Command loadclient opens full mutual TLS handshakes to one server from
// several goroutines for a fixed time and prints how many completed. It
// never resumes a session, so every connection costs the server a full
// handshake. The benchmark scripts in bench/ use it for the parallel
// figure; openssl s_time gives the sequential one.
//
//	loadclient -addr 127.0.0.1:4433 -cert client-crt.pem -key client-key.pem -ca test-ca-crt.pem -c 8 -duration 10s
//
// It prints one line of key=value pairs: handshakes, errors, seconds,
// per_second and the median and 99th percentile handshake latency.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4433", "server address, host:port")
	serverName := flag.String("server-name", "localhost", "server name for SNI and verification")
	certFile := flag.String("cert", "client-crt.pem", "client certificate chain, PEM")
	keyFile := flag.String("key", "client-key.pem", "client private key, PEM")
	caFile := flag.String("ca", "test-ca-crt.pem", "CA that issued the server certificate, PEM")
	concurrency := flag.Int("c", 8, "number of connections in flight at once")
	duration := flag.Duration("duration", 10*time.Second, "how long to open connections")
	request := flag.Bool("request", false, "send GET / and read the response on each connection, which confirms that the server accepted the client certificate")
	flag.Parse()

	config, err := clientConfig(*certFile, *keyFile, *caFile, *serverName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadclient:", err)
		os.Exit(2)
	}
	res := run(*addr, config, *concurrency, *duration, *request)
	fmt.Println(res)
	if res.errors > 0 {
		fmt.Fprintln(os.Stderr, "loadclient: first error:", res.firstErr)
	}
	if res.handshakes == 0 {
		fmt.Fprintln(os.Stderr, "loadclient: no handshake completed; first error:", res.firstErr)
		os.Exit(1)
	}
}

func clientConfig(certFile, keyFile, caFile, serverName string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load client certificate %q and key %q: %w", certFile, keyFile, err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("read CA file %q: no PEM certificate in it", caFile)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      roots,
		ServerName:   serverName,
		NextProtos:   []string{"http/1.1"},
		// X25519 first, as OpenSSL 3.0 clients offer it, so that every
		// server does the same key exchange: Go would otherwise offer the
		// hybrid X25519MLKEM768, which only the Go server accepts. P-256
		// stays in the list because a TLS 1.2 server may only use an
		// ECDSA certificate on a curve the client lists.
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256},
		// No ClientSessionCache: every connection is a full handshake.
	}, nil
}

type result struct {
	handshakes, errors int
	elapsed            time.Duration
	latencies          []time.Duration
	firstErr           error
}

func (r result) String() string {
	slices.Sort(r.latencies)
	return fmt.Sprintf("handshakes=%d errors=%d seconds=%.3f per_second=%.1f p50_ms=%.3f p99_ms=%.3f",
		r.handshakes, r.errors, r.elapsed.Seconds(), float64(r.handshakes)/r.elapsed.Seconds(),
		quantile(r.latencies, 0.50), quantile(r.latencies, 0.99))
}

func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(q*float64(len(sorted)-1))].Microseconds()) / 1000
}

func run(addr string, config *tls.Config, concurrency int, duration time.Duration, request bool) result {
	start := time.Now()
	end := start.Add(duration)
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()

	var mu sync.Mutex
	total := result{}
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine result
			for ctx.Err() == nil && time.Now().Before(end) {
				began := time.Now()
				err := connect(ctx, addr, config, request)
				switch {
				case err == nil:
					mine.handshakes++
					mine.latencies = append(mine.latencies, time.Since(began))
				case ctx.Err() != nil || !time.Now().Before(end):
					// The run ended during this connection, so it does not
					// count. The dial can see the deadline pass a moment
					// before ctx reports it.
				default:
					mine.errors++
					if mine.firstErr == nil {
						mine.firstErr = err
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total.handshakes += mine.handshakes
			total.errors += mine.errors
			total.latencies = append(total.latencies, mine.latencies...)
			if total.firstErr == nil {
				total.firstErr = mine.firstErr
			}
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// connect completes one handshake and, with request, one GET.
func connect(ctx context.Context, addr string, config *tls.Config, request bool) error {
	dialer := &tls.Dialer{Config: config}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if !request {
		return nil
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		return err
	}
	reply := make([]byte, 12)
	if _, err := io.ReadFull(conn, reply); err != nil {
		return fmt.Errorf("read the response: %w", err)
	}
	if string(reply[9:12]) != "200" {
		return errors.New("the server responded " + string(reply))
	}
	_, _ = io.Copy(io.Discard, conn)
	return nil
}
