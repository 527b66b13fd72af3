package main

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/probe"
)

// checkWebhookURL rejects two mistakes in probe's URL that would
// otherwise reach the user in Go's words or as a finding. A URL without a
// scheme is read by url.Parse as a path ("first path segment in URL
// cannot contain colon") or as a scheme ("localhost:4433"). A port
// outside 1 to 65535 is checked here, ahead of probe.Options.Validate, so
// that the fix can give a corrected URL. Validate checks the rest.
// Messages show the URL through probe.RedactURL, because it may contain a
// password or a token.
func checkWebhookURL(raw string) error {
	if raw == "" {
		return usagef("pass the webhook URL, such as https://localhost:4433", "the webhook URL is empty")
	}
	if !strings.Contains(raw, "://") {
		// Redact the URL with the scheme added, because RedactURL finds a
		// password only after "://".
		fixed := probe.RedactURL("https://" + strings.TrimPrefix(raw, "//"))
		return usagef("pass "+fixed, "invalid webhook URL %q: the URL needs the https:// scheme",
			strings.TrimPrefix(fixed, "https://"))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil // Validate reports it with the URL
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			example := u.Scheme + "://" + net.JoinHostPort(u.Hostname(), "4433") + u.EscapedPath()
			return usagef("pass a port from 1 to 65535, or none for 443, such as "+example,
				"invalid webhook URL %q: port %s is not from 1 to 65535", probe.RedactURL(raw), port)
		}
	}
	return nil
}
