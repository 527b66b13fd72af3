package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

const (
	esRequest = `{
  "responseId": "response-id",
  "session": "projects/my-project/agent/sessions/session-1",
  "queryResult": {"queryText": "hi", "parameters": {}, "languageCode": "en",
    "intent": {"name": "projects/my-project/agent/intents/1", "displayName": "greet"}},
  "originalDetectIntentRequest": {}
}`
	cxRequest = `{
  "detectIntentResponseId": "response-id",
  "fulfillmentInfo": {"tag": "greet"},
  "sessionInfo": {"session": "projects/my-project/locations/global/agents/agent-1/sessions/session-1", "parameters": {}},
  "text": "hi",
  "languageCode": "en"
}`
)

// esWebhookResponse and cxWebhookResponse mirror the responses the
// server must send. Decoding with DisallowUnknownFields checks the field
// names.
type esWebhookResponse struct {
	FulfillmentText     string `json:"fulfillmentText"`
	FulfillmentMessages []struct {
		Text struct {
			Text []string `json:"text"`
		} `json:"text"`
	} `json:"fulfillmentMessages"`
	Source string `json:"source"`
}

type cxWebhookResponse struct {
	FulfillmentResponse struct {
		Messages []struct {
			Text struct {
				Text []string `json:"text"`
			} `json:"text"`
		} `json:"messages"`
	} `json:"fulfillmentResponse"`
}

func decodeStrict(t *testing.T, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v; body: %s", v, err, body)
	}
}

// post sends body to the server as the platform would and returns the
// status and the response body.
func post(t *testing.T, client *http.Client, url, body string) (int, []byte) {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, data
}

func TestWebhookES(t *testing.T) {
	ts := startServer(t, nil)
	status, body := post(t, ts.client(ts.pki.Client), ts.url(), esRequest)
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200; body: %s", status, body)
	}

	var resp esWebhookResponse
	decodeStrict(t, body, &resp)
	wantText := "client certificate CN=mtlsdoctor test client verified; Dialogflow ES webhook request for project my-project"
	if !strings.Contains(resp.FulfillmentText, wantText) {
		t.Errorf("fulfillmentText %q does not contain %q", resp.FulfillmentText, wantText)
	}
	if len(resp.FulfillmentMessages) != 1 || len(resp.FulfillmentMessages[0].Text.Text) != 1 {
		t.Fatalf("fulfillmentMessages = %+v, want one text message", resp.FulfillmentMessages)
	}
	if got := resp.FulfillmentMessages[0].Text.Text[0]; got != resp.FulfillmentText {
		t.Errorf("message text %q differs from fulfillmentText %q", got, resp.FulfillmentText)
	}
	if resp.Source != "mtlsdoctor" {
		t.Errorf("source = %q, want mtlsdoctor", resp.Source)
	}
	ts.logs.waitRecord(t, "request", map[string]string{"edition": "es", "project": "my-project", "cn": "mtlsdoctor test client"})
}

func TestWebhookCX(t *testing.T) {
	ts := startServer(t, nil)
	status, body := post(t, ts.client(ts.pki.Client), ts.url(), cxRequest)
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200; body: %s", status, body)
	}

	var resp cxWebhookResponse
	decodeStrict(t, body, &resp)
	messages := resp.FulfillmentResponse.Messages
	if len(messages) != 1 || len(messages[0].Text.Text) != 1 {
		t.Fatalf("fulfillmentResponse.messages = %+v, want one text message", messages)
	}
	wantText := "client certificate CN=mtlsdoctor test client verified; Dialogflow CX webhook request for project my-project"
	if got := messages[0].Text.Text[0]; !strings.Contains(got, wantText) {
		t.Errorf("message text %q does not contain %q", got, wantText)
	}
	ts.logs.waitRecord(t, "request", map[string]string{"edition": "cx", "project": "my-project"})
}

func TestWebhookCurlPost(t *testing.T) {
	ts := startServer(t, nil)
	res := ts.curl(t, append(curlWithCert, "-H", "Content-Type: application/json", "--data", esRequest)...)
	if res.exitCode != 0 {
		t.Fatalf("curl exit code %d; stderr:\n%s", res.exitCode, res.stderr)
	}
	var resp esWebhookResponse
	decodeStrict(t, []byte(res.stdout), &resp)
	if !strings.Contains(resp.FulfillmentText, "CN=mtlsdoctor test client verified") {
		t.Errorf("fulfillmentText %q does not name the client", resp.FulfillmentText)
	}
}

func TestWebhookBadRequests(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		body       string
		wantStatus int
		wantError  string
	}{
		{name: "invalid JSON", method: http.MethodPost, body: `{"session": `, wantStatus: http.StatusBadRequest, wantError: "invalid JSON in request body"},
		{name: "JSON array", method: http.MethodPost, body: `[1, 2]`, wantStatus: http.StatusBadRequest, wantError: "invalid JSON in request body"},
		{name: "JSON null", method: http.MethodPost, body: `null`, wantStatus: http.StatusBadRequest, wantError: "not a JSON object"},
		{name: "empty object", method: http.MethodPost, body: `{}`, wantStatus: http.StatusBadRequest, wantError: "not a Dialogflow WebhookRequest"},
		{
			name: "mixed editions", method: http.MethodPost,
			body:       `{"session": "projects/p/agent/sessions/s", "sessionInfo": {}}`,
			wantStatus: http.StatusBadRequest, wantError: "mixes ES fields (session) with CX fields (sessionInfo)",
		},
		{
			name: "body too large", method: http.MethodPost,
			body:       `{"session": "` + strings.Repeat("x", DefaultMaxBodyBytes) + `"}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantError: "larger than 1048576 bytes",
		},
		{name: "PUT", method: http.MethodPut, body: esRequest, wantStatus: http.StatusMethodNotAllowed, wantError: "method PUT is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			req, err := http.NewRequest(tt.method, ts.url(), strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := ts.client(ts.pki.Client).Do(req)
			if err != nil {
				t.Fatalf("%s: %v", tt.method, err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d; body: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			var errBody errorResponse
			decodeStrict(t, body, &errBody)
			if !strings.Contains(errBody.Error, tt.wantError) {
				t.Errorf("error %q does not contain %q", errBody.Error, tt.wantError)
			}
			if errBody.Status != tt.wantStatus {
				t.Errorf("error status %d, want %d", errBody.Status, tt.wantStatus)
			}
		})
	}
}

func TestGetReply(t *testing.T) {
	tests := []struct {
		name string
		auth ClientAuth
		cert bool
		want string
	}{
		{name: "verified client", auth: ClientAuthRequire, cert: true,
			want: "mtlsdoctor serve: TLS ok, client certificate CN=mtlsdoctor test client verified\n"},
		{name: "no client cert", auth: ClientAuthRequest, cert: false,
			want: "mtlsdoctor serve: TLS ok, no client certificate\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) { c.ClientAuth = tt.auth })
			var cert *fixtures.Cert
			if tt.cert {
				cert = ts.pki.Client
			}
			resp, err := ts.client(cert).Get(ts.url())
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d, want 200", resp.StatusCode)
			}
			if string(body) != tt.want {
				t.Errorf("body %q, want %q", body, tt.want)
			}
		})
	}
}

func TestProjectFilter(t *testing.T) {
	es := func(session string) string {
		return `{"responseId": "r", "session": "` + session + `", "queryResult": {"queryText": "hi"}}`
	}
	cx := func(session string) string {
		return `{"detectIntentResponseId": "r", "sessionInfo": {"session": "` + session + `"}}`
	}
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantError  string
	}{
		{name: "ES allowed", body: es("projects/allowed-1/agent/sessions/s"), wantStatus: http.StatusOK},
		{name: "ES second allowed", body: es("projects/allowed-2/locations/europe-west1/agent/environments/e/users/u/sessions/s"), wantStatus: http.StatusOK},
		{name: "ES other project", body: es("projects/other/agent/sessions/s"), wantStatus: http.StatusForbidden,
			wantError: `project "other" of session "projects/other/agent/sessions/s" is not among the allowed projects (--project allowed-1, allowed-2)`},
		{name: "ES project prefix", body: es("projects/allowed-1x/agent/sessions/s"), wantStatus: http.StatusForbidden, wantError: `project "allowed-1x"`},
		{name: "CX allowed", body: cx("projects/allowed-1/locations/global/agents/a/sessions/s"), wantStatus: http.StatusOK},
		{name: "CX other project", body: cx("projects/other/locations/global/agents/a/environments/e/sessions/s"), wantStatus: http.StatusForbidden, wantError: `project "other"`},
		{name: "no session", body: `{"queryResult": {"queryText": "hi"}}`, wantStatus: http.StatusForbidden, wantError: "has no session name"},
		{name: "malformed session", body: es("projects/allowed-1/sessions/s"), wantStatus: http.StatusForbidden, wantError: "invalid session name"},
		{name: "session not a string", body: `{"session": 42}`, wantStatus: http.StatusForbidden, wantError: "has no session name"},
	}
	ts := startServer(t, func(c *Config) { c.Projects = []string{"allowed-1", "allowed-2"} })
	client := ts.client(ts.pki.Client)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, client, ts.url(), tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body: %s", status, tt.wantStatus, body)
			}
			if tt.wantError == "" {
				return
			}
			var errBody errorResponse
			decodeStrict(t, body, &errBody)
			if !strings.Contains(errBody.Error, tt.wantError) {
				t.Errorf("error %q does not contain %q", errBody.Error, tt.wantError)
			}
		})
	}
}

func TestProjectFilterOff(t *testing.T) {
	ts := startServer(t, nil)
	body := `{"responseId": "r", "session": "projects/anyone/agent/sessions/s", "queryResult": {}}`
	status, resp := post(t, ts.client(ts.pki.Client), ts.url(), body)
	if status != http.StatusOK {
		t.Errorf("status %d without --project, want 200; body: %s", status, resp)
	}
}

func TestClientSubjectPin(t *testing.T) {
	tests := []struct {
		name       string
		pattern    string
		auth       ClientAuth
		sendCert   bool
		wantStatus int
	}{
		{name: "CN matches", pattern: "mtlsdoctor test client", auth: ClientAuthRequire, sendCert: true, wantStatus: http.StatusOK},
		{name: "DN matches", pattern: `CN=mtlsdoctor test client,O=mtlsdoctor test PKI`, auth: ClientAuthRequire, sendCert: true, wantStatus: http.StatusOK},
		{name: "regexp matches", pattern: `mtlsdoctor .* client`, auth: ClientAuthRequire, sendCert: true, wantStatus: http.StatusOK},
		{name: "CN differs", pattern: "Google LLC", auth: ClientAuthRequire, sendCert: true, wantStatus: http.StatusForbidden},
		{name: "partial CN", pattern: "mtlsdoctor test", auth: ClientAuthRequire, sendCert: true, wantStatus: http.StatusForbidden},
		{name: "no cert under request", pattern: "mtlsdoctor test client", auth: ClientAuthRequest, sendCert: false, wantStatus: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) {
				c.ClientSubject = tt.pattern
				c.ClientAuth = tt.auth
			})
			var cert *fixtures.Cert
			if tt.sendCert {
				cert = ts.pki.Client
			}
			status, body := post(t, ts.client(cert), ts.url(), esRequest)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body: %s", status, tt.wantStatus, body)
			}
			if tt.wantStatus == http.StatusForbidden {
				ts.logs.waitRecord(t, "request", map[string]string{"reason": "does not match --client-subject " + `"` + tt.pattern})
			}
		})
	}
}
