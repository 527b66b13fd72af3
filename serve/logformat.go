package serve

import (
	"io"
	"log/slog"
)

// LogFormat is the format of the server log, the value of --log-format.
type LogFormat string

// The log formats.
const (
	// LogFormatText writes logfmt-style key=value lines (slog.TextHandler).
	// It is the default.
	LogFormatText LogFormat = "text"
	// LogFormatJSON writes one JSON object per line (slog.JSONHandler),
	// for log collectors.
	LogFormatJSON LogFormat = "json"
)

// ParseLogFormat validates a --log-format value. An empty value is
// LogFormatText.
func ParseLogFormat(s string) (LogFormat, error) {
	switch LogFormat(s) {
	case "", LogFormatText:
		return LogFormatText, nil
	case LogFormatJSON:
		return LogFormatJSON, nil
	}
	return "", &ConfigError{Flag: "--log-format", Value: s, Reason: "unknown log format", Fix: "use text or json"}
}

// NewLogger returns a logger that writes records at level Info and above
// to w in format.
func NewLogger(w io.Writer, format LogFormat) *slog.Logger {
	if format == LogFormatJSON {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
