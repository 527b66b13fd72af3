package report

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Explanation is the meaning of one error line copied from a log: the TLS
// stack that printed it, which side rejected which, and the finding codes
// with their fixes.
type Explanation struct {
	// Input is the line the explanation is about, trimmed and cut to
	// maxInputLen bytes.
	Input string `json:"input"`
	// Stack names the program or library that printed the line: "go",
	// "curl", "openssl", "node", "python", "nginx" or "dialogflow".
	Stack string `json:"stack"`
	// Side is who rejected whom, or who failed, in words.
	Side string `json:"side"`
	// Meaning explains the line in one to three plain sentences.
	Meaning string `json:"meaning"`
	// Findings lists the codes the line is consistent with, the most likely
	// first. Each Detail holds the evidence taken from the line.
	Findings []Finding `json:"findings"`
}

// maxInputLen bounds Explanation.Input, so a pasted JSON log line does not
// fill the report.
const maxInputLen = 512

// Explain recognises TLS, network and Dialogflow webhook errors in text,
// which may hold one line or a whole transcript such as curl -v output. It
// returns one explanation per distinct diagnosis, in the order the lines
// appear. Lines that report the same failure, such as curl's "* " line and
// its final "curl: (56)" line, give one explanation. Explain returns nil
// when it recognises nothing.
func Explain(text string) []Explanation {
	ex := explainer{depth: -1, verifyDepth: map[int]int{}}
	lines := strings.Split(text, "\n")
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if isServerTranscriptMarker(line) {
			ex.serverLog = true
		}
		// s_client's first line, and the Node client's stack frame.
		if strings.HasPrefix(line, "CONNECTED(") || strings.Contains(line, "TLSSocket.onConnectSecure") {
			ex.clientLog = true
		}
	}
	for _, line := range lines {
		ex.add(line)
	}
	return ex.results
}

// ExplainReport runs Explain on text and returns a report with target
// "explain", so the text, JSON and JUnit renderers print it like any other
// report. Each explanation becomes a check, named by its input line, with
// its findings, and a note with its stack, side and meaning.
func ExplainReport(text string) *Report {
	r := &Report{Target: "explain"}
	explanations := Explain(text)
	if len(explanations) == 0 {
		r.Notes = append(r.Notes, "no known TLS, network or Dialogflow error found in the input: "+
			"paste the whole error line with the program's prefix, such as \"curl: (60) ...\", "+
			"\"x509: ...\" or \"verify error:num=...\"")
	}
	for _, e := range explanations {
		name := shorten(logTimestamp.ReplaceAllString(e.Input, ""), 80)
		r.AddCheck(name, "", e.Stack+": "+e.Side, e.Findings...)
		r.Notes = append(r.Notes, fmt.Sprintf("%s: %s. %s", e.Stack, e.Side, e.Meaning))
	}
	return r.Finish()
}

// The sides, worded once so that equal diagnoses compare equal.
const (
	sideServerRejectedClient = "the server rejected the client's certificate"
	sideClientRejectedServer = "the client rejected the server's certificate"
	sideServerWantsCert      = "the server required a client certificate and the client sent none"
	sideServerEnded          = "the server ended the handshake"
	sideClientEnded          = "the client ended the handshake"
	sideEitherRejected       = "the program that printed this rejected its peer's certificate"
	sideNoConnection         = "the client could not connect to the server"
	sideNoDNS                = "the client could not resolve the server's name"
	sideTimeout              = "the client gave up waiting for the server"
	sideReset                = "the server closed the connection without a TLS alert"
	sideClientReset          = "the client closed the connection without a TLS alert"
	sideServerNotTLS         = "the client spoke TLS but the server did not"
	sideClientNotTLS         = "the client sent plain HTTP to the server's TLS port"
	sideNoCommonParams       = "client and server could not agree on TLS parameters"
	sideLocalFiles           = "the program could not load its own certificate or key"
	sideDialogflowRejected   = "Dialogflow (the client) rejected the webhook server's certificate"
	sideWebhookAnswer        = "Dialogflow reached the webhook, but its answer was not usable"
	sideWebhookUnreachable   = "Dialogflow (the client) could not reach the webhook server"
	sideWebhookTimeout       = "Dialogflow (the client) gave up waiting for the webhook server"
)

// role is who printed a line: the TLS client or the TLS server.
type role int

const (
	roleUnknown role = iota
	roleClient
	roleServer
)

// lineContext is the information a rule gets beyond its own match.
type lineContext struct {
	role  role
	depth int // certificate depth from a preceding OpenSSL "depth=N" line, or -1
	// verifyDepth holds the depth each verify error number was first seen
	// at, so s_client's later "Verify return code" line agrees with it.
	verifyDepth map[int]int
}

// explained is a rule's result before the engine adds input and stack.
type explained struct {
	side     string
	meaning  string
	findings []Finding
}

// rule recognises one kind of error line. explain returns ok false when
// the match turns out not to be that error, so later rules may try.
type rule struct {
	stack   string // a stack name, or stackFromOpenSSL or stackFromSocket
	pattern *regexp.Regexp
	explain func(m []string, c *lineContext) (explained, bool)
	// filter skips lines that pattern cannot match; concatRules sets it.
	filter literalFilter
}

// Rules whose text several programs print take the stack from the line.
const (
	stackFromOpenSSL = "" // an OpenSSL reason string, see opensslStack
	stackFromSocket  = "socket error"
)

// explainer carries state across the lines of one input.
type explainer struct {
	results   []Explanation
	codes     []map[Code]bool // finding codes of each result, to merge repeats
	ranks     []int           // index of the rule that produced each result
	serverLog bool            // the transcript is a server's, so alerts came from the client
	clientLog bool            // the transcript is openssl s_client's
	// depth is the certificate depth of an OpenSSL "depth=N" line just read,
	// or -1.
	depth int
	// lastExplained is true when the previous line gave an explanation.
	lastExplained bool
	// verifyDepth is lineContext.verifyDepth, kept across lines.
	verifyDepth map[int]int
}

var (
	depthLine     = regexp.MustCompile(`^depth=(\d+) `)
	validityLine  = regexp.MustCompile(`^(notAfter|notBefore)=(.+)$`)
	nginxLogLine  = regexp.MustCompile(`\[(?:emerg|alert|crit|error|warn|notice|info|debug)\] \d+#\d+: `)
	serverMarkers = regexp.MustCompile(`http: TLS handshake error from|tls: failed to verify client certificate|` +
		`tls_process_client_certificate|tls_(?:early_)?post_process_client_hello|` +
		`\[(?:emerg|alert|crit|error|warn|notice|info|debug)\] \d+#\d+: `)
	clientMarkers = regexp.MustCompile(`^curl: \(|^\* |(?:Get|Post|Put|Head|Patch|Delete) "https?://|` +
		`SSL_connect|SSL_read|tls_process_server_certificate`)
	// nginxUpstream marks an nginx log line about its upstream, where
	// nginx is the TLS client: "while SSL handshaking to upstream",
	// "while reading response header from upstream" and the
	// `upstream: "..."` field.
	nginxUpstream = regexp.MustCompile(` (?:to|from) upstream\b|, upstream: "`)
	// nginxContext is the end nginx gives a connection's error message,
	// "while SSL handshaking, client: 127.0.0.1", which stays when the
	// log prefix is cut off.
	nginxContext = regexp.MustCompile(`\bwhile [A-Za-z ]+, client: `)
	// logTimestamp is the date and time that Go's log package and nginx
	// put before each line; check names leave it out.
	logTimestamp  = regexp.MustCompile(`^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} `)
	goSocketError = regexp.MustCompile(`(?:dial|read|write) tcp |(?:Get|Post|Put|Head|Patch|Delete) "`)
)

// isServerTranscriptMarker reports lines that only a server prints:
// openssl s_server's "ACCEPT" and its -Verify banner.
func isServerTranscriptMarker(line string) bool {
	return line == "ACCEPT" || strings.HasPrefix(line, "verify depth is ") && strings.Contains(line, "must return a certificate")
}

func (ex *explainer) add(raw string) {
	line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
	if line == "" {
		return
	}
	// OpenSSL prints "depth=N subject" just above a verify error and
	// "notAfter=..." just below one; both belong to that error only.
	if m := depthLine.FindStringSubmatch(line); m != nil {
		ex.depth, _ = strconv.Atoi(m[1])
		ex.lastExplained = false
		return
	}
	if m := validityLine.FindStringSubmatch(line); m != nil {
		if ex.lastExplained {
			ex.attachValidity(m[1] + "=" + m[2])
		}
		return
	}
	depth := ex.depth
	ex.depth, ex.lastExplained = -1, false

	matched := line
	if len(matched) > maxLineLen {
		matched = matched[:maxLineLen]
	}
	// Most lines of a log match no rule, so the role is found only for
	// a line that does.
	var c *lineContext
	for rank, r := range rules {
		if !r.filter.mayMatch(matched) {
			continue
		}
		m := r.pattern.FindStringSubmatch(matched)
		if m == nil {
			continue
		}
		if c == nil {
			c = &lineContext{role: ex.roleOf(matched), depth: depth, verifyDepth: ex.verifyDepth}
		}
		result, ok := r.explain(m, c)
		if !ok {
			continue
		}
		stack := r.stack
		switch stack {
		case stackFromOpenSSL:
			stack = opensslStack(matched)
		case stackFromSocket:
			stack = socketStack(matched)
		}
		ex.record(rank, Explanation{
			Input:    shorten(line, maxInputLen),
			Stack:    stack,
			Side:     result.side,
			Meaning:  result.meaning,
			Findings: result.findings,
		})
		ex.lastExplained = true
		return
	}
}

func (ex *explainer) roleOf(line string) role {
	switch {
	case nginxUpstream.MatchString(line):
		// nginx talking to its upstream is the TLS client.
		return roleClient
	case isNginxLine(line):
		return roleServer
	case clientMarkers.MatchString(line):
		return roleClient
	case serverMarkers.MatchString(line):
		return roleServer
	case ex.serverLog:
		return roleServer
	case ex.clientLog:
		return roleClient
	}
	return roleUnknown
}

// record appends e, or merges it into an earlier explanation with the same
// side when the codes of one contain the other's. The explanation with more
// codes stays, in the earlier one's place. With equal codes, the one from
// the more specific rule stays. So s_server's "verify error" line and its
// "certificate verify failed" line give one explanation.
func (ex *explainer) record(rank int, e Explanation) {
	codes := make(map[Code]bool, len(e.Findings))
	for _, f := range e.Findings {
		codes[f.Code] = true
	}
	for i, old := range ex.results {
		if old.Side != e.Side {
			continue
		}
		oldCodes := ex.codes[i]
		switch {
		case len(oldCodes) == len(codes) && containsAll(oldCodes, codes):
			if rank < ex.ranks[i] {
				ex.results[i], ex.ranks[i] = e, rank
			}
			return
		case containsAll(oldCodes, codes):
			return
		case containsAll(codes, oldCodes):
			ex.results[i], ex.codes[i], ex.ranks[i] = e, codes, rank
			return
		}
	}
	ex.results = append(ex.results, e)
	ex.codes = append(ex.codes, codes)
	ex.ranks = append(ex.ranks, rank)
}

func containsAll(set, sub map[Code]bool) bool {
	for code := range sub {
		if !set[code] {
			return false
		}
	}
	return true
}

// attachValidity adds OpenSSL's "notAfter=..." line, printed under a
// verify error, to the evidence of the last explanation.
func (ex *explainer) attachValidity(validity string) {
	if len(ex.results) == 0 {
		return
	}
	last := &ex.results[len(ex.results)-1]
	for i, f := range last.Findings {
		switch f.Code {
		case CodeExpired, CodeCAExpired, CodeNotYetValid:
			if !strings.Contains(f.Detail, validity) {
				last.Findings[i].Detail = joinDetail(f.Detail, validity)
			}
		}
	}
}

// opensslStack names the program around an OpenSSL error string, which
// curl, Node, Python, nginx and the openssl tool all print.
func opensslStack(line string) string {
	switch {
	case strings.HasPrefix(line, "curl: (") || strings.HasPrefix(line, "* "):
		return "curl"
	case strings.Contains(line, "deps/openssl") || strings.Contains(line, "EPROTO") ||
		strings.Contains(line, "ERR_SSL_") || strings.Contains(line, "ERR_OSSL_") ||
		strings.HasPrefix(line, "Error: error:"):
		// Node prints an OpenSSL error as a JavaScript Error: "Error: error:05800074:...".
		return "node"
	case strings.Contains(line, "(_ssl.c:"):
		// Python's ssl module ends each error with its own source line.
		return "python"
	case isNginxLine(line):
		return "nginx"
	}
	return "openssl"
}

func isNginxLine(line string) bool {
	return nginxLogLine.MatchString(line) || nginxContext.MatchString(line)
}

// socketStack names the program around a socket error that Go, curl,
// Node and others word alike.
func socketStack(line string) string {
	if goSocketError.MatchString(line) {
		return "go"
	}
	return opensslStack(line)
}

// findings builds one finding per code, all with the same evidence. A
// non-empty fix replaces the catalog's fix on the first, most likely code.
func findings(detail, fix string, codes ...Code) []Finding {
	out := make([]Finding, 0, len(codes))
	for i, code := range codes {
		f := New(code, "", detail)
		if i == 0 && fix != "" {
			f = f.WithFix(fix)
		}
		out = append(out, f)
	}
	return out
}

func joinDetail(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "; ")
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// rejectedCodes adds client-cert-rejected when a server printed the line,
// because then the chain that failed is the client's.
func rejectedCodes(r role, codes ...Code) []Code {
	if r == roleServer {
		return append(codes, CodeClientCertRejected)
	}
	return codes
}

// certRejectedSide words a certificate rejection by who printed the line.
func certRejectedSide(r role) string {
	switch r {
	case roleServer:
		return sideServerRejectedClient
	case roleClient:
		return sideClientRejectedServer
	}
	return sideEitherRejected
}

// rules are tried in order on every line; the first that explains the line
// wins. Specific rules come before generic ones: Dialogflow and nginx lines
// embed OpenSSL strings, and curl and Node wrap OpenSSL reasons.
var rules = concatRules(dialogflowRules(), nginxRules(), nodeRules(), curlRules(),
	pythonRules(), goRules(), opensslRules(), networkRules())

func concatRules(groups ...[]rule) []rule {
	var all []rule
	for _, g := range groups {
		all = append(all, g...)
	}
	for i := range all {
		all[i].filter = newLiteralFilter(all[i].pattern)
	}
	return all
}

// fixed returns an explain function with a constant result and the whole
// match as evidence.
func fixed(side, meaning, fix string, codes ...Code) func([]string, *lineContext) (explained, bool) {
	return func(m []string, _ *lineContext) (explained, bool) {
		return explained{side: side, meaning: meaning, findings: findings(m[0], fix, codes...)}, true
	}
}

// TLS alerts (RFC 8446 section 6 and RFC 5246 section 7.2) by number. An
// alert names the complaint but not the side; sentByServer and
// sentByClient give the meaning for each sender.
type alertOutcome struct {
	side    string
	meaning string
	fix     string
	// summary, when set, replaces the catalog title of the first finding,
	// for a code whose title names the other side.
	summary string
	codes   []Code
}

type alertInfo struct {
	name         string
	sentByServer alertOutcome
	sentByClient alertOutcome
}

var alerts = map[int]alertInfo{
	40: {
		name: "handshake_failure",
		sentByServer: alertOutcome{
			side: sideServerEnded,
			meaning: "The server sent handshake_failure. Over TLS 1.2 a server sends it when it requires a client " +
				"certificate and got none (TLS 1.3 has certificate_required for that); it also means the two " +
				"sides share no cipher suite or signature algorithm.",
			codes: []Code{CodeClientCertRequired, CodeNoSharedCipher},
		},
		sentByClient: alertOutcome{
			side:    sideClientEnded,
			meaning: "The client sent handshake_failure: it accepts none of the parameters the server chose.",
			codes:   []Code{CodeNoSharedCipher},
		},
	},
	42: {
		name: "bad_certificate",
		sentByServer: alertOutcome{
			side: sideServerRejectedClient,
			meaning: "The server did not accept the client certificate. Go 1.26 servers send bad_certificate for " +
				"every verify error except an unknown CA or an expired certificate, such as a certificate without " +
				"clientAuth usage. The server's log names the reason.",
			codes: []Code{CodeClientCertRejected},
		},
		sentByClient: alertOutcome{
			side: sideClientRejectedServer,
			meaning: "The client did not accept the server's certificate. Go 1.26 clients send bad_certificate for " +
				"every verify error (unknown CA, wrong host name, expiry), and the client's log names the reason.",
			codes: []Code{CodeUnknownAuthority, CodeHostnameMismatch, CodeExpired},
		},
	},
	43: {
		name: "unsupported_certificate",
		sentByServer: alertOutcome{
			side: sideServerRejectedClient,
			meaning: "The server rejected the client certificate for its type or usage. OpenSSL 3.0 servers send " +
				"unsupported_certificate when the certificate's extended key usage lacks clientAuth.",
			codes: []Code{CodeWrongUsageClient, CodeClientCertRejected},
		},
		sentByClient: alertOutcome{
			side:    sideClientRejectedServer,
			meaning: "The client rejected the server's certificate for its usage: it lacks serverAuth.",
			codes:   []Code{CodeWrongUsageServer},
		},
	},
	45: {
		name: "certificate_expired",
		sentByServer: alertOutcome{
			side:    sideServerRejectedClient,
			meaning: "The server found the client certificate, or a CA above it, expired (or not valid yet).",
			fix:     "Renew the client certificate and deploy it; check the clocks of both machines.",
			codes:   []Code{CodeExpired, CodeClientCertRejected},
		},
		sentByClient: alertOutcome{
			side:    sideClientRejectedServer,
			meaning: "The client found the server's certificate, or a CA above it, expired (or not valid yet).",
			codes:   []Code{CodeExpired},
		},
	},
	46: {
		name: "certificate_unknown",
		sentByServer: alertOutcome{
			side:    sideServerRejectedClient,
			meaning: "The server did not accept the client certificate and gave no specific reason.",
			codes:   []Code{CodeClientCertRejected},
		},
		sentByClient: alertOutcome{
			side: sideClientRejectedServer,
			meaning: "The client did not accept the server's certificate and gave no specific reason. Java " +
				"clients send certificate_unknown when they do not trust the chain.",
			codes: []Code{CodeUnknownAuthority},
		},
	},
	48: {
		name: "unknown_ca",
		sentByServer: alertOutcome{
			side: sideServerRejectedClient,
			meaning: "The server cannot chain the client certificate to a CA it trusts: its issuer is not in the " +
				"server's client CA list, or the client sent its certificate without the intermediate.",
			fix: "Send the intermediate after the client certificate (one PEM file: leaf, then intermediate), " +
				"or add the client's CA to the server's client CA list.",
			codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
		},
		sentByClient: alertOutcome{
			side:    sideClientRejectedServer,
			meaning: "The client cannot chain the server's certificate to a CA it trusts.",
			codes:   []Code{CodeUnknownAuthority, CodeIncompleteChain},
		},
	},
	70: {
		name: "protocol_version",
		sentByServer: alertOutcome{
			side:    sideNoCommonParams,
			meaning: "The server supports none of the TLS versions the client offered.",
			codes:   []Code{CodeProtocolVersion},
		},
		sentByClient: alertOutcome{
			side:    sideNoCommonParams,
			meaning: "The client does not accept the TLS version the server chose.",
			codes:   []Code{CodeProtocolVersion},
		},
	},
	80: {
		name: "internal_error",
		sentByServer: alertOutcome{
			side: sideServerEnded,
			meaning: "The server sent internal_error: it failed on its own side, not over anything the client sent. " +
				"Go 1.26 servers send it when GetCertificate returns an error, and nginx 1.22 when it cannot load " +
				"the certificate that ssl_certificate names with $ssl_server_name for the requested server name. " +
				"Servers on OpenSSL 3.0 that enable TLS 1.0 and 1.1, as nginx 1.22 and s_server do by default, send it " +
				"to every client limited to those versions: OpenSSL's default security level allows no signature " +
				"algorithm they can use (\"no suitable signature algorithm\" in the server's log). " +
				"The server's log names the cause.",
			codes: []Code{CodeHandshakeFailure},
		},
		sentByClient: alertOutcome{
			side: sideClientEnded,
			meaning: "The client sent internal_error: it failed on its own side, as a Go 1.26 client does over TLS 1.2 " +
				"when its GetClientCertificate callback returns an error (over TLS 1.3 it closes without an alert). " +
				"The client's log names the cause.",
			fix:     "Read the client's log at the time of the failure: the alert says only that the client gave up, and its log says why.",
			summary: "the client ended the handshake with an internal_error alert",
			codes:   []Code{CodeHandshakeFailure},
		},
	},
	112: {
		name: "unrecognized_name",
		sentByServer: alertOutcome{
			side: sideServerEnded,
			meaning: "The server has no certificate for the name the client sent in SNI, or the client sent none " +
				"(an IP address is never sent). nginx's ssl_reject_handshake sends this alert.",
			codes: []Code{CodeSNIRequired},
		},
		sentByClient: alertOutcome{
			side:    sideClientEnded,
			meaning: "The client rejected the server name the server acknowledged.",
			codes:   []Code{CodeSNIRequired},
		},
	},
	116: {
		name: "certificate_required",
		sentByServer: alertOutcome{
			side: sideServerWantsCert,
			meaning: "The TLS 1.3 server requires a client certificate and got none. The client sees the alert on " +
				"its first read, after its handshake looked complete. A Go 1.26 client also sends no certificate " +
				"when its certificate's issuer is not among the CAs the server names.",
			codes: []Code{CodeClientCertRequired},
		},
		sentByClient: alertOutcome{
			side:    sideServerWantsCert,
			meaning: "A certificate_required alert always comes from a server that got no client certificate.",
			codes:   []Code{CodeClientCertRequired},
		},
	},
}

// opensslAlertNumbers maps OpenSSL's alert reason texts ("tlsv1 alert unknown
// ca" without the prefix) to alert numbers.
var opensslAlertNumbers = map[string]int{
	"handshake failure":       40,
	"bad certificate":         42,
	"unsupported certificate": 43,
	"certificate expired":     45,
	"certificate unknown":     46,
	"unknown ca":              48,
	"protocol version":        70,
	"internal error":          80,
	"unrecognized name":       112,
	"certificate required":    116,
}

// goAlertNumbers maps Go's crypto/tls alert texts (alert.go) to numbers.
var goAlertNumbers = map[string]int{
	"handshake failure":              40,
	"bad certificate":                42,
	"unsupported certificate":        43,
	"expired certificate":            45,
	"unknown certificate":            46,
	"unknown certificate authority":  48,
	"protocol version not supported": 70,
	"internal error":                 80,
	"unrecognized name":              112,
	"certificate required":           116,
}

// explainAlert words an alert. received is true when the program that
// printed the line got the alert from its peer.
func explainAlert(number int, received bool, c *lineContext, evidence string) (explained, bool) {
	info, ok := alerts[number]
	if !ok {
		return explained{}, false
	}
	sentByServer := received != (c.role == roleServer)
	outcome, sender := info.sentByServer, "server"
	if !sentByServer {
		outcome, sender = info.sentByClient, "client"
	}
	detail := joinDetail(fmt.Sprintf("TLS alert %d (%s) sent by the %s", number, info.name, sender), evidence)
	if c.role == roleUnknown {
		detail = joinDetail(detail, "assumed the client printed this line")
	}
	found := findings(detail, outcome.fix, outcome.codes...)
	if outcome.summary != "" {
		found[0].Summary = outcome.summary
	}
	return explained{side: outcome.side, meaning: outcome.meaning, findings: found}, true
}

// verifyInfo is one OpenSSL X509_V_ERR code: its number, the texts OpenSSL
// prints for it (3.0 first, then 1.1.1 spellings), the code Node uses for
// it, and the findings.
type verifyInfo struct {
	nums    []int
	texts   []string
	node    string
	codes   []Code
	meaning string
	fix     string
}

var verifyErrors = []verifyInfo{
	{
		nums: []int{2}, texts: []string{"unable to get issuer certificate"}, node: "UNABLE_TO_GET_ISSUER_CERT",
		codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
		meaning: "The verifier found the issuer of a certificate in the chain but not that issuer's own issuer: " +
			"the trust file holds an intermediate without its root.",
		fix: "Put the root CA in the trust file (nginx ssl_client_certificate, curl --cacert, Node ca), " +
			"not only the intermediate; a verify depth of 1 (nginx's default) already allows one intermediate between the leaf and the root.",
	},
	{
		nums: []int{7}, texts: []string{"certificate signature failure"}, node: "CERT_SIGNATURE_FAILURE",
		codes: []Code{CodeUnknownAuthority},
		meaning: "A signature in the chain does not verify with the key of the trusted CA that has the issuer's " +
			"name: the trust file holds a different CA with the same name, such as a regenerated test CA.",
		fix: "Replace the CA in the trust file with the one that signed the chain; compare fingerprints with " +
			"mtlsdoctor inspect.",
	},
	{
		nums: []int{9}, texts: []string{"certificate is not yet valid"}, node: "CERT_NOT_YET_VALID",
		codes:   []Code{CodeNotYetValid},
		meaning: "A certificate in the chain is not valid yet: its notBefore is in the future.",
	},
	{
		nums: []int{10}, texts: []string{"certificate has expired"}, node: "CERT_HAS_EXPIRED",
		codes:   []Code{CodeExpired},
		meaning: "A certificate in the chain has expired.",
	},
	{
		nums: []int{18}, texts: []string{"self-signed certificate", "self signed certificate"}, node: "DEPTH_ZERO_SELF_SIGNED_CERT",
		codes:   []Code{CodeSelfSignedLeaf, CodeUnknownAuthority},
		meaning: "The peer sent a self-signed certificate that is not in the trust file.",
		fix:     "Trust that exact certificate (--cacert, Node ca), or better, issue the leaf from a CA and trust the CA.",
	},
	{
		nums:    []int{19},
		texts:   []string{"self-signed certificate in certificate chain", "self signed certificate in certificate chain"},
		node:    "SELF_SIGNED_CERT_IN_CHAIN",
		codes:   []Code{CodeUnknownAuthority},
		meaning: "The peer sent its whole chain up to a root, but that root is not in the trust file.",
		fix:     "Add the root CA the peer's chain ends at to the trust file, if you mean to trust it.",
	},
	{
		nums: []int{20}, texts: []string{"unable to get local issuer certificate"}, node: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
		codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
		meaning: "The issuer of a certificate in the chain is neither in the trust file nor sent by the peer: " +
			"the CA is not trusted, or the peer did not send the intermediate.",
	},
	{
		nums: []int{21}, texts: []string{"unable to verify the first certificate"}, node: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
		codes: []Code{CodeIncompleteChain, CodeUnknownAuthority},
		meaning: "The peer sent only its leaf certificate and its issuer is not in the trust file: the " +
			"intermediate is missing, or the CA is not trusted at all.",
	},
	{
		nums: []int{24, 79}, texts: []string{"invalid CA certificate"}, node: "INVALID_CA",
		codes:   []Code{CodeNotACA},
		meaning: "A certificate that issued another one in the chain is not a CA (basic constraints CA:FALSE).",
	},
	{
		nums:    []int{26},
		texts:   []string{"unsuitable certificate purpose", "unsupported certificate purpose"},
		node:    "INVALID_PURPOSE",
		codes:   []Code{CodeWrongUsageServer},
		meaning: "A certificate in the chain is not allowed for this use: its extended key usage lacks the TLS role.",
	},
	{
		nums: []int{62}, texts: []string{"hostname mismatch"}, node: "",
		codes:   []Code{CodeHostnameMismatch},
		meaning: "The server's certificate does not name the host the client dialled.",
	},
	{
		nums: []int{64}, texts: []string{"IP address mismatch"}, node: "",
		codes:   []Code{CodeHostnameMismatch},
		meaning: "The client dialled an IP address that the server's certificate does not list among its subject alternative names.",
	},
	{
		nums: []int{66, 67}, texts: []string{"EE certificate key too weak", "CA certificate key too weak"}, node: "",
		codes:   []Code{CodeWeakKey},
		meaning: "A key in the chain is shorter than the verifier's security level allows (RSA below 2048 bits at OpenSSL level 2).",
	},
	{
		nums: []int{68}, texts: []string{"CA signature digest algorithm too weak"}, node: "",
		codes:   []Code{CodeInsecureSignature},
		meaning: "A certificate in the chain is signed with a digest the verifier rejects, such as SHA-1.",
	},
}

// lookupVerifyText finds a verify error by its OpenSSL text. The text may
// go on with a detail after punctuation, as Python's "Hostname mismatch,
// certificate is not valid for 'example.com'." does. The longest known text
// that matches wins, so "self-signed certificate in certificate chain" is
// not taken for "self-signed certificate".
func lookupVerifyText(text string) (verifyInfo, bool) {
	text = strings.TrimSpace(text)
	var best verifyInfo
	bestLen := 0
	for _, v := range verifyErrors {
		for _, t := range v.texts {
			if len(t) <= bestLen || len(text) < len(t) || !strings.EqualFold(text[:len(t)], t) {
				continue
			}
			if rest := strings.TrimLeft(text[len(t):], " "); rest == "" || strings.ContainsAny(rest[:1], ",.:;(") {
				best, bestLen = v, len(t)
			}
		}
	}
	return best, bestLen > 0
}

func lookupVerifyNum(num int) (verifyInfo, bool) {
	for _, v := range verifyErrors {
		for _, n := range v.nums {
			if n == num {
				return v, true
			}
		}
	}
	return verifyInfo{}, false
}

// explainVerify words a certificate verify error. The side follows from who
// printed it: on a server the client's certificate failed, and a failure
// at depth 1 or more is about a CA, not the leaf.
func explainVerify(v verifyInfo, evidence string, c *lineContext) explained {
	codes := append([]Code(nil), v.codes...)
	meaning := v.meaning
	if len(v.nums) > 0 && c.verifyDepth != nil {
		if c.depth >= 0 {
			if _, seen := c.verifyDepth[v.nums[0]]; !seen {
				c.verifyDepth[v.nums[0]] = c.depth
			}
		} else if depth, seen := c.verifyDepth[v.nums[0]]; seen {
			c.depth = depth
		}
	}
	if c.depth > 0 {
		evidence = joinDetail(evidence, fmt.Sprintf("at depth %d (a CA certificate)", c.depth))
		for i, code := range codes {
			switch code {
			case CodeExpired:
				codes[i] = CodeCAExpired
				meaning = "A CA certificate in the chain has expired."
			case CodeWrongUsageServer:
				codes[i] = CodeNotACA
				meaning = "A CA certificate in the chain is not allowed to issue certificates for this use."
			}
		}
	} else if c.depth == 0 {
		evidence = joinDetail(evidence, "at depth 0 (the leaf certificate)")
	}
	if c.role == roleUnknown {
		evidence = joinDetail(evidence, "assumed a client (curl, s_client, Node, Python) printed this line")
	}
	if c.role == roleServer {
		for i, code := range codes {
			if code == CodeWrongUsageServer {
				codes[i] = CodeWrongUsageClient
			}
		}
		codes = append(codes, CodeClientCertRejected)
	}
	return explained{
		side:     certRejectedSide(verifyRole(c.role)),
		meaning:  meaning,
		findings: findings(evidence, v.fix, codes...),
	}
}

// verifyRole treats a verify error of unknown origin as the client's,
// because clients (curl, s_client, Node) print most of them.
func verifyRole(r role) role {
	if r == roleUnknown {
		return roleClient
	}
	return r
}

func dialogflowRules() []rule {
	return []rule{
		{
			// The Dialogflow console prints this state; docs/findings.md names the source.
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`State: URL_UNREACHABLE, Reason: UNREACHABLE_SSL_VALIDATION_FAILED`),
			explain: fixed(sideDialogflowRejected,
				"Dialogflow could not verify the webhook's certificate: it is not from a publicly trusted CA (or "+
					"the uploaded custom CA), the server did not send its intermediate, or the certificate does "+
					"not name the webhook's host.",
				"Serve the full chain (leaf, then intermediates) for the webhook's host name; check it with "+
					"mtlsdoctor probe https://HOST/ and mtlsdoctor inspect HOST:443.",
				CodeUnknownAuthority, CodeIncompleteChain, CodeHostnameMismatch),
		},
		{
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`State: URL_TIMEOUT|Webhook call failed\. Error: DEADLINE_EXCEEDED`),
			explain: fixed(sideWebhookTimeout,
				"Dialogflow gave up before the webhook answered: the webhook took longer than the timeout "+
					"(5 s by default; CX allows up to 30 s), or the connection or TLS handshake hung.",
				"", CodeSlowResponse, CodeHandshakeTimeout),
		},
		{
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`Failed to parse webhook JSON response(?::\s*(.*))?`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				// The message often sits in a JSON string, with its closing quote.
				detail := "Dialogflow's parser: " + strings.TrimRight(strings.TrimSpace(m[1]), `\".`)
				if m[1] == "" {
					detail = m[0]
				}
				return explained{
					side: sideWebhookAnswer,
					meaning: "The webhook answered, but its body is not a WebhookResponse of the edition in use: " +
						"an HTML error page, a field of the old v1 format, or invalid JSON.",
					findings: findings(detail, "", CodeInvalidWebhookResp),
				}, true
			},
		},
		{
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`State: (URL_\w+), Reason: (\w+), HTTP status code: (\d{3})`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				meaning := fmt.Sprintf("The webhook answered with HTTP %s, so Dialogflow did not use its body.", m[3])
				if m[3] == "400" {
					meaning += " nginx 1.22 answers 400 after the handshake when ssl_verify_client rejects the " +
						"client certificate, so check the server's TLS error log too."
				}
				return explained{
					side:     sideWebhookAnswer,
					meaning:  meaning,
					findings: findings(fmt.Sprintf("HTTP status %s; state %s, reason %s", m[3], m[1], m[2]), "", CodeHTTPStatus),
				}, true
			},
		},
		{
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`Webhook call failed\. Error: (\d{3})\b`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideWebhookAnswer,
					meaning:  fmt.Sprintf("The webhook answered with HTTP %s.", m[1]),
					findings: findings("HTTP status "+m[1], "", CodeHTTPStatus),
				}, true
			},
		},
		{
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`HTTP error\. State: URL_UNREACHABLE`),
			explain: fixed(sideWebhookAnswer, "The webhook answered with an HTTP error status.", "", CodeHTTPStatus),
		},
		{
			stack:   "dialogflow",
			pattern: regexp.MustCompile(`State: URL_UNREACHABLE(?:, Reason: (\w+))?`),
			explain: fixed(sideWebhookUnreachable,
				"Dialogflow could not get an answer from the webhook's URL; the reason field narrows it down.",
				"", CodeConnectionRefused, CodeDNSFailure, CodeHandshakeTimeout),
		},
	}
}

// nginxCertByNameFix is the fix for an ssl_certificate with variables
// whose file is missing for the requested server name.
const nginxCertByNameFix = "Create the certificate and key files for the server names clients request, or serve the " +
	"other names from a server block whose ssl_certificate names a fixed file."

func nginxRules() []rule {
	return []rule{
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`400 No required SSL certificate was sent|client sent no required SSL certificate`),
			explain: fixed(sideServerWantsCert,
				"nginx (ssl_verify_client on) completed the handshake without a client certificate and answered "+
					"HTTP 400. nginx 1.22 does not end the handshake for a missing or bad client certificate.",
				"", CodeClientCertRequired),
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`client SSL certificate verify error: \((\d+):([^)]+)\)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				num, _ := strconv.Atoi(m[1])
				v, ok := lookupVerifyNum(num)
				if !ok {
					v, ok = lookupVerifyText(m[2])
				}
				if !ok {
					v = verifyInfo{meaning: "nginx could not verify the client certificate."}
				}
				server := *c
				server.role = roleServer
				e := explainVerify(v, fmt.Sprintf("OpenSSL verify error %s (%s) on the client certificate", m[1], m[2]), &server)
				e.meaning += " nginx answers such requests with HTTP 400 \"The SSL certificate error\"."
				return e, true
			},
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`upstream SSL certificate verify error: \((\d+):([^)]+)\)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				num, _ := strconv.Atoi(m[1])
				v, ok := lookupVerifyNum(num)
				if !ok {
					v, ok = lookupVerifyText(m[2])
				}
				if !ok {
					v = verifyInfo{meaning: "nginx could not verify its upstream's certificate.", codes: []Code{CodeUnknownAuthority}}
				}
				// Here nginx is the TLS client of its upstream (proxy_ssl_verify on).
				client := *c
				client.role = roleClient
				e := explainVerify(v, fmt.Sprintf("OpenSSL verify error %s (%s) on the upstream's certificate", m[1], m[2]), &client)
				e.meaning += " nginx, as a proxy with proxy_ssl_verify on, rejected the certificate of its upstream: " +
					"check proxy_ssl_trusted_certificate and proxy_ssl_name, and that the upstream sends its intermediate."
				return e, true
			},
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`400 The SSL certificate error`),
			explain: fixed(sideServerRejectedClient,
				"nginx could not verify the client certificate and answered HTTP 400 after the handshake; its "+
					"error log (level info) has the OpenSSL verify error.",
				"", CodeClientCertRejected),
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`400 The plain HTTP request was sent to HTTPS port|client sent plain HTTP request to HTTPS port`),
			explain: plainHTTPToTLS,
		},
		{
			// With "(104: Connection reset by peer)" the peer reset the
			// connection; without, it closed it.
			stack:   "nginx",
			pattern: regexp.MustCompile(`peer closed connection in SSL handshake`),
			explain: resetBy("The upstream server closed the connection during the TLS handshake without an alert."),
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`handshake rejected while SSL handshaking`),
			explain: fixed(sideServerEnded,
				"nginx's default server has ssl_reject_handshake on and the client's server name (SNI) matched no "+
					"other server block, so nginx sent an unrecognized_name alert.",
				"", CodeSNIRequired),
		},
		{
			// ssl_certificate with variables makes nginx load the files
			// during each handshake, so a missing one fails that handshake.
			stack:   "nginx",
			pattern: regexp.MustCompile(`cannot load certificate(?: key)? "([^"]+)": BIO_new_file\(\) failed.* while SSL handshaking`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side: sideLocalFiles,
					meaning: "nginx could not open the certificate or key file for this handshake: ssl_certificate names " +
						"it with variables, such as $ssl_server_name, and no file exists for the client's server name. " +
						"nginx 1.22 then sends the client an internal_error alert.",
					findings: findings("file "+m[1], nginxCertByNameFix, CodeUnreadableFile, CodeHandshakeFailure),
				}, true
			},
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`cert cb error`),
			explain: fixed(sideServerEnded,
				"nginx's certificate callback failed, so nginx ended the handshake with an internal_error alert. "+
					"nginx 1.22 does this when ssl_certificate names its file with variables, such as $ssl_server_name, "+
					"and the file for the client's server name cannot be loaded; the \"cannot load certificate\" line "+
					"before this one names the file.",
				nginxCertByNameFix, CodeHandshakeFailure),
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`cannot load certificate(?: key)? "([^"]+)": BIO_new_file\(\) failed`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideLocalFiles,
					meaning:  "nginx cannot open a certificate or key file named in its configuration.",
					findings: findings("file "+m[1], "", CodeUnreadableFile),
				}, true
			},
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`cannot load certificate key "([^"]+)": PEM_read_bio_PrivateKey\(\) failed.*(?:bad password read|bad decrypt|problems getting password)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideLocalFiles,
					meaning:  "The private key is encrypted and nginx got no password for it (ssl_password_file).",
					findings: findings("key file "+m[1], "", CodeEncryptedKey),
				}, true
			},
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`cannot load certificate(?: key)? "([^"]+)": PEM_read_bio_\w+\(\) failed.*no start line`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideLocalFiles,
					meaning:  "The file has no PEM block of the kind nginx expects: it is DER, empty, or the wrong file.",
					findings: findings("file "+m[1], "", CodeNotPEM),
				}, true
			},
		},
		{
			stack:   "nginx",
			pattern: regexp.MustCompile(`SSL_CTX_use_PrivateKey\("([^"]+)"\) failed.*key values mismatch`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideLocalFiles,
					meaning:  "ssl_certificate_key is not the private key of ssl_certificate.",
					findings: findings("key file "+m[1], "", CodeKeyMismatch),
				}, true
			},
		},
	}
}

func nodeRules() []rule {
	return []rule{
		{
			stack:   "node",
			pattern: regexp.MustCompile(`ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)|ERR_SSL_TLSV1_(UNRECOGNIZED_NAME)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				name := m[1] + m[2]
				number, ok := opensslAlertNumbers[strings.ToLower(strings.ReplaceAll(name, "_", " "))]
				if !ok {
					return explained{}, false
				}
				return explainAlert(number, true, c, "Node error code "+m[0])
			},
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE`),
			explain: fixed(sideServerWantsCert,
				"The Node server (requestCert and rejectUnauthorized true) required a client certificate and got none.",
				"", CodeClientCertRequired),
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`ERR_SSL_WRONG_VERSION_NUMBER`),
			explain: wrongVersionNumber,
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`ERR_OSSL_X509_KEY_VALUES_MISMATCH`),
			explain: fixed(sideLocalFiles, "The key option is not the private key of the cert option.", "", CodeKeyMismatch),
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`Hostname/IP does not match certificate's altnames: (.*)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideClientRejectedServer,
					meaning:  "The server's certificate does not name the host the Node client dialled.",
					findings: findings(strings.TrimSpace(m[1]), "", CodeHostnameMismatch),
				}, true
			},
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`ERR_TLS_CERT_ALTNAME_INVALID`),
			explain: fixed(sideClientRejectedServer, "The server's certificate does not name the host the Node client dialled.",
				"", CodeHostnameMismatch),
		},
		{
			stack:   "node",
			pattern: nodeVerifyCodes(),
			explain: func(m []string, c *lineContext) (explained, bool) {
				for _, v := range verifyErrors {
					if v.node != "" && v.node == m[1] {
						e := explainVerify(v, "Node code "+m[1], c)
						if c.role == roleUnknown {
							e.meaning += " On a Node server, socket.authorizationError with this code is about the client's certificate."
						}
						return e, true
					}
				}
				return explained{}, false
			},
		},
		{
			stack:   "node",
			pattern: nodeVerifyMessages(),
			explain: func(m []string, c *lineContext) (explained, bool) {
				v, ok := lookupVerifyText(m[1])
				if !ok {
					return explained{}, false
				}
				return explainVerify(v, m[0], c), true
			},
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`getaddrinfo (ENOTFOUND|EAI_AGAIN) (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				meaning := "The host name does not exist in DNS."
				if m[1] == "EAI_AGAIN" {
					meaning = "The DNS lookup failed for now: the resolver did not answer."
				}
				return explained{side: sideNoDNS, meaning: meaning, findings: findings("host "+m[2], "", CodeDNSFailure)}, true
			},
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`connect ECONNREFUSED (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideNoConnection, meaning: "Nothing listens on that address and port.",
					findings: findings("address "+m[1], "", CodeConnectionRefused)}, true
			},
		},
		{
			stack:   "node",
			pattern: regexp.MustCompile(`connect ETIMEDOUT(?: (\S+))?`),
			explain: fixed(sideTimeout, "The TCP connection was not established in time: a firewall drops the packets, or the host is down.",
				"", CodeHandshakeTimeout),
		},
		{
			stack: "node",
			pattern: regexp.MustCompile(`Client network socket disconnected before secure TLS connection was established|` +
				`read ECONNRESET|socket hang up`),
			explain: fixed(sideReset,
				"The server closed the TCP connection during or right after the handshake without sending an alert. "+
					"A Node 20 https server with requestCert and rejectUnauthorized closes the connection this way "+
					"after it rejects a client certificate.",
				"", CodeConnectionReset),
		},
	}
}

func nodeVerifyCodes() *regexp.Regexp {
	var names []string
	for _, v := range verifyErrors {
		if v.node != "" {
			names = append(names, v.node)
		}
	}
	// Longer names first, so UNABLE_TO_GET_ISSUER_CERT_LOCALLY wins over its prefix.
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\b`)
}

// nodeVerifyMessages matches Node's "Error: <OpenSSL verify text>" lines,
// printed above the error's code in a stack dump.
func nodeVerifyMessages() *regexp.Regexp {
	var texts []string
	for _, v := range verifyErrors {
		for _, t := range v.texts {
			texts = append(texts, regexp.QuoteMeta(t))
		}
	}
	sort.Slice(texts, func(i, j int) bool { return len(texts[i]) > len(texts[j]) })
	return regexp.MustCompile(`\bError: (` + strings.Join(texts, "|") + `)\s*$`)
}

func curlRules() []rule {
	return []rule{
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`SSL: no alternative certificate subject name matches target host name '([^']*)'`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideClientRejectedServer,
					meaning:  "None of the server certificate's subject alternative names matches the host curl dialled.",
					findings: findings("dialled "+m[1], "", CodeHostnameMismatch),
				}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`SSL: certificate subject name '([^']*)' does not match target host name '([^']*)'`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side: sideClientRejectedServer,
					meaning: "The server certificate has no subject alternative name of the dialled kind, so curl " +
						"compared the common name, and that does not match either.",
					findings: findings(fmt.Sprintf("certificate CN %q; dialled %s", m[1], m[2]), "",
						CodeHostnameMismatch, CodeLegacyCommonName),
				}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`SSL certificate problem: (.+)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				v, ok := lookupVerifyText(m[1])
				if !ok {
					return explained{}, false
				}
				client := *c
				client.role = roleClient
				return explainVerify(v, "curl: "+strings.TrimSpace(m[1]), &client), true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`SSL certificate verification failed`),
			explain: fixed(sideServerRejectedClient,
				"curl's own check of the server passed, but OpenSSL reports the handshake as a verification "+
					"failure: the server sent a certificate_expired alert (curl 7.88 does this over TLS 1.2), so "+
					"the client certificate has most likely expired.",
				"Check the client certificate's dates with mtlsdoctor inspect client-crt.pem and renew it.",
				CodeExpired, CodeClientCertRejected),
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`unable to set private key file: '([^']*)'`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side: sideLocalFiles,
					meaning: "curl could not use the --key file: it does not belong to the --cert certificate, it " +
						"is encrypted and no --pass was given, or it does not exist.",
					findings: findings("key file "+m[1], "", CodeKeyMismatch, CodeEncryptedKey, CodeUnreadableFile),
				}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`could not load PEM client certificate from ([^,]+), OpenSSL error (.+?), \(`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				detail := fmt.Sprintf("certificate file %s: %s", m[1], m[2])
				code, meaning := CodeNotPEM, "The --cert file holds no PEM certificate: it is DER, empty, or the wrong file."
				switch {
				case strings.Contains(m[2], "No such file"):
					code, meaning = CodeUnreadableFile, "The --cert file does not exist."
				case strings.Contains(m[2], "key too small"):
					code, meaning = CodeWeakKey, "OpenSSL refuses the client certificate because its key is too short for the security level."
				case strings.Contains(m[2], "md too weak"):
					code, meaning = CodeInsecureSignature, "OpenSSL refuses the client certificate because its signature digest is too weak."
				}
				return explained{side: sideLocalFiles, meaning: meaning, findings: findings(detail, "", code)}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`error setting certificate file: (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideLocalFiles,
					meaning:  "curl could not load the --cacert file: it does not exist or holds no PEM certificate.",
					findings: findings("CA file "+m[1], "", CodeUnreadableFile, CodeNotPEM),
				}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`Could not resolve host: (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideNoDNS, meaning: "The host name does not resolve.",
					findings: findings("host "+m[1], "", CodeDNSFailure)}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`Failed to connect to (\S+) port (\d+)(?: after \d+ ms)?: Timeout was reached`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideTimeout, meaning: "The TCP connection was not established within --connect-timeout.",
					findings: findings(fmt.Sprintf("host %s port %s", m[1], m[2]), "", CodeHandshakeTimeout)}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`Failed to connect to (\S+) port (\d+)(?: after \d+ ms)?: (?:Connection refused|Couldn't connect to server)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideNoConnection,
					meaning:  "Nothing accepted the TCP connection on that host and port (curl 7.88 prints \"Couldn't connect to server\" for a refused connection).",
					findings: findings(fmt.Sprintf("host %s port %s", m[1], m[2]), "", CodeConnectionRefused)}, true
			},
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`(?:Connection|Operation) timed out after (\d+) milliseconds|SSL connection timeout`),
			explain: fixed(sideTimeout, "curl reached its --connect-timeout or --max-time before the connection, handshake or answer completed.",
				"", CodeHandshakeTimeout),
		},
		{
			stack:   "curl",
			pattern: regexp.MustCompile(`Recv failure: Connection reset by peer|SSL_ERROR_SYSCALL|Empty reply from server`),
			explain: fixed(sideReset,
				"The server closed the connection without a TLS alert or an HTTP answer. A Node https server "+
					"with requestCert and rejectUnauthorized closes the connection this way after it rejects a "+
					"client certificate (Node 20).",
				"", CodeConnectionReset),
		},
	}
}

func goRules() []rule {
	return []rule{
		{
			stack: "go",
			pattern: regexp.MustCompile(`x509: certificate signed by unknown authority \(possibly because of "(crypto/rsa: verification error|` +
				`x509: ECDSA verification failure|x509: Ed25519 verification failure)" while trying to verify candidate authority certificate "([^"]*)"\)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				return explained{
					side: certRejectedSide(verifyRole(c.role)),
					meaning: fmt.Sprintf("A trusted CA named %q has the issuer's name but a different key, so the "+
						"signature does not verify: the trust file holds an old or regenerated CA with the same name.", m[2]),
					findings: findings(fmt.Sprintf("candidate CA %q: %s", m[2], m[1]),
						"Replace the CA in the trust file with the one that signed the chain; compare fingerprints with mtlsdoctor inspect.",
						rejectedCodes(c.role, CodeUnknownAuthority)...),
				}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: cannot verify signature: insecure algorithm ([\w-]+)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				return explained{
					side:     certRejectedSide(verifyRole(c.role)),
					meaning:  fmt.Sprintf("A certificate in the chain is signed with %s, which Go rejects.", m[1]),
					findings: findings("signature algorithm "+m[1], "", rejectedCodes(c.role, CodeInsecureSignature)...),
				}, true
			},
		},
		{
			stack: "go",
			pattern: regexp.MustCompile(`x509: invalid signature: parent certificate cannot sign this kind of certificate` +
				`(?:" while trying to verify candidate authority certificate "([^"]*)")?`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				detail := m[0]
				if m[1] != "" {
					detail = fmt.Sprintf("issuer %q is not a CA", m[1])
				}
				return explained{
					side:     certRejectedSide(verifyRole(c.role)),
					meaning:  "The certificate's issuer is not a CA (basic constraints CA:FALSE or no keyCertSign usage), so it cannot sign certificates.",
					findings: findings(detail, "", rejectedCodes(c.role, CodeNotACA)...),
				}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: certificate signed by unknown authority`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				r := verifyRole(c.role)
				codes := rejectedCodes(r, CodeUnknownAuthority, CodeIncompleteChain)
				meaning := "Go cannot chain the server's certificate to a root in its trust pool: the CA is not " +
					"trusted, the server did not send its intermediate, or the certificate is self-signed."
				if r == roleServer {
					meaning = "The Go server cannot chain the client certificate to a CA in its ClientCAs pool: the " +
						"CA is not trusted, or the client did not send its intermediate."
				}
				return explained{side: certRejectedSide(r), meaning: meaning, findings: findings(m[0], "", codes...)}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: certificate has expired or is not yet valid(?:: current time (\S+) is (after|before) (\S+))?`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				r := verifyRole(c.role)
				var codes []Code
				var detail, meaning string
				switch m[2] {
				case "after":
					codes = []Code{CodeExpired}
					detail = fmt.Sprintf("expired at %s; checked at %s", m[3], m[1])
					meaning = "A certificate in the chain has expired. Go does not say which one; it may be a CA."
				case "before":
					codes = []Code{CodeNotYetValid}
					detail = fmt.Sprintf("valid from %s; checked at %s", m[3], m[1])
					meaning = "A certificate in the chain is not valid yet; the clock of one machine may be wrong."
				default:
					codes = []Code{CodeExpired, CodeNotYetValid}
					detail = m[0]
					meaning = "A certificate in the chain is outside its validity period."
				}
				return explained{side: certRejectedSide(r), meaning: meaning, findings: findings(detail, "", rejectedCodes(r, codes...)...)}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: certificate is valid for (.+), not ([^\s,"]+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:    sideClientRejectedServer,
					meaning: "The server's certificate does not name the host the Go client dialled.",
					findings: findings(fmt.Sprintf("certificate names: %s; dialled: %s", m[1], m[2]),
						fmt.Sprintf("Reissue the certificate with %s in its subject alternative names, or dial one of: %s.", m[2], m[1]),
						CodeHostnameMismatch),
				}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: cannot validate certificate for (\S+) because it doesn't contain any IP SANs`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideClientRejectedServer,
					meaning:  "The client dialled an IP address, but the server's certificate has no IP address in its subject alternative names.",
					findings: findings("dialled IP "+m[1], "", CodeHostnameMismatch),
				}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: certificate is not valid for any names, but wanted to match (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{
					side:     sideClientRejectedServer,
					meaning:  "The server's certificate has no subject alternative names at all, and Go ignores the common name.",
					findings: findings("dialled "+m[1], "", CodeHostnameMismatch, CodeLegacyCommonName),
				}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: certificate relies on legacy Common Name field`),
			explain: fixed(sideClientRejectedServer,
				"The server's certificate names its host only in the subject common name; Go 1.15 and later "+
					"require a subject alternative name.",
				"", CodeLegacyCommonName),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`x509: certificate specifies an incompatible key usage`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				switch c.role {
				case roleServer:
					return explained{side: sideServerRejectedClient,
						meaning:  "The client certificate's extended key usage does not allow TLS client authentication.",
						findings: findings(m[0], "", CodeWrongUsageClient, CodeClientCertRejected)}, true
				case roleClient:
					return explained{side: sideClientRejectedServer,
						meaning:  "The server certificate's extended key usage does not allow TLS server authentication.",
						findings: findings(m[0], "", CodeWrongUsageServer)}, true
				}
				return explained{side: sideEitherRejected,
					meaning: "The peer's certificate lacks the extended key usage for its role: serverAuth for a " +
						"server, clientAuth for a client. A Go server's log prefixes it with \"http: TLS handshake error from\".",
					findings: findings(m[0], "", CodeWrongUsageServer, CodeWrongUsageClient)}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: private key does not match public key`),
			explain: fixed(sideLocalFiles, "The key file is not the private key of the certificate file.", "", CodeKeyMismatch),
		},
		{
			stack: "go",
			pattern: regexp.MustCompile(`tls: failed to find certificate PEM data in certificate input, but did find a private key|` +
				`tls: found a certificate rather than a key in the PEM for the private key`),
			explain: fixed(sideLocalFiles, "The certificate and key files are swapped.",
				"Pass the certificate as the certificate and the key as the key.", CodeNotPEM),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: failed to find any PEM data in (certificate|key) input`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideLocalFiles,
					meaning:  fmt.Sprintf("The %s file has no PEM block: it is DER, empty, or the wrong file.", m[1]),
					findings: findings(m[0], "", CodeNotPEM)}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: failed to parse private key`),
			explain: fixed(sideLocalFiles,
				"Go found a PEM block in the key file but could not parse it as a key: it is encrypted (Go's "+
					"crypto/tls reads no encrypted keys) or of an unknown type.",
				"", CodeEncryptedKey, CodeNotPEM),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: client didn't provide a certificate`),
			explain: fixed(sideServerWantsCert,
				"The Go server (RequireAndVerifyClientCert or RequireAnyClientCert) got no client certificate. Go 1.26 "+
					"clients send none when their certificate's issuer is not among the CAs the server names.",
				"", CodeClientCertRequired),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: client offered only unsupported versions: \[([0-9a-f ]*)\]`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideNoCommonParams,
					meaning:  "The Go server's MinVersion or MaxVersion excludes every TLS version the client offered (0x303 is TLS 1.2, 0x304 TLS 1.3).",
					findings: findings("client offered versions (hex): "+m[1], "", CodeProtocolVersion)}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: no cipher suite supported by both client and server`),
			explain: fixed(sideNoCommonParams, "Client and server share no TLS 1.2 cipher suite.", "", CodeNoSharedCipher),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`http: server gave HTTP response to HTTPS client`),
			explain: fixed(sideServerNotTLS, "The port answers plain HTTP, not TLS.", "", CodePlainHTTP),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`tls: first record does not look like a TLS handshake`),
			explain: fixed(sideServerNotTLS,
				"The server's first bytes were not a TLS record: the port serves plain HTTP or another protocol.",
				"", CodeNotTLS, CodePlainHTTP),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`client sent an HTTP request to an HTTPS server`),
			explain: plainHTTPToTLS,
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`(remote|local) error: tls: ([a-z ]+[a-z])`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				number, ok := goAlertNumbers[m[2]]
				if !ok {
					return explained{}, false
				}
				return explainAlert(number, m[1] == "remote", c, "")
			},
		},
		{
			stack: "go",
			pattern: regexp.MustCompile(`\btls: (certificate required|unknown certificate authority|bad certificate|expired certificate|` +
				`unsupported certificate|unknown certificate|handshake failure|protocol version not supported|unrecognized name)\b`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				return explainAlert(goAlertNumbers[m[1]], true, c, "")
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`net/http: TLS handshake timeout`),
			explain: fixed(sideTimeout, "The TCP connection opened but the TLS handshake did not finish within the transport's TLSHandshakeTimeout.",
				"", CodeHandshakeTimeout),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`Client\.Timeout exceeded|context deadline exceeded`),
			explain: fixed(sideTimeout, "The Go client's timeout or context deadline passed before the server answered.",
				"", CodeHandshakeTimeout, CodeSlowResponse),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`lookup (\S+?)(?: on (\S+))?: no such host`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				detail := "host " + m[1]
				if m[2] != "" {
					detail += " (resolver " + m[2] + ")"
				}
				return explained{side: sideNoDNS, meaning: "The host name does not exist in DNS.",
					findings: findings(detail, "", CodeDNSFailure)}, true
			},
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`(?:Get|Post|Put|Head|Patch|Delete) "[^"]+": EOF$`),
			explain: fixed(sideReset, "The server closed the connection before or during the handshake without a TLS alert.",
				"", CodeConnectionReset),
		},
		{
			stack:   "go",
			pattern: regexp.MustCompile(`open ([^:]+): (no such file or directory|permission denied)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideLocalFiles, meaning: "A certificate or key file cannot be opened: " + m[2] + ".",
					findings: findings("file "+m[1], "", CodeUnreadableFile)}, true
			},
		},
	}
}

func opensslRules() []rule {
	return []rule{
		{
			pattern: regexp.MustCompile(`(?:sslv3|tlsv1|tlsv13) alert ([a-z ]+?)(?:[:,)]|$)|tlsv1 (unrecognized name)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				number, ok := opensslAlertNumbers[m[1]+m[2]]
				if !ok {
					return explained{}, false
				}
				// OpenSSL prints "alert ..." reasons only for alerts it received.
				return explainAlert(number, true, c, "")
			},
		},
		{
			pattern: regexp.MustCompile(`SSL alert number (\d+)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				number, _ := strconv.Atoi(m[1])
				return explainAlert(number, true, c, "")
			},
		},
		{
			pattern: regexp.MustCompile(`\((IN|OUT)\), TLS alert, [^(]*\((\d+)\)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				// curl -v prints the alert level times 256 plus the description.
				code, _ := strconv.Atoi(m[2])
				return explainAlert(code&0xff, m[1] == "IN", c, "curl -v "+m[0])
			},
		},
		{
			pattern: regexp.MustCompile(`peer did not return a certificate`),
			explain: fixed(sideServerWantsCert, "The OpenSSL-based server requires a client certificate and got none.",
				"", CodeClientCertRequired),
		},
		{
			pattern: regexp.MustCompile(`tls_process_client_certificate:certificate verify failed`),
			explain: fixed(sideServerRejectedClient,
				"The OpenSSL server could not verify the client certificate; the \"verify error\" line above it names the reason.",
				"", CodeClientCertRejected),
		},
		{
			// The bare OpenSSL reason, without the verify error that names
			// the cause: s_client's error line, curl's (60) and nginx's
			// SSL_do_handshake() line when it proxies.
			pattern: regexp.MustCompile(`certificate verify failed`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				if c.role == roleServer {
					return explained{side: sideServerRejectedClient,
						meaning:  "The OpenSSL-based server could not verify the client certificate; its \"verify error\" line names the reason.",
						findings: findings(m[0], "", CodeClientCertRejected, CodeUnknownAuthority)}, true
				}
				return explained{side: sideClientRejectedServer,
					meaning: "The OpenSSL-based client could not verify the server's certificate. The line does not say why; " +
						"the verify error before it (s_client's \"verify error:num=N\", nginx's \"upstream SSL certificate verify error\") does. " +
						"The usual causes are a CA the client does not trust and a server that leaves out its intermediate.",
					findings: findings(m[0], "", CodeUnknownAuthority, CodeIncompleteChain)}, true
			},
		},
		{
			pattern: regexp.MustCompile(`no shared cipher`),
			explain: fixed(sideNoCommonParams, "The server shares no cipher suite with the client.", "", CodeNoSharedCipher),
		},
		{
			pattern: regexp.MustCompile(`no suitable signature algorithm`),
			explain: noSignatureAlgorithm,
		},
		{
			pattern: regexp.MustCompile(`legacy sigalg disallowed or unsupported`),
			explain: fixed(sideNoCommonParams,
				"The server chose TLS 1.0 or 1.1 and signed its handshake with SHA-1 or MD5-SHA1, which an OpenSSL 3.0 "+
					"client rejects at its default security level 1. curl 7.88 prints this when it is limited to "+
					"TLS 1.0 or 1.1 (--tls-max) or the server supports nothing newer.",
				"", CodeProtocolVersion),
		},
		{
			pattern: regexp.MustCompile(`unsupported protocol|no protocols available|version too low`),
			explain: fixed(sideNoCommonParams, "Client and server have no TLS version in common.", "", CodeProtocolVersion),
		},
		{
			pattern: regexp.MustCompile(`wrong version number`),
			explain: wrongVersionNumber,
		},
		{
			pattern: regexp.MustCompile(`ssl3_get_record:http request|:http request:`),
			explain: plainHTTPToTLS,
		},
		{
			pattern: regexp.MustCompile(`key values mismatch`),
			explain: fixed(sideLocalFiles, "The private key does not belong to the certificate.", "", CodeKeyMismatch),
		},
		{
			pattern: regexp.MustCompile(`(?:ee|ca) key too small`),
			explain: fixed(sideLocalFiles, "OpenSSL refuses to load a certificate whose key is too short for its security level (RSA below 2048 bits at level 2).",
				"", CodeWeakKey),
		},
		{
			pattern: regexp.MustCompile(`(?:ee|ca) md too weak`),
			explain: fixed(sideLocalFiles, "OpenSSL refuses to load a certificate signed with a digest its security level forbids, such as SHA-1.",
				"", CodeInsecureSignature),
		},
		{
			pattern: regexp.MustCompile(`Could not read (?:client )?(?:certificate )?private key from (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideLocalFiles,
					meaning:  "openssl could not read the key file: it is encrypted and the password is missing or wrong, or it is not a key.",
					findings: findings("key file "+m[1], "", CodeEncryptedKey, CodeNotPEM)}, true
			},
		},
		{
			pattern: regexp.MustCompile(`bad decrypt|bad password read|problems getting password`),
			explain: fixed(sideLocalFiles, "The private key is encrypted and the password is missing or wrong.", "", CodeEncryptedKey),
		},
		{
			pattern: regexp.MustCompile(`Could not open file or uri for loading [a-z ]+ from (\S+)`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				return explained{side: sideLocalFiles, meaning: "openssl cannot open the file.",
					findings: findings("file "+m[1], "", CodeUnreadableFile)}, true
			},
		},
		{
			pattern: regexp.MustCompile(`no start line`),
			explain: fixed(sideLocalFiles, "The file has no PEM block of the expected kind: it is DER, empty, or the wrong file.", "", CodeNotPEM),
		},
		{
			pattern: regexp.MustCompile(`verify error:num=(\d+):(.+)`),
			explain: opensslVerify,
		},
		{
			pattern: regexp.MustCompile(`Verify return code: (\d+) \((.+)\)`),
			explain: opensslVerify,
		},
		{
			pattern: regexp.MustCompile(`Verification error: (.+)`),
			explain: func(m []string, c *lineContext) (explained, bool) {
				v, ok := lookupVerifyText(m[1])
				if !ok {
					return explained{}, false
				}
				return explainVerify(v, m[0], c), true
			},
		},
		{
			pattern: regexp.MustCompile(`unexpected eof while reading`),
			explain: resetBy("The server closed the connection without a TLS close_notify or alert."),
		},
		{
			pattern: regexp.MustCompile(`BIO_lookup_ex:.*(?:Name or service not known|nodename nor servname)`),
			explain: fixed(sideNoDNS, "The host name does not resolve.", "", CodeDNSFailure),
		},
		{
			pattern: regexp.MustCompile(`BIO_connect:Connection refused|connect:errno=111\b`),
			explain: fixed(sideNoConnection, "Nothing listens on that host and port.", "", CodeConnectionRefused),
		},
		{
			pattern: regexp.MustCompile(`:errno=104\b`),
			explain: resetBy("The server reset the TCP connection (errno 104, ECONNRESET)."),
		},
		{
			pattern: regexp.MustCompile(`^no peer certificate available$`),
			explain: fixed(sideServerNotTLS,
				"openssl s_client got no certificate from the server: the handshake ended before the server's "+
					"Certificate message. The error line above it says why; a plain HTTP port or a reset are the usual causes.",
				"", CodeNotTLS, CodeConnectionReset),
		},
	}
}

// networkRules are generic socket errors that several stacks print in the
// same words; they come last so that stack-specific rules win.
func networkRules() []rule {
	return []rule{
		{
			stack:   stackFromSocket,
			pattern: regexp.MustCompile(`(?:dial tcp (\S+): )?connect: connection refused`),
			explain: func(m []string, _ *lineContext) (explained, bool) {
				detail := m[0]
				if m[1] != "" {
					detail = "address " + m[1]
				}
				return explained{side: sideNoConnection, meaning: "Nothing listens on that address and port.",
					findings: findings(detail, "", CodeConnectionRefused)}, true
			},
		},
		{
			// A character class in place of (?i) leaves the rule a literal
			// for the line filter, so lines without it skip the regexp.
			stack:   stackFromSocket,
			pattern: regexp.MustCompile(`[Cc]onnection reset by peer`),
			explain: resetBy("The server reset the TCP connection instead of answering or sending a TLS alert."),
		},
		{
			stack:   stackFromSocket,
			pattern: regexp.MustCompile(`i/o timeout`),
			explain: fixed(sideTimeout, "A dial or read passed its deadline: the server did not answer in time, or a firewall drops the packets.",
				"", CodeHandshakeTimeout),
		},
	}
}

// clientResetFix replaces the catalog's fix for connection-reset, which
// points at the server's log, when the server printed the line.
const clientResetFix = "Read the client's log or output from the same time: the client ended the connection and the server's log cannot say why."

// resetBy returns an explain function for a connection closed without a
// TLS alert. serverClosed is the meaning when a client printed the line.
// In a server's log, such as nginx's error log, the peer that closed the
// connection is the client.
func resetBy(serverClosed string) func([]string, *lineContext) (explained, bool) {
	return func(m []string, c *lineContext) (explained, bool) {
		if c.role == roleServer {
			return explained{
				side: sideClientReset,
				meaning: "The client closed or reset the TCP connection without a TLS alert, before the handshake " +
					"or the request finished.",
				findings: findings(m[0], clientResetFix, CodeConnectionReset),
			}, true
		}
		return explained{side: sideReset, meaning: serverClosed, findings: findings(m[0], "", CodeConnectionReset)}, true
	}
}

// noSignatureAlgorithm explains OpenSSL's "no suitable signature
// algorithm", which a server prints when it cannot sign its handshake.
func noSignatureAlgorithm(m []string, _ *lineContext) (explained, bool) {
	found := findings(m[0],
		"Connect with TLS 1.2 or 1.3. If the client already does, it offers no signature algorithm for the "+
			"server certificate's key type: give the server a certificate whose key type (RSA or ECDSA) the client "+
			"supports. When mtlsdoctor probe --audit sent TLS 1.0 or 1.1, this rejection is what the audit expects.",
		CodeNoSharedCipher)
	found[0].Summary = "client and server share no signature algorithm"
	return explained{
		side: sideNoCommonParams,
		meaning: "Client and server share no signature algorithm that the server may use with its certificate's key, " +
			"so the server cannot sign the handshake. OpenSSL 3.0 forbids SHA-1 and MD5-SHA1 signatures at its " +
			"default security level 1, and TLS 1.0 and 1.1 need one of them. So a server on it that still enables " +
			"those versions (nginx 1.22 does by default) prints this for every TLS 1.0 or 1.1 client, with an RSA " +
			"or an ECDSA certificate, and sends alert 80 (internal_error). Over TLS 1.3 it means the client offers " +
			"no algorithm for the certificate's key type (alert 40, handshake_failure).",
		findings: found,
	}, true
}

func opensslVerify(m []string, c *lineContext) (explained, bool) {
	num, _ := strconv.Atoi(m[1])
	if num == 0 {
		return explained{}, false
	}
	v, ok := lookupVerifyNum(num)
	if !ok {
		v, ok = lookupVerifyText(m[2])
	}
	if !ok {
		return explained{}, false
	}
	return explainVerify(v, fmt.Sprintf("OpenSSL verify error %d (%s)", num, strings.TrimSpace(m[2])), c), true
}

func wrongVersionNumber(m []string, _ *lineContext) (explained, bool) {
	return explained{
		side: sideServerNotTLS,
		meaning: "The server's first bytes were not a TLS record, so OpenSSL read them as a wrong version: the " +
			"port answers plain HTTP or another protocol.",
		findings: findings(m[0], "", CodePlainHTTP, CodeNotTLS),
	}, true
}

func plainHTTPToTLS(m []string, _ *lineContext) (explained, bool) {
	return explained{
		side:    sideClientNotTLS,
		meaning: "The client used http:// on a port that expects TLS; the server answered with an error page or closed the connection.",
		findings: []Finding{New(CodePlainHTTP, "the client sent plain HTTP to a TLS port", m[0]).
			WithFix("Use https:// for this port.")},
	}, true
}
