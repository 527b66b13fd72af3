package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParseSessionName(t *testing.T) {
	cases := []struct {
		name        string
		session     string
		wantProject string
		wantAgent   string
		wantEdition Edition
		wantErr     string
	}{
		{"es", "projects/p1/agent/sessions/s1", "p1", "projects/p1/agent", EditionES, ""},
		{"es location", "projects/p1/locations/eu/agent/sessions/s1", "p1", "projects/p1/locations/eu/agent", EditionES, ""},
		{"es environment", "projects/p1/agent/environments/draft/users/u1/sessions/s1", "p1", "projects/p1/agent", EditionES, ""},
		{"cx", "projects/p1/locations/global/agents/a1/sessions/s1", "p1", "projects/p1/locations/global/agents/a1", EditionCX, ""},
		{"cx environment", "projects/p1/locations/global/agents/a1/environments/e1/sessions/s1", "p1", "projects/p1/locations/global/agents/a1", EditionCX, ""},
		{"es environment without user", "projects/p1/agent/environments/draft/sessions/s1", "", "", "", "users/U"},
		{"cx without location", "projects/p1/agents/a1/sessions/s1", "", "", "", "locations/L"},
		{"empty segment", "projects//agent/sessions/s1", "", "", "", "empty path segment"},
		{"no sessions", "projects/p1/agent", "", "", "", "sessions/S"},
		{"trailing segment", "projects/p1/agent/sessions/s1/contexts/c", "", "", "", "sessions/S"},
		{"not a session", "sessions/s1", "", "", "", "projects/P"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseSessionName(tc.session)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.project != tc.wantProject {
				t.Errorf("project = %q, want %q", s.project, tc.wantProject)
			}
			if s.agentPath != tc.wantAgent {
				t.Errorf("agent path = %q, want %q", s.agentPath, tc.wantAgent)
			}
			if s.edition != tc.wantEdition {
				t.Errorf("edition = %q, want %q", s.edition, tc.wantEdition)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		wantName  string
		wantValue string
		wantErr   string
	}{
		{"authorization", "Authorization: Bearer s3cret", "Authorization", "Bearer s3cret", ""},
		{"lower case", "x-api-key:abc", "X-Api-Key", "abc", ""},
		{"colon in value", "X-Time: 12:30", "X-Time", "12:30", ""},
		{"no colon", "Authorization Bearer s3cret", "", "", `expected "Name: value"`},
		{"host", "Host: other.example", "", "", "--server-name"},
		{"content length", "content-length: 0", "", "", `invalid --header "Content-Length": the probe sets it from the length of the request body`},
		{"space in name", "X Token: 1", "", "", "invalid --header name"},
		{"line break", "X-Token: a\r\nX-Evil: 1", "", "", "line break"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name, value, err := ParseHeader(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q repeats the header value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if name != tc.wantName || value != tc.wantValue {
				t.Errorf("got %q: %q, want %q: %q", name, value, tc.wantName, tc.wantValue)
			}
		})
	}
}

func TestParseParam(t *testing.T) {
	cases := []struct {
		in      string
		key     string
		value   any
		wantErr bool
	}{
		{"city=Paris", "city", "Paris", false},
		{"guests=2", "guests", float64(2), false},
		{"vip=true", "vip", true, false},
		{"code=007", "code", "007", false},
		{`name="007"`, "name", "007", false},
		{`tags=["a","b"]`, "tags", []any{"a", "b"}, false},
		{"empty=", "empty", "", false},
		{"url=https://a.example/?x=1", "url", "https://a.example/?x=1", false},
		{"=value", "", nil, true},
		{"novalue", "", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			key, value, err := ParseParam(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error for %q", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if key != tc.key || !reflect.DeepEqual(value, tc.value) {
				t.Errorf("got %q=%#v, want %q=%#v", key, value, tc.key, tc.value)
			}
		})
	}
}

// capturedRequest is what a test server saw of the probe's request.
type capturedRequest struct {
	method string
	header http.Header
	host   string
	body   map[string]any
}

func TestProbeRequestShape(t *testing.T) {
	pki := newTestPKI(t)
	requests := make(chan capturedRequest, 1)
	url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(data, &body)
		requests <- capturedRequest{method: r.Method, header: r.Header.Clone(), host: r.Host, body: body}
		if body["sessionInfo"] != nil {
			_, _ = w.Write([]byte(`{"fulfillmentResponse":{"messages":[{"text":{"text":["ok"]}}]}}`))
			return
		}
		esReply(w)
	}))

	header := http.Header{}
	header.Set("Authorization", "Bearer s3cret")
	cases := []struct {
		name  string
		opts  Options
		check func(t *testing.T, got capturedRequest)
	}{
		{
			name: "es with options",
			opts: Options{Project: "acme", Session: "s-42", Text: "book a table", Parameters: map[string]any{"guests": 2.0}, Header: header},
			check: func(t *testing.T, got capturedRequest) {
				if got.body["session"] != "projects/acme/agent/sessions/s-42" {
					t.Errorf("session = %v", got.body["session"])
				}
				qr, _ := got.body["queryResult"].(map[string]any)
				if qr["queryText"] != "book a table" {
					t.Errorf("queryText = %v", qr["queryText"])
				}
				if params, _ := qr["parameters"].(map[string]any); params["guests"] != 2.0 {
					t.Errorf("parameters = %v", qr["parameters"])
				}
				if got.header.Get("Authorization") != "Bearer s3cret" {
					t.Errorf("Authorization = %q", got.header.Get("Authorization"))
				}
			},
		},
		{
			name: "cx with whole session name",
			opts: Options{Edition: EditionCX, Session: "projects/acme/locations/eu/agents/a1/sessions/s-7", Tag: "book"},
			check: func(t *testing.T, got capturedRequest) {
				info, _ := got.body["sessionInfo"].(map[string]any)
				if info["session"] != "projects/acme/locations/eu/agents/a1/sessions/s-7" {
					t.Errorf("session = %v", info["session"])
				}
				if fi, _ := got.body["fulfillmentInfo"].(map[string]any); fi["tag"] != "book" {
					t.Errorf("fulfillmentInfo = %v", got.body["fulfillmentInfo"])
				}
				page, _ := got.body["pageInfo"].(map[string]any)
				if p, _ := page["currentPage"].(string); !strings.HasPrefix(p, "projects/acme/locations/eu/agents/a1/flows/") {
					t.Errorf("currentPage = %v", page["currentPage"])
				}
			},
		},
		{
			name: "content type",
			opts: Options{ServerName: "localhost"},
			check: func(t *testing.T, got capturedRequest) {
				if got.method != http.MethodPost {
					t.Errorf("method = %s", got.method)
				}
				if ct := got.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q, want application/json", ct)
				}
				if !strings.HasPrefix(got.host, "localhost:") {
					t.Errorf("Host = %q, want localhost:PORT", got.host)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.URL, opts.Roots = url, pki.CA.Pool()
			rep := runProbe(t, opts)
			wantNoErrors(t, rep)
			tc.check(t, <-requests)
		})
	}
}

// TestParseHeaderFramingReasons checks that each header the probe sets
// itself is rejected by name with its own reason, and that only Host
// points to --server-name.
func TestParseHeaderFramingReasons(t *testing.T) {
	for name := range framingHeaders {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParseHeader(strings.ToLower(name) + ": s3cret")
			if err == nil {
				t.Fatalf("ParseHeader accepted %s", name)
			}
			msg := err.Error()
			if prefix := fmt.Sprintf("invalid --header %q: ", name); !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q does not start with %q", msg, prefix)
			}
			if got := strings.Contains(msg, "--server-name"); got != (name == "Host") {
				t.Errorf("error %q mentions --server-name: %v, want %v", msg, got, name == "Host")
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("error %q repeats the header value", msg)
			}
		})
	}
}

func TestValidateRequestOptions(t *testing.T) {
	cases := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"session of other edition", Options{Edition: EditionCX, Session: "projects/p/agent/sessions/s"}, "ES session name"},
		{"session and project disagree", Options{Project: "a", Session: "projects/b/agent/sessions/s"}, `names project "b" but --project is "a"`},
		{"session ID with slash", Options{Session: "a/b"}, "no slash"},
		{"project with slash", Options{Project: "projects/a"}, "invalid --project"},
		{"framing header", Options{Header: http.Header{"Transfer-Encoding": {"chunked"}}}, "Transfer-Encoding"},
		{"pinned range inverted", Options{MinVersion: 0x0304, MaxVersion: 0x0303}, "above the maximum"},
		{"session and project agree", Options{Project: "b", Session: "projects/b/agent/sessions/s"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.URL = "https://127.0.0.1:1/"
			err := opts.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
