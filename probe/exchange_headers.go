package probe

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
)

// The bounds of the response headers that a report keeps. A server may
// send a head of up to maxResponseHead bytes, and without these bounds
// every byte of it would reach the text and JSON reports.
const (
	// maxReportHeaders is the number of header names a report keeps.
	maxReportHeaders = 64
	// maxHeaderValueBytes is the number of bytes a report keeps of each
	// header's value, the values of a repeated header joined with ", ".
	maxHeaderValueBytes = 1 << 10
)

// leadingHeaders go into the report ahead of the other headers, which
// follow in sorted order, so that filler headers cannot push them out.
// They describe the body, the server and where a redirect leads.
var leadingHeaders = []string{"Content-Type", "Content-Length", "Location", "Content-Location", "Link", "Server", "Date"}

// reportHeaders returns the headers of a response for the report: at most
// maxReportHeaders names, each value cut to maxHeaderValueBytes, and the
// URLs of the headers that contain them redacted. The note states how
// many headers the report left out or cut, and it is empty when the report
// kept them all.
func reportHeaders(header http.Header) (map[string]string, string) {
	names := make([]string, 0, len(header))
	for name := range header {
		if !slices.Contains(leadingHeaders, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var leading []string
	for _, name := range leadingHeaders {
		if _, ok := header[name]; ok {
			leading = append(leading, name)
		}
	}
	names = append(leading, names...)

	kept := names[:min(len(names), maxReportHeaders)]
	out := make(map[string]string, len(kept))
	cut := 0
	for _, name := range kept {
		value, whole := capHeaderValue(strings.Join(redactHeaderURLs(name, header[name]), ", "))
		if !whole {
			cut++
		}
		out[name] = value
	}

	return out, headersNote(len(names), len(kept), cut)
}

// headersNote states how many of total headers the report left out and
// how many values it cut. It is empty when the report kept them all.
func headersNote(total, kept, cut int) string {
	switch left := total - kept; {
	case left > 0 && cut > 0:
		return fmt.Sprintf("the response has %d headers; the report keeps %d, left out %d and cut %s to %d bytes",
			total, kept, left, plural.Count(cut, "value"), maxHeaderValueBytes)
	case left > 0:
		return fmt.Sprintf("the response has %d headers; the report keeps %d and left out %d", total, kept, left)
	case cut > 0:
		return fmt.Sprintf("the report cut %s to %d bytes", plural.Count(cut, "header value"), maxHeaderValueBytes)
	}
	return ""
}

// capHeaderValue cuts value to maxHeaderValueBytes, at a rune boundary,
// and appends how many bytes it left out. whole reports that nothing was
// cut.
func capHeaderValue(value string) (capped string, whole bool) {
	if len(value) <= maxHeaderValueBytes {
		return value, true
	}
	n := maxHeaderValueBytes
	for n > maxHeaderValueBytes-utf8.UTFMax && !utf8.RuneStart(value[n]) {
		n--
	}
	return fmt.Sprintf("%s [%d more bytes left out]", value[:n], len(value)-n), false
}

// redactHeaderURLs returns the values of the header name with the URLs
// in them passed through RedactURL, for the headers whose values are URLs:
// Location and Content-Location (RFC 9110, sections 10.2.2 and 8.7) and
// Link (RFC 8288). A redirect may point to a URL with credentials.
func redactHeaderURLs(name string, values []string) []string {
	var redact func(string) string
	switch name {
	case "Location", "Content-Location":
		redact = RedactURL
	case "Link":
		redact = redactLinkHeader
	default:
		return values
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = redact(v)
	}
	return out
}

// redactLinkHeader passes each URI reference of a Link header value, the
// text between < and > outside quoted strings (RFC 8288, section 3), through
// RedactURL. A value without < is redacted as one URL, and an unclosed <
// is taken to run to the end, so that a malformed value does not show a
// password either.
func redactLinkHeader(value string) string {
	if !strings.Contains(value, "<") {
		return RedactURL(value)
	}
	var out strings.Builder
	quoted := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case quoted && c == '\\' && i+1 < len(value):
			out.WriteString(value[i : i+2])
			i++
			continue
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			rest := value[i+1:]
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				out.WriteString("<" + RedactURL(rest))
				return out.String()
			}
			out.WriteString("<" + RedactURL(rest[:end]) + ">")
			i += end + 1
			continue
		}
		out.WriteByte(c)
	}
	return out.String()
}
