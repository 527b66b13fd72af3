package probe

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
)

// RequestOptions set the values that NewESRequest and NewCXRequest put in
// a WebhookRequest. Empty fields take the defaults given below; the IDs
// default to new random values on every call.
type RequestOptions struct {
	Project      string // Google Cloud project ID; default DefaultProject
	Location     string // CX agent location; default "global"
	Agent        string // CX agent ID; default a random UUID
	SessionID    string // default a random UUID
	ResponseID   string // ES responseId or CX detectIntentResponseId
	Text         string // the end user's query; default "mtlsdoctor probe"
	LanguageCode string // default "en"
	Tag          string // CX fulfillmentInfo.tag; default "mtlsdoctor-probe"
	// Session is a whole session name of the edition's form. When set, it
	// is sent as it is, and the names of the intent, page and contexts
	// use its project and agent instead of Project, Location and Agent.
	Session string
	// Parameters are the ES queryResult.parameters or CX
	// sessionInfo.parameters; nil sends an empty object.
	Parameters map[string]any
}

func (o RequestOptions) withDefaults() RequestOptions {
	if o.Project == "" {
		o.Project = DefaultProject
	}
	if o.Location == "" {
		o.Location = "global"
	}
	if o.Agent == "" {
		o.Agent = newUUID()
	}
	if o.SessionID == "" {
		o.SessionID = newUUID()
	}
	if o.Text == "" {
		o.Text = "mtlsdoctor probe"
	}
	if o.LanguageCode == "" {
		o.LanguageCode = "en"
	}
	if o.Tag == "" {
		o.Tag = "mtlsdoctor-probe"
	}
	if o.Parameters == nil {
		o.Parameters = map[string]any{}
	}
	return o
}

// ESSessionName returns an ES session name, projects/P/agent/sessions/S.
func ESSessionName(project, sessionID string) string {
	return fmt.Sprintf("projects/%s/agent/sessions/%s", project, sessionID)
}

// CXSessionName returns a CX session name,
// projects/P/locations/L/agents/A/sessions/S.
func CXSessionName(project, location, agent, sessionID string) string {
	return fmt.Sprintf("projects/%s/locations/%s/agents/%s/sessions/%s", project, location, agent, sessionID)
}

// newUUID returns a random version 4 UUID (RFC 9562).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // documented since Go 1.24 to never return an error
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// The JSON shapes of the ES v2 WebhookRequest, limited to the fields the
// probe fills.
type (
	esWebhookRequest struct {
		ResponseID                  string            `json:"responseId"`
		Session                     string            `json:"session"`
		QueryResult                 esQueryResult     `json:"queryResult"`
		OriginalDetectIntentRequest esOriginalRequest `json:"originalDetectIntentRequest"`
	}
	esQueryResult struct {
		QueryText                 string         `json:"queryText"`
		Parameters                map[string]any `json:"parameters"`
		AllRequiredParamsPresent  bool           `json:"allRequiredParamsPresent"`
		FulfillmentMessages       []textMessage  `json:"fulfillmentMessages"`
		OutputContexts            []esContext    `json:"outputContexts"`
		Intent                    esIntent       `json:"intent"`
		IntentDetectionConfidence float64        `json:"intentDetectionConfidence"`
		LanguageCode              string         `json:"languageCode"`
	}
	esContext struct {
		Name          string         `json:"name"`
		LifespanCount int            `json:"lifespanCount,omitempty"`
		Parameters    map[string]any `json:"parameters"`
	}
	esIntent struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	}
	esOriginalRequest struct {
		Payload map[string]any `json:"payload"`
	}
	textMessage struct {
		Text struct {
			Text []string `json:"text"`
		} `json:"text"`
	}
)

// NewESRequest returns a Dialogflow ES v2 WebhookRequest as JSON, shaped
// like the requests the platform sends when an intent with fulfillment
// matches.
func NewESRequest(opts RequestOptions) []byte {
	opts = opts.withDefaults()
	if opts.ResponseID == "" {
		// ES response IDs are a UUID followed by a short hex suffix.
		opts.ResponseID = newUUID() + "-" + newUUID()[:8]
	}
	session, agent := ESSessionName(opts.Project, opts.SessionID), "projects/"+opts.Project+"/agent"
	if parsed, err := parseSessionName(opts.Session); err == nil {
		session, agent = opts.Session, parsed.agentPath
	}

	var message textMessage
	message.Text.Text = []string{""}
	req := esWebhookRequest{
		ResponseID: opts.ResponseID,
		Session:    session,
		QueryResult: esQueryResult{
			QueryText:                opts.Text,
			Parameters:               opts.Parameters,
			AllRequiredParamsPresent: true,
			FulfillmentMessages:      []textMessage{message},
			OutputContexts: []esContext{{
				Name:       session + "/contexts/__system_counters__",
				Parameters: map[string]any{"no-input": 0, "no-match": 0},
			}},
			Intent: esIntent{
				Name:        agent + "/intents/" + newUUID(),
				DisplayName: "mtlsdoctor probe",
			},
			IntentDetectionConfidence: 1,
			LanguageCode:              opts.LanguageCode,
		},
		OriginalDetectIntentRequest: esOriginalRequest{Payload: map[string]any{}},
	}
	return mustMarshal(req)
}

// The JSON shapes of the CX v3 WebhookRequest, limited to the fields the
// probe fills.
type (
	cxWebhookRequest struct {
		DetectIntentResponseID string            `json:"detectIntentResponseId"`
		IntentInfo             cxIntentInfo      `json:"intentInfo"`
		PageInfo               cxPageInfo        `json:"pageInfo"`
		SessionInfo            cxSessionInfo     `json:"sessionInfo"`
		FulfillmentInfo        cxFulfillmentInfo `json:"fulfillmentInfo"`
		Messages               []cxMessage       `json:"messages"`
		Text                   string            `json:"text"`
		LanguageCode           string            `json:"languageCode"`
	}
	cxIntentInfo struct {
		LastMatchedIntent string  `json:"lastMatchedIntent"`
		DisplayName       string  `json:"displayName"`
		Confidence        float64 `json:"confidence"`
	}
	cxPageInfo struct {
		CurrentPage string `json:"currentPage"`
		DisplayName string `json:"displayName"`
	}
	cxSessionInfo struct {
		Session    string         `json:"session"`
		Parameters map[string]any `json:"parameters"`
	}
	cxFulfillmentInfo struct {
		Tag string `json:"tag"`
	}
	cxMessage struct {
		textMessage
		ResponseType string `json:"responseType"`
		Source       string `json:"source"`
	}
)

// cxDefaultStartFlow is the ID every CX agent gives its default start flow.
const cxDefaultStartFlow = "00000000-0000-0000-0000-000000000000"

// NewCXRequest returns a Dialogflow CX v3 WebhookRequest as JSON, shaped
// like the requests the platform sends when a route on the start page calls
// the webhook.
func NewCXRequest(opts RequestOptions) []byte {
	opts = opts.withDefaults()
	if opts.ResponseID == "" {
		opts.ResponseID = newUUID()
	}
	agent := fmt.Sprintf("projects/%s/locations/%s/agents/%s", opts.Project, opts.Location, opts.Agent)
	session := CXSessionName(opts.Project, opts.Location, opts.Agent, opts.SessionID)
	if parsed, err := parseSessionName(opts.Session); err == nil {
		session, agent = opts.Session, parsed.agentPath
	}

	var message cxMessage
	message.Text.Text = []string{"Calling the webhook."}
	message.ResponseType = "HANDLER_PROMPT"
	message.Source = "VIRTUAL_AGENT"
	req := cxWebhookRequest{
		DetectIntentResponseID: opts.ResponseID,
		IntentInfo: cxIntentInfo{
			LastMatchedIntent: agent + "/intents/" + newUUID(),
			DisplayName:       "mtlsdoctor probe",
			Confidence:        1,
		},
		PageInfo: cxPageInfo{
			CurrentPage: agent + "/flows/" + cxDefaultStartFlow + "/pages/START_PAGE",
			DisplayName: "Start Page",
		},
		SessionInfo: cxSessionInfo{
			Session:    session,
			Parameters: opts.Parameters,
		},
		FulfillmentInfo: cxFulfillmentInfo{Tag: opts.Tag},
		Messages:        []cxMessage{message},
		Text:            opts.Text,
		LanguageCode:    opts.LanguageCode,
	}
	return mustMarshal(req)
}

// mustMarshal encodes v, which contains only strings, numbers, booleans,
// slices and maps with string keys, so encoding cannot fail.
func mustMarshal(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic("probe: encode webhook request: " + err.Error())
	}
	return data
}

// sessionName is the part of a Dialogflow session name that the probe
// needs: the project, the agent path that intent and page names start
// with, and the edition the form belongs to.
type sessionName struct {
	project   string
	agentPath string // projects/P[/locations/L]/agent or projects/P/locations/L/agents/A
	edition   Edition
}

// parseSessionName parses the session name forms
//
//	ES: projects/P[/locations/L]/agent[/environments/E/users/U]/sessions/S
//	CX: projects/P/locations/L/agents/A[/environments/E]/sessions/S
//
// in which every ID is non-empty and contains no slash.
func parseSessionName(name string) (sessionName, error) {
	fail := func(reason string) (sessionName, error) {
		return sessionName{}, fmt.Errorf("invalid session name %q: %s: expected "+
			"projects/P[/locations/L]/agent[/environments/E/users/U]/sessions/S (ES) or "+
			"projects/P/locations/L/agents/A[/environments/E]/sessions/S (CX)", name, reason)
	}
	parts := strings.Split(name, "/")
	if slices.Contains(parts, "") {
		return fail("empty path segment")
	}
	if len(parts) < 2 || parts[0] != "projects" {
		return fail(`it does not start with "projects/P"`)
	}
	s := sessionName{project: parts[1]}
	i := 2
	hasLocation := len(parts) > i+1 && parts[i] == "locations"
	if hasLocation {
		i += 2
	}

	switch {
	case len(parts) > i && parts[i] == "agent":
		s.edition, i = EditionES, i+1
		s.agentPath = strings.Join(parts[:i], "/")
		if len(parts) > i && parts[i] == "environments" {
			if len(parts) < i+4 || parts[i+2] != "users" {
				return fail(`"environments/E" is not followed by "users/U"`)
			}
			i += 4
		}
	case len(parts) > i+1 && parts[i] == "agents":
		if !hasLocation {
			return fail(`a CX name needs "locations/L" before "agents/A"`)
		}
		s.edition, i = EditionCX, i+2
		s.agentPath = strings.Join(parts[:i], "/")
		if len(parts) > i+1 && parts[i] == "environments" {
			i += 2
		}
	default:
		return fail(`"agent" (ES) or "agents/A" (CX) is missing after the project and location`)
	}

	if len(parts) != i+2 || parts[i] != "sessions" {
		return fail(`it does not end with "sessions/S" after the agent or environment`)
	}
	return s, nil
}

// withSessionProject returns name with its project replaced by project.
// name must be a valid session name.
func withSessionProject(name, project string) string {
	parts := strings.SplitN(name, "/", 3)
	return parts[0] + "/" + project + "/" + parts[2]
}

// fullSessionName reports whether Options.Session is a whole session name
// rather than a session ID.
func fullSessionName(session string) bool {
	return strings.HasPrefix(session, "projects/")
}

// effectiveProject returns the project that the requests name: Project,
// or the project of a whole session name, or "" when neither is set.
func (opts Options) effectiveProject() string {
	if opts.Project != "" {
		return opts.Project
	}
	if s, err := parseSessionName(opts.Session); err == nil {
		return s.project
	}
	return ""
}

// validateRequest checks the options that shape the webhook request.
func (opts Options) validateRequest() error {
	if fullSessionName(opts.Session) {
		s, err := parseSessionName(opts.Session)
		if err != nil {
			return fmt.Errorf("invalid --session: %w", err)
		}
		if (opts.Edition == EditionES || opts.Edition == "") && s.edition != EditionES ||
			opts.Edition == EditionCX && s.edition != EditionCX {
			return fmt.Errorf("invalid --session %q: it is a Dialogflow %s session name, but --edition is %s",
				opts.Session, strings.ToUpper(string(s.edition)), cmp.Or(opts.Edition, EditionES))
		}
		if opts.Project != "" && opts.Project != s.project {
			return fmt.Errorf("--session names project %q but --project is %q: drop one, or make them agree", s.project, opts.Project)
		}
	} else if strings.ContainsAny(opts.Session, "/ \t\r\n") {
		return fmt.Errorf("invalid --session %q: a session ID contains no slash or space; pass the ID alone, or a whole session name starting with projects/", opts.Session)
	}
	if strings.Contains(opts.Project, "/") {
		return fmt.Errorf("invalid --project %q: give the ID that follows \"projects/\" in the session name, such as my-project-123", opts.Project)
	}
	for name, values := range opts.Header {
		if err := checkHeader(name, values); err != nil {
			return err
		}
	}
	return nil
}

// requestOptions returns the values of the request body.
func (opts Options) requestOptions() RequestOptions {
	ro := RequestOptions{
		Project:    opts.Project,
		Text:       opts.Text,
		Tag:        opts.Tag,
		Parameters: maps.Clone(opts.Parameters),
	}
	if fullSessionName(opts.Session) {
		ro.Session = opts.Session
	} else {
		ro.SessionID = opts.Session
	}
	return ro
}

// newRequest builds the request the platform would send: a POST of the
// edition's WebhookRequest with Content-Type application/json, or a GET
// for EditionNone, with the extra headers of Options.Header.
func (p *prober) newRequest() *http.Request {
	method, body := http.MethodPost, []byte(nil)
	switch p.opts.Edition {
	case EditionES:
		body = NewESRequest(p.opts.requestOptions())
	case EditionCX:
		body = NewCXRequest(p.opts.requestOptions())
	default:
		method = http.MethodGet
	}
	req, _ := http.NewRequest(method, p.url.String(), bytes.NewReader(body)) // the URL was parsed before
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", userAgent)
	for name, values := range p.opts.Header {
		req.Header[http.CanonicalHeaderKey(name)] = slices.Clone(values)
	}
	if p.opts.ServerName != "" {
		// Name the same virtual host in HTTP as in SNI.
		req.Host = p.opts.ServerName
		if port := p.url.Port(); port != "" {
			req.Host = net.JoinHostPort(p.opts.ServerName, port)
		}
	}
	req.Close = true
	return req
}

// hopByHop is the reason to reject a header that concerns the connection
// rather than the request (RFC 9110, section 7.6.1).
const hopByHop = "it concerns the connection rather than the request (RFC 9110, section 7.6.1), and the probe sends Connection: close with its one request"

// framingHeaders maps the headers that the probe sets itself, from the
// URL and the body, to the reason why --header may not set them. Setting
// them by hand would make a malformed request. The names are canonical.
var framingHeaders = map[string]string{
	"Host":              "the probe sets it from the URL's host; use --server-name to send another name",
	"Content-Length":    "the probe sets it from the length of the request body it sends",
	"Transfer-Encoding": "the probe frames its request body with Content-Length, and a request with both headers is malformed (RFC 9112, section 6.2)",
	"Trailer":           "it announces fields after a chunked body, and the probe frames its request body with Content-Length and sends no trailer fields",
	"Connection":        hopByHop,
	"Keep-Alive":        hopByHop,
	"Proxy-Connection":  hopByHop,
	"Te":                hopByHop,
	"Upgrade":           hopByHop,
}

// ParseHeader splits a --header value of the form "Name: value". The
// error names the header but never repeats its value, which may be a
// secret such as a bearer token.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", fmt.Errorf("invalid --header: expected \"Name: value\", such as \"Authorization: Bearer TOKEN\"")
	}
	value = strings.TrimSpace(value)
	if err := checkHeader(name, []string{value}); err != nil {
		return "", "", err
	}
	return http.CanonicalHeaderKey(name), value, nil
}

// checkHeader validates a header name (an RFC 9110 token) and its values.
func checkHeader(name string, values []string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenRune(r) }) >= 0 {
		return fmt.Errorf("invalid --header name %q: use letters, digits and -", name)
	}
	canonical := http.CanonicalHeaderKey(name)
	if reason, ok := framingHeaders[canonical]; ok {
		return fmt.Errorf("invalid --header %q: %s", canonical, reason)
	}
	for _, v := range values {
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("invalid --header %q: the value contains a line break or NUL byte", name)
		}
	}
	return nil
}

// isTokenRune reports whether r may appear in an HTTP token (RFC 9110,
// section 5.6.2).
func isTokenRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// ParseParam splits a --param value of the form key=value. A value that
// is valid JSON, such as 42, true or {"a":1}, keeps its JSON type; any
// other value is a string.
func ParseParam(s string) (string, any, error) {
	key, raw, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return "", nil, fmt.Errorf("invalid --param %q: expected key=value, such as city=Paris or guests=2", s)
	}
	var value any
	if err := json.Unmarshal([]byte(raw), &value); err != nil {
		return key, raw, nil
	}
	return key, value, nil
}
