package serve

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Top-level fields that mark a request body's edition. ES v2 and CX v3
// WebhookRequests share none of them.
var (
	esFields = []string{"queryResult", "session", "responseId"}
	cxFields = []string{"fulfillmentInfo", "sessionInfo", "detectIntentResponseId"}
)

// messageText is the text message that both editions' responses contain.
type messageText struct {
	Text struct {
		Text []string `json:"text"`
	} `json:"text"`
}

// esResponse is a Dialogflow ES v2 WebhookResponse.
type esResponse struct {
	FulfillmentText     string        `json:"fulfillmentText"`
	FulfillmentMessages []messageText `json:"fulfillmentMessages"`
	Source              string        `json:"source"`
}

// cxResponse is a Dialogflow CX v3 WebhookResponse.
type cxResponse struct {
	FulfillmentResponse struct {
		Messages []messageText `json:"messages"`
	} `json:"fulfillmentResponse"`
}

// errorResponse is the JSON body of every 4xx response.
type errorResponse struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

// requestRecord collects what the request log line reports.
type requestRecord struct {
	status int
	attrs  []slog.Attr
}

// handle serves every request and logs it once.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	rec := &requestRecord{}
	client := verifiedClientCert(r.TLS)
	s.route(w, r, rec, client)

	attrs := []slog.Attr{
		slog.String("remote", r.RemoteAddr),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.status),
	}
	if client != nil {
		attrs = append(attrs, slog.String("cn", client.Subject.CommonName),
			slog.String("sha256", report.Fingerprint(client.Raw)))
	}
	attrs = append(attrs, rec.attrs...)
	level := slog.LevelInfo
	if rec.status >= 400 {
		level = slog.LevelWarn
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, rec *requestRecord, client *x509.Certificate) {
	if s.subject != nil && (client == nil || !s.subject.match(client)) {
		subject := "none"
		if client != nil {
			subject = client.Subject.String()
		}
		s.reject(w, rec, http.StatusForbidden, fmt.Sprintf(
			"client certificate subject %q does not match --client-subject %q", subject, s.subject.source))
		return
	}

	switch r.Method {
	case http.MethodGet, http.MethodHead:
		rec.status = http.StatusOK
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(rec.status)
		_, _ = io.WriteString(w, "mtlsdoctor serve: "+s.identityText(client)+"\n")
	case http.MethodPost:
		s.respondWebhook(w, r, rec, client)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		s.reject(w, rec, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed: use POST for webhook requests or GET", r.Method))
	}
}

// identityText describes the TLS result for reply texts.
func (s *Server) identityText(client *x509.Certificate) string {
	switch {
	case client != nil:
		return fmt.Sprintf("TLS ok, client certificate CN=%s verified", client.Subject.CommonName)
	case s.cfg.ClientAuth == ClientAuthNone:
		return "TLS ok, no client certificate (--client-auth none does not request one)"
	}
	return "TLS ok, no client certificate"
}

// respondWebhook responds to a Dialogflow WebhookRequest with a
// WebhookResponse of the same edition, after the --project check.
func (s *Server) respondWebhook(w http.ResponseWriter, r *http.Request, rec *requestRecord, client *x509.Certificate) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.Limits.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.reject(w, rec, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", tooLarge.Limit))
			return
		}
		s.reject(w, rec, http.StatusBadRequest, "read request body: "+err.Error())
		return
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		reason := "the body is not a JSON object"
		if err != nil {
			reason = err.Error()
		}
		s.reject(w, rec, http.StatusBadRequest, "invalid JSON in request body: "+reason)
		return
	}
	edition, err := detectEdition(fields)
	if err != nil {
		s.reject(w, rec, http.StatusBadRequest, err.Error())
		return
	}
	rec.attrs = append(rec.attrs, slog.String("edition", string(edition)))

	sessionName := sessionNameOf(edition, fields)
	session, sessionErr := ParseSession(sessionName)
	if sessionErr == nil {
		rec.attrs = append(rec.attrs, slog.String("project", session.Project))
	}
	if len(s.cfg.Projects) > 0 {
		if reason := s.checkProject(sessionName, session, sessionErr); reason != "" {
			s.reject(w, rec, http.StatusForbidden, reason)
			return
		}
	}

	text := s.identityText(client) + "; Dialogflow " + strings.ToUpper(string(edition)) + " webhook request"
	if sessionErr == nil {
		text += " for project " + session.Project
	}
	rec.status = http.StatusOK
	writeJSON(w, rec.status, webhookResponse(edition, text))
}

// checkProject returns why the session is not one of --project, or "".
func (s *Server) checkProject(name string, session Session, parseErr error) string {
	allowed := strings.Join(s.cfg.Projects, ", ")
	switch {
	case name == "":
		return "the request has no session name, so its project cannot be checked against --project " + allowed
	case parseErr != nil:
		return parseErr.Error()
	}
	for _, p := range s.cfg.Projects {
		if session.Project == p {
			return ""
		}
	}
	return fmt.Sprintf("project %q of session %q is not among the allowed projects (--project %s)", session.Project, name, allowed)
}

// detectEdition distinguishes ES from CX requests by their top-level fields.
func detectEdition(fields map[string]json.RawMessage) (Edition, error) {
	es, cx := presentFields(fields, esFields), presentFields(fields, cxFields)
	switch {
	case len(es) > 0 && len(cx) > 0:
		return "", fmt.Errorf("request mixes ES fields (%s) with CX fields (%s): send one edition's WebhookRequest",
			strings.Join(es, ", "), strings.Join(cx, ", "))
	case len(es) > 0:
		return EditionES, nil
	case len(cx) > 0:
		return EditionCX, nil
	}
	return "", fmt.Errorf("request is not a Dialogflow WebhookRequest: expected ES fields (%s) or CX fields (%s)",
		strings.Join(esFields, ", "), strings.Join(cxFields, ", "))
}

func presentFields(fields map[string]json.RawMessage, names []string) []string {
	var present []string
	for _, name := range names {
		if _, ok := fields[name]; ok {
			present = append(present, name)
		}
	}
	return present
}

// sessionNameOf returns the session name of the request, or "" when it has
// none or it is not a string: ES keeps it in "session", CX in
// "sessionInfo.session".
func sessionNameOf(edition Edition, fields map[string]json.RawMessage) string {
	var name string
	if edition == EditionES {
		_ = json.Unmarshal(fields["session"], &name)
		return name
	}
	var info struct {
		Session string `json:"session"`
	}
	_ = json.Unmarshal(fields["sessionInfo"], &info)
	return info.Session
}

// webhookResponse builds the edition's WebhookResponse with one text
// message.
func webhookResponse(edition Edition, text string) any {
	var message messageText
	message.Text.Text = []string{text}
	if edition == EditionCX {
		var resp cxResponse
		resp.FulfillmentResponse.Messages = []messageText{message}
		return resp
	}
	return esResponse{
		FulfillmentText:     text,
		FulfillmentMessages: []messageText{message},
		Source:              "mtlsdoctor",
	}
}

// reject writes a JSON error response and records the reason for the log.
func (s *Server) reject(w http.ResponseWriter, rec *requestRecord, status int, reason string) {
	rec.status = status
	rec.attrs = append(rec.attrs, slog.String("reason", reason))
	writeJSON(w, status, errorResponse{Error: reason, Status: status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// The response types contain only strings and slices, so Marshal
		// cannot fail on them.
		panic(fmt.Sprintf("serve: encode response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
