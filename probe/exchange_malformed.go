package probe

import (
	"errors"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// maxQuotedHeaderLine is the number of bytes of a malformed header line
// that a finding quotes.
const maxQuotedHeaderLine = 200

// malformedHeaderFinding reports whether err is net/http's rejection of a
// response header line, and if so returns the finding that quotes the
// line. ReadResponse parses the status line before the header lines, so
// such an error means the server speaks HTTP and one header is malformed.
// The cases are a value with a control character such as ESC, a name with
// a byte that is not a token character, a line without a colon, or a first header line
// that starts with a space.
//
// NOTE: net/textproto has no typed error for these cases. The match relies
// on the text of its ProtocolError in Go 1.26, "malformed MIME header"
// followed by the line in %q form, and a change to that text turns the
// finding back into "the server's response is not HTTP".
func malformedHeaderFinding(err error) (report.Finding, bool) {
	var protocolErr textproto.ProtocolError
	if !errors.As(err, &protocolErr) {
		return report.Finding{}, false
	}
	message := string(protocolErr)
	if !strings.HasPrefix(message, "malformed MIME header") {
		return report.Finding{}, false
	}
	reason, quoted, ok := strings.Cut(message, ": \"")
	if !ok {
		return report.Finding{}, false
	}
	line, unquoteErr := strconv.Unquote("\"" + quoted)
	if unquoteErr != nil {
		return report.Finding{}, false
	}

	f := report.Newf(report.CodeInvalidWebhookResp, "the server's response headers are malformed",
		"the status line is valid, but Go's net/http rejected the header line %s (%s)", quoteHeaderLine(line), reason)
	return f.WithFix("Fix the quoted header: a header line is a name of token characters, a colon and a value of " +
		"visible ASCII, spaces, tabs or bytes 0x80 to 0xFF, with no control characters such as ESC (RFC 9110, section 5). " +
		"Remove or percent-encode the invalid bytes."), true
}

// quoteHeaderLine returns line in Go's %q form, cut to maxQuotedHeaderLine
// bytes, with the URLs of Location, Content-Location and Link redacted as
// in the report's headers.
func quoteHeaderLine(line string) string {
	if name, value, ok := strings.Cut(line, ":"); ok {
		canonical := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
		redacted := redactHeaderURLs(canonical, []string{strings.TrimLeft(value, " \t")})[0]
		if redacted != strings.TrimLeft(value, " \t") {
			line = name + ": " + redacted
		}
	}
	if len(line) > maxQuotedHeaderLine {
		return fmt.Sprintf("%q [%d more bytes left out]", line[:maxQuotedHeaderLine], len(line)-maxQuotedHeaderLine)
	}
	return strconv.Quote(line)
}
