package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

const (
	// lingerTimeout and lingerMaxBytes bound how long and how much
	// lingerClose reads after a failed handshake.
	lingerTimeout  = time.Second
	lingerMaxBytes = 64 << 10
	// tailSize is how many of the last bytes read handshakeConn keeps. An
	// alert record is 7 bytes.
	tailSize = 16
)

// listenerConfig configures a handshakeListener.
type listenerConfig struct {
	tls *tls.Config
	// timeout bounds each handshake, from Accept to the client's Finished.
	timeout time.Duration
	// maxHandshakes is the number of handshakes that may compute at once.
	maxHandshakes int
	// onHandshake is called once per handshake, failed or not.
	onHandshake func(conn *tls.Conn, err error)
	log         *slog.Logger
}

// handshakeListener accepts TCP connections and completes each TLS
// handshake in its own goroutine before Accept returns the connection.
// This way every handshake, failed or not, is reported exactly once to
// onHandshake with the remote address and the precise error, and a slow
// client never holds up the others. http.Server then finds the handshake
// done and only reads the connection state.
type handshakeListener struct {
	tcp   net.Listener
	cfg   listenerConfig
	slots handshakeSlots

	ready  chan *tls.Conn
	failed chan error // a non-temporary Accept error of tcp
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	wg     sync.WaitGroup
}

func newHandshakeListener(tcp net.Listener, cfg listenerConfig) *handshakeListener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &handshakeListener{
		tcp:    tcp,
		cfg:    cfg,
		slots:  make(handshakeSlots, max(cfg.maxHandshakes, 1)),
		ready:  make(chan *tls.Conn),
		failed: make(chan error, 1),
		ctx:    ctx,
		cancel: cancel,
	}
	l.wg.Add(1)
	go l.acceptLoop()
	return l
}

func (l *handshakeListener) acceptLoop() {
	defer l.wg.Done()
	var delay time.Duration
	for {
		conn, err := l.tcp.Accept()
		if err != nil {
			if l.ctx.Err() != nil {
				return
			}
			// Retry temporary errors such as EMFILE with a growing pause,
			// as http.Server does.
			if isTemporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				l.cfg.log.Warn("accept failed, retrying",
					slog.String("error", err.Error()), slog.Duration("delay", delay))
				select {
				case <-time.After(delay):
					continue
				case <-l.ctx.Done():
					return
				}
			}
			l.failed <- err
			return
		}
		delay = 0
		l.wg.Add(1)
		go l.handshake(conn)
	}
}

// isTemporary reports whether an Accept error may go away by itself, such
// as running out of file descriptors.
func isTemporary(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var temp interface{ Temporary() bool }
	return errors.As(err, &temp) && temp.Temporary()
}

func (l *handshakeListener) handshake(raw net.Conn) {
	defer l.wg.Done()
	ctx, cancel := context.WithTimeout(l.ctx, l.cfg.timeout)
	wrapped := &handshakeConn{Conn: raw, ctx: ctx, slots: l.slots, handshaking: true}
	conn := tls.Server(wrapped, l.cfg.tls)
	err := conn.HandshakeContext(ctx)
	cancel()
	wrapped.finish()

	if err != nil {
		if wrapped.slotTimedOut {
			err = &busyError{slots: cap(l.slots), Err: err}
		}
		if desc, ok := plaintextAlert(wrapped.tail); ok && strings.Contains(err.Error(), "bad record MAC") {
			err = &plaintextAlertError{Alert: tls.AlertError(desc), Err: err}
		}
		wrapped.tail = nil
		l.cfg.onHandshake(conn, err)
		answerPlainHTTP(err)
		l.lingerClose(raw)
		return
	}
	wrapped.tail = nil
	l.cfg.onHandshake(conn, nil)
	select {
	case l.ready <- conn:
	case <-l.ctx.Done():
		conn.Close()
	}
}

// lingerClose closes a connection whose handshake failed. It first shuts
// down the sending side and drains what the client still sends for up to
// lingerTimeout. Closing with unread input would make the kernel send a
// TCP reset, and a client that is still writing, such as curl in TLS 1.3,
// would then report "broken pipe" instead of the alert the server sent.
func (l *handshakeListener) lingerClose(raw net.Conn) {
	defer raw.Close()
	tcp, ok := raw.(*net.TCPConn)
	if !ok || l.ctx.Err() != nil {
		return
	}
	if err := tcp.CloseWrite(); err != nil {
		return
	}
	_ = tcp.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, io.LimitReader(tcp, lingerMaxBytes))
}

// handshakeSlots is a counting semaphore that bounds the handshakes that
// compute at the same time.
type handshakeSlots chan struct{}

// handshakeConn is the connection under a server handshake. While
// handshaking is set, it keeps the last bytes read, so that a failed
// handshake can be explained by what the client sent last. It also holds
// a handshake slot only while the handshake computes. It releases the slot
// before each Read and Write, so a handshake that waits for a slow or
// silent client holds none. When the client's bytes arrive, it takes a
// slot again before crypto/tls processes them. Only the handshake's
// goroutine uses the fields until finish.
type handshakeConn struct {
	net.Conn
	ctx          context.Context
	slots        handshakeSlots
	handshaking  bool
	holdsSlot    bool
	slotTimedOut bool // the handshake timed out while it waited for a slot
	tail         []byte
}

// Read reads from the connection, and during the handshake records the
// tail of what it read and waits for a slot before it returns the bytes.
func (c *handshakeConn) Read(p []byte) (int, error) {
	if !c.handshaking {
		return c.Conn.Read(p)
	}
	c.releaseSlot()
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.tail = append(c.tail, p[:n]...)
		if len(c.tail) > tailSize {
			c.tail = append([]byte(nil), c.tail[len(c.tail)-tailSize:]...)
		}
	}
	if err != nil {
		return n, err
	}
	if err := c.acquireSlot(); err != nil {
		return 0, err
	}
	return n, nil
}

// Write releases the handshake slot and writes to the connection.
func (c *handshakeConn) Write(p []byte) (int, error) {
	if c.handshaking {
		c.releaseSlot()
	}
	return c.Conn.Write(p)
}

func (c *handshakeConn) acquireSlot() error {
	select {
	case c.slots <- struct{}{}:
		c.holdsSlot = true
		return nil
	case <-c.ctx.Done():
		c.slotTimedOut = true
		return c.ctx.Err()
	}
}

func (c *handshakeConn) releaseSlot() {
	if c.holdsSlot {
		<-c.slots
		c.holdsSlot = false
	}
}

// finish releases the slot and makes Read and Write plain pass-throughs
// for the HTTP server.
func (c *handshakeConn) finish() {
	c.releaseSlot()
	c.handshaking = false
}

// busyError is a handshake that timed out while it waited for one of the
// server's handshake slots, because other handshakes kept all of them
// busy.
type busyError struct {
	slots int
	Err   error
}

func (e *busyError) Error() string {
	return fmt.Sprintf("handshake waited for one of %d handshake slots until the timeout: %v", e.slots, e.Err)
}

func (e *busyError) Unwrap() error {
	return e.Err
}

// plaintextAlert returns the description of the unencrypted TLS alert
// record that tail ends with, if any. Such a record is content type 21,
// a legacy version 3.x, length 2, then level and description (RFC 8446
// section 5.1 and 6).
func plaintextAlert(tail []byte) (uint8, bool) {
	const recordLen = 7
	if len(tail) < recordLen {
		return 0, false
	}
	r := tail[len(tail)-recordLen:]
	if r[0] != 21 || r[1] != 3 || r[3] != 0 || r[4] != 2 {
		return 0, false
	}
	return r[6], true
}

// plaintextAlertError is a handshake that failed on an unencrypted alert
// from the client. OpenSSL 3.0 clients send the alert unencrypted when
// they reject the server certificate in TLS 1.3, because they switch to
// the handshake keys only after they accept the server's flight. Go then
// fails to decrypt it and reports "bad record MAC".
type plaintextAlertError struct {
	Alert tls.AlertError
	Err   error
}

func (e *plaintextAlertError) Error() string {
	return fmt.Sprintf("client sent unencrypted alert %q: %v", e.Alert.Error(), e.Err)
}

func (e *plaintextAlertError) Unwrap() error {
	return e.Err
}

// answerPlainHTTP sends a 400 response, as http.Server does, when the
// client sent plain HTTP to the TLS port, so that "curl http://" prints a
// reason instead of an empty reply.
func answerPlainHTTP(err error) {
	var recErr tls.RecordHeaderError
	if !errors.As(err, &recErr) || recErr.Conn == nil || !looksLikeHTTP(recErr.RecordHeader) {
		return
	}
	_ = recErr.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = io.WriteString(recErr.Conn,
		"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
}

// looksLikeHTTP reports whether the first five bytes that were read as a
// TLS record header start an HTTP/1 request line.
func looksLikeHTTP(header [5]byte) bool {
	switch string(header[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH":
		return true
	}
	return false
}

// Accept returns the next connection whose handshake succeeded.
func (l *handshakeListener) Accept() (net.Conn, error) {
	select {
	case conn := <-l.ready:
		return conn, nil
	case err := <-l.failed:
		l.failed <- err // keep reporting it to later calls
		return nil, err
	case <-l.ctx.Done():
		return nil, net.ErrClosed
	}
}

// Close stops accepting, ends handshakes in progress and closes the
// connections that no one accepted yet. Connections already returned by
// Accept stay open.
func (l *handshakeListener) Close() error {
	var err error
	l.once.Do(func() {
		l.cancel()
		err = l.tcp.Close()
		l.wg.Wait()
	})
	return err
}

// Addr returns the TCP listener's address.
func (l *handshakeListener) Addr() net.Addr {
	return l.tcp.Addr()
}
