package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// resolve looks up the URL's host. An IP address needs no lookup.
func (p *prober) resolve(ctx context.Context) ([]net.IPAddr, bool) {
	host := p.url.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		p.record(checkDNS, report.StatusSkip, host+" is an IP address, so there is nothing to look up")
		return []net.IPAddr{{IP: ip}}, true
	}

	p.times.dnsStart = now()
	addrs, err := p.opts.Resolver.LookupIPAddr(ctx, host)
	p.times.dnsDone = now()
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	if err != nil {
		if p.canceled(ctx, checkDNS) {
			return nil, false
		}
		p.record(checkDNS, "", "", p.dnsFinding(host, err))
		return nil, false
	}

	names := make([]string, len(addrs))
	for i, a := range addrs {
		names[i] = a.String()
	}
	p.record(checkDNS, report.StatusPass, fmt.Sprintf("%s resolved to %s", hostname.Display(host), strings.Join(names, ", ")))
	return addrs, true
}

func (p *prober) dnsFinding(host string, err error) report.Finding {
	quoted := hostname.Quote(host)
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return report.Newf(report.CodeDNSFailure, fmt.Sprintf("the host name %s does not resolve", quoted),
			"the resolver found no address for %s: %v", quoted, err)
	case isTimeout(err):
		return report.Newf(report.CodeDNSFailure, fmt.Sprintf("the DNS lookup of %s timed out", quoted),
			"no answer from the resolver within --timeout %s: %v", p.opts.Timeout, err).
			WithFix("Check the machine's DNS servers (/etc/resolv.conf) and that they are reachable.")
	}
	return report.Newf(report.CodeDNSFailure, fmt.Sprintf("the DNS lookup of %s failed", quoted), "%v", err)
}

// connect opens a TCP connection to the first address that accepts one.
func (p *prober) connect(ctx context.Context, addrs []net.IPAddr) (net.Conn, bool) {
	var dialer net.Dialer
	_, port, _ := net.SplitHostPort(p.address)

	p.times.connectStart = now()
	var lastErr error
	for _, addr := range addrs {
		conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(addr.String(), port))
		if err == nil {
			p.times.connectDone = now()
			p.record(checkConnect, report.StatusPass, "connected to "+conn.RemoteAddr().String())
			return conn, true
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	p.times.connectDone = now()
	if p.canceled(ctx, checkConnect) {
		return nil, false
	}
	p.record(checkConnect, "", "", p.connectFinding(lastErr))
	return nil, false
}

func (p *prober) connectFinding(err error) report.Finding {
	target := p.address
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return report.Newf(report.CodeConnectionRefused, fmt.Sprintf("%s refused the connection", target),
			"the TCP connection attempt was answered with a reset: nothing listens on that port, or a firewall rejects the connection (%v)", err)
	case isTimeout(err):
		return report.Newf(report.CodeHandshakeTimeout, fmt.Sprintf("the TCP connection to %s timed out", target),
			"no answer to the connection attempt within --timeout %s; a firewall may drop the packets (%v)", p.opts.Timeout, err)
	case errors.Is(err, syscall.ECONNRESET):
		return report.Newf(report.CodeConnectionReset, fmt.Sprintf("%s reset the connection while it was being opened", target), "%v", err)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return report.Newf(report.CodeConnectionRefused, fmt.Sprintf("%s is unreachable", target), "%v", err).
			WithFix("Check the address and the network route to it; the host or its network cannot be reached from here.")
	}
	return report.Newf(report.CodeConnectionRefused, fmt.Sprintf("the connection to %s failed", target), "%v", err).
		WithFix("Check the host and port in the URL and that the server is reachable from this machine.")
}

// isTimeout reports whether err is a timeout of a deadline or a context.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}
