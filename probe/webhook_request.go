package probe

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
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
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24 and later)
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
	session := ESSessionName(opts.Project, opts.SessionID)

	var message textMessage
	message.Text.Text = []string{""}
	req := esWebhookRequest{
		ResponseID: opts.ResponseID,
		Session:    session,
		QueryResult: esQueryResult{
			QueryText:                opts.Text,
			Parameters:               map[string]any{},
			AllRequiredParamsPresent: true,
			FulfillmentMessages:      []textMessage{message},
			OutputContexts: []esContext{{
				Name:       session + "/contexts/__system_counters__",
				Parameters: map[string]any{"no-input": 0, "no-match": 0},
			}},
			Intent: esIntent{
				Name:        fmt.Sprintf("projects/%s/agent/intents/%s", opts.Project, newUUID()),
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
			Session:    CXSessionName(opts.Project, opts.Location, opts.Agent, opts.SessionID),
			Parameters: map[string]any{},
		},
		FulfillmentInfo: cxFulfillmentInfo{Tag: opts.Tag},
		Messages:        []cxMessage{message},
		Text:            opts.Text,
		LanguageCode:    opts.LanguageCode,
	}
	return mustMarshal(req)
}

// mustMarshal encodes v, which holds only strings, numbers, booleans,
// slices and maps with string keys, so encoding cannot fail.
func mustMarshal(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic("probe: encode webhook request: " + err.Error())
	}
	return data
}
