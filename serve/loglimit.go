package serve

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// failureLogsPerSecond is the number of "TLS handshake failed" records
// the server writes per second. A person testing a webhook by hand never
// reaches it. A flood of port scans or garbage connections does, and then
// the log gets one record per second with the number left out instead of
// one record per connection.
const failureLogsPerSecond = 100

// logLimiter lets through at most perSecond records in each one-second
// window and counts the rest.
type logLimiter struct {
	perSecond int

	mu         sync.Mutex
	window     time.Time // start of the current window
	written    int       // records let through in the current window
	suppressed int       // records held back since the last takeSuppressed
}

// allow reports whether a record may be written at now.
func (l *logLimiter) allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Second {
		l.window, l.written = now, 0
	}
	if l.written < l.perSecond {
		l.written++
		return true
	}
	l.suppressed++
	return false
}

// takeSuppressed returns the number of records held back since the last
// call and resets it.
func (l *logLimiter) takeSuppressed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.suppressed
	l.suppressed = 0
	return n
}

// reportSuppressed logs once per interval how many records limiter held
// back, until ctx is done, and then a last time.
func reportSuppressed(ctx context.Context, log *slog.Logger, limiter *logLimiter, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	flush := func() {
		if n := limiter.takeSuppressed(); n > 0 {
			log.Warn("TLS handshake failures not logged individually",
				slog.Int("count", n), slog.Int("max_per_second", limiter.perSecond))
		}
	}
	for {
		select {
		case <-ticker.C:
			flush()
		case <-ctx.Done():
			flush()
			return
		}
	}
}
