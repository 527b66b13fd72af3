package probe

import (
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestNewESRequest(t *testing.T) {
	body := NewESRequest(RequestOptions{Project: "acme-prod", SessionID: "s-1", ResponseID: "r-1", Text: "hello"})

	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("ES request is not JSON: %v", err)
	}
	for _, key := range []string{"responseId", "session", "queryResult", "originalDetectIntentRequest"} {
		if _, ok := req[key]; !ok {
			t.Errorf("ES request lacks %q", key)
		}
	}
	if req["session"] != "projects/acme-prod/agent/sessions/s-1" {
		t.Errorf("session = %v", req["session"])
	}
	if req["responseId"] != "r-1" {
		t.Errorf("responseId = %v", req["responseId"])
	}
	qr, _ := req["queryResult"].(map[string]any)
	for _, key := range []string{"queryText", "parameters", "intent", "languageCode", "outputContexts"} {
		if _, ok := qr[key]; !ok {
			t.Errorf("queryResult lacks %q", key)
		}
	}
	if qr["queryText"] != "hello" {
		t.Errorf("queryText = %v", qr["queryText"])
	}
	intent, _ := qr["intent"].(map[string]any)
	if name, _ := intent["name"].(string); !strings.HasPrefix(name, "projects/acme-prod/agent/intents/") || intent["displayName"] == "" {
		t.Errorf("intent = %v", intent)
	}
}

func TestNewCXRequest(t *testing.T) {
	body := NewCXRequest(RequestOptions{Project: "acme-prod", Location: "europe-west1", Agent: "a-1", SessionID: "s-1", Tag: "check"})

	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("CX request is not JSON: %v", err)
	}
	for _, key := range []string{"detectIntentResponseId", "fulfillmentInfo", "intentInfo", "pageInfo", "sessionInfo", "text", "languageCode", "messages"} {
		if _, ok := req[key]; !ok {
			t.Errorf("CX request lacks %q", key)
		}
	}
	info, _ := req["sessionInfo"].(map[string]any)
	if info["session"] != "projects/acme-prod/locations/europe-west1/agents/a-1/sessions/s-1" {
		t.Errorf("sessionInfo.session = %v", info["session"])
	}
	if _, ok := info["parameters"].(map[string]any); !ok {
		t.Errorf("sessionInfo.parameters is not an object: %v", info["parameters"])
	}
	if tag := req["fulfillmentInfo"].(map[string]any)["tag"]; tag != "check" {
		t.Errorf("fulfillmentInfo.tag = %v", tag)
	}
}

func TestRequestDefaults(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	var first, second map[string]any
	_ = json.Unmarshal(NewCXRequest(RequestOptions{}), &first)
	_ = json.Unmarshal(NewCXRequest(RequestOptions{}), &second)

	id, _ := first["detectIntentResponseId"].(string)
	if !uuid.MatchString(id) {
		t.Errorf("detectIntentResponseId %q is not a version 4 UUID", id)
	}
	if id == second["detectIntentResponseId"] {
		t.Errorf("two requests share the response ID %q", id)
	}
	session := first["sessionInfo"].(map[string]any)["session"].(string)
	if !strings.HasPrefix(session, "projects/"+DefaultProject+"/locations/global/agents/") {
		t.Errorf("default session %q", session)
	}
}

func TestValidateResponse(t *testing.T) {
	large := `{"fulfillmentText":"` + strings.Repeat("x", MaxResponseBytes) + `"}`
	cases := []struct {
		name     string
		edition  Edition
		body     string
		want     report.Code // empty: no findings
		severity report.Severity
		detail   string
	}{
		{"ES text", EditionES, `{"fulfillmentText":"hi"}`, "", "", ""},
		{"ES full", EditionES, `{"fulfillmentText":"hi","fulfillmentMessages":[{"text":{"text":["hi"]}},{"payload":{"a":1},"platform":"SLACK"}],
			"source":"s","payload":{"google":{}},"outputContexts":[{"name":"projects/p/agent/sessions/s/contexts/c","lifespanCount":"5","parameters":{}}],
			"followupEventInput":{"name":"E","languageCode":"en"},"sessionEntityTypes":[{"name":"n","entityOverrideMode":"ENTITY_OVERRIDE_MODE_OVERRIDE","entities":[{"value":"v","synonyms":["v"]}]}]}`,
			"", "", ""},
		{"ES snake case", EditionES, `{"fulfillment_text":"hi","output_contexts":null}`, "", "", ""},
		{"ES nulls", EditionES, `{"fulfillmentText":null,"fulfillmentMessages":[{"text":{"text":["hi"]}}]}`, "", "", ""},
		{"CX text", EditionCX, `{"fulfillmentResponse":{"messages":[{"text":{"text":["hi"]}}],"mergeBehavior":"APPEND"}}`, "", "", ""},
		{"CX parameters only", EditionCX, `{"sessionInfo":{"parameters":{"x":1}},"targetPage":"projects/p/locations/l/agents/a/flows/f/pages/p"}`, "", "", ""},
		{"CX form info", EditionCX, `{"pageInfo":{"formInfo":{"parameterInfo":[{"displayName":"d","required":true,"state":"FILLED","value":[1,"x"],"justCollected":false}]}}}`, "", "", ""},
		{"empty body", EditionES, ``, report.CodeInvalidWebhookResp, report.SeverityError, "no body"},
		{"HTML", EditionES, `<html>ok</html>`, report.CodeInvalidWebhookResp, report.SeverityError, "<html>"},
		{"array", EditionCX, `[{"fulfillmentText":"hi"}]`, report.CodeInvalidWebhookResp, report.SeverityError, "an array of 1 items"},
		{"trailing data", EditionES, `{"fulfillmentText":"hi"} {}`, report.CodeInvalidWebhookResp, report.SeverityError, "more data"},
		{"ES empty object", EditionES, `{}`, report.CodeInvalidWebhookResp, report.SeverityWarning, "no fulfillmentText"},
		{"CX empty messages", EditionCX, `{"fulfillmentResponse":{"messages":[]}}`, report.CodeInvalidWebhookResp, report.SeverityWarning, "no fulfillmentResponse messages"},
		{"ES v1 field", EditionES, `{"speech":"hi"}`, report.CodeInvalidWebhookResp, report.SeverityError, "retired Dialogflow v1"},
		{"ES answer to CX", EditionCX, `{"fulfillmentText":"hi"}`, report.CodeInvalidWebhookResp, report.SeverityError, "Dialogflow ES v2"},
		{"wrong type", EditionES, `{"fulfillmentText":["hi"]}`, report.CodeInvalidWebhookResp, report.SeverityError, "expected a string, found an array"},
		{"text not a list", EditionCX, `{"fulfillmentResponse":{"messages":[{"text":{"text":"hi"}}]}}`, report.CodeInvalidWebhookResp, report.SeverityError, "fulfillmentResponse.messages[0].text.text"},
		{"two message kinds", EditionCX, `{"fulfillmentResponse":{"messages":[{"text":{"text":["hi"]},"payload":{}}]}}`, report.CodeInvalidWebhookResp, report.SeverityError, "at most one of"},
		{"page and flow", EditionCX, `{"targetPage":"p","targetFlow":"f"}`, report.CodeInvalidWebhookResp, report.SeverityError, "targetPage, targetFlow"},
		{"unknown enum", EditionCX, `{"fulfillmentResponse":{"messages":[{"text":{"text":["hi"]}}],"mergeBehavior":"MERGE"}}`, report.CodeInvalidWebhookResp, report.SeverityError, "APPEND"},
		{"fractional lifespan", EditionES, `{"fulfillmentText":"hi","outputContexts":[{"name":"c","lifespanCount":1.5}]}`, report.CodeInvalidWebhookResp, report.SeverityError, "an integer"},
		{"context without name", EditionES, `{"fulfillmentText":"hi","outputContexts":[{"lifespanCount":1}]}`, report.CodeInvalidWebhookResp, report.SeverityError, "requires \"name\""},
		{"null in list", EditionES, `{"fulfillmentMessages":[null]}`, report.CodeInvalidWebhookResp, report.SeverityError, "found null"},
		{"too large", EditionES, large, report.CodeResponseTooLarge, report.SeverityError, fmt.Sprintf("%d bytes", len(large))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			findings := ValidateResponse(tc.edition, []byte(tc.body))
			if tc.want == "" {
				if len(findings) > 0 {
					t.Fatalf("unexpected findings: %v", findings)
				}
				return
			}
			if len(findings) == 0 {
				t.Fatalf("no findings, want %s", tc.want)
			}
			f := findings[0]
			if f.Code != tc.want || f.Severity != tc.severity {
				t.Errorf("first finding %s (%s), want %s (%s)", f.Code, f.Severity, tc.want, tc.severity)
			}
			if !strings.Contains(f.Detail, tc.detail) {
				t.Errorf("detail %q does not contain %q", f.Detail, tc.detail)
			}
		})
	}
}

func TestValidateResponseLimitsFindings(t *testing.T) {
	var fields []string
	for i := range 8 {
		fields = append(fields, fmt.Sprintf(`"unknown%d":1`, i))
	}
	findings := ValidateResponse(EditionES, []byte("{"+strings.Join(fields, ",")+"}"))

	if len(findings) != maxProblems+1 {
		t.Fatalf("%d findings, want %d", len(findings), maxProblems+1)
	}
	if last := findings[maxProblems].Summary; !strings.Contains(last, "3 more problems") {
		t.Errorf("last finding %q does not sum up the 3 others", last)
	}
}

func TestValidateResponseEditionNone(t *testing.T) {
	if findings := ValidateResponse(EditionNone, []byte("anything")); findings != nil {
		t.Errorf("EditionNone produced findings: %v", findings)
	}
}

func FuzzValidateResponse(f *testing.F) {
	f.Add([]byte(`{"fulfillmentText":"hi","fulfillmentMessages":[{"text":{"text":["a"]}}]}`))
	f.Add([]byte(`{"fulfillmentResponse":{"messages":[{"text":{"text":["hi"]}}],"mergeBehavior":"APPEND"}}`))
	f.Add([]byte(`{"outputContexts":[{"name":"x","lifespanCount":"1e3"}]}`))
	f.Add([]byte(`[1,2`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, edition := range []Edition{EditionES, EditionCX} {
			for _, f := range ValidateResponse(edition, body) {
				if f.Summary == "" || f.Detail == "" {
					t.Fatalf("finding without summary or detail: %+v", f)
				}
			}
		}
	})
}

func TestRemoteAlert(t *testing.T) {
	// The integration tests cover the error type crypto/tls returns today;
	// these cases cover each fallback of remoteAlert.
	cases := []struct {
		name string
		err  error
		want int
		ok   bool
	}{
		{"tls.AlertError", &net.OpError{Op: "remote error", Err: tls.AlertError(116)}, 116, true},
		{"uint8 alert type", &net.OpError{Op: "remote error", Err: uint8Alert(45)}, 45, true},
		{"alert text", &net.OpError{Op: "remote error", Err: errors.New("tls: unknown certificate authority")}, 48, true},
		{"local error", errors.New("tls: handshake failure"), 0, false},
		{"read error", &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := remoteAlert(fmt.Errorf("wrapped: %w", tc.err))
			if got != tc.want || ok != tc.ok {
				t.Errorf("remoteAlert = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// uint8Alert has the shape of crypto/tls's unexported alert type.
type uint8Alert uint8

func (a uint8Alert) Error() string { return fmt.Sprintf("alert %d", uint8(a)) }

func TestDistinguishedName(t *testing.T) {
	name := pkix.Name{CommonName: "SSL.com Root Certification Authority RSA", Organization: []string{"SSL Corporation"}, Country: []string{"US"}}
	der, err := asn1.Marshal(name.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		der  []byte
		want string
	}{
		{"SSL.com root", der, "CN=SSL.com Root Certification Authority RSA,O=SSL Corporation,C=US"},
		{"garbage", []byte{0x01, 0x02}, "does not parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := distinguishedName(tc.der); !strings.Contains(got, tc.want) {
				t.Errorf("distinguishedName = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseEdition(t *testing.T) {
	for _, s := range []string{"es", "cx", "none"} {
		if got, err := ParseEdition(s); err != nil || string(got) != s {
			t.Errorf("ParseEdition(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseEdition("ES2"); err == nil || !strings.Contains(err.Error(), "--edition") {
		t.Errorf("ParseEdition(ES2) error %v does not name the flag", err)
	}
}

func TestExcerpt(t *testing.T) {
	cases := []struct {
		name string
		body string
		n    int
		want string
	}{
		{"short", "abc", 10, "abc"},
		{"cut", "abcdef", 3, "abc"},
		{"rune boundary", "aé", 2, "a"},
		{"invalid UTF-8", "a\xffb", 10, "a\uFFFDb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := excerpt([]byte(tc.body), tc.n); got != tc.want {
				t.Errorf("excerpt = %q, want %q", got, tc.want)
			}
		})
	}
}
