package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// maxProblems is the number of invalid-webhook-response findings
// ValidateResponse returns before it sums up the rest in one more.
const maxProblems = 5

// problem is one way a response breaks the schema.
type problem struct {
	summary string
	detail  string
	fix     string // empty: the catalog's fix
}

// ValidateResponse checks body as the WebhookResponse of edition. The
// platform parses it as proto3 JSON, whose parsers reject unknown fields by
// default, so an unknown field, a wrong type or two members of one oneof
// fail the whole response. ValidateResponse returns
// invalid-webhook-response errors, a warning for a valid response that
// carries nothing for the user, and response-too-large for a body over
// MaxResponseBytes. An empty result means the body passes these checks.
// EditionNone accepts every body.
func ValidateResponse(edition Edition, body []byte) []report.Finding {
	var schema *message
	switch edition {
	case EditionES:
		schema = esWebhookResponse
	case EditionCX:
		schema = cxWebhookResponse
	default:
		return nil
	}

	var findings []report.Finding
	if len(body) > MaxResponseBytes {
		findings = append(findings, report.Newf(report.CodeResponseTooLarge, "",
			"the body has %d bytes; the platform accepts at most %d", len(body), MaxResponseBytes))
	}

	value, p := decodeJSON(body)
	if p != nil {
		return append(findings, p.finding())
	}
	v := validator{edition: edition}
	v.message("", value, schema)
	if len(v.problems) == 0 {
		if p := emptyResponse(edition, value.(map[string]any)); p != nil {
			findings = append(findings, p.finding().WithSeverity(report.SeverityWarning))
		}
		return findings
	}

	for i, p := range v.problems {
		if i == maxProblems {
			findings = append(findings, report.Newf(report.CodeInvalidWebhookResp,
				fmt.Sprintf("%d more problems in the %s", len(v.problems)-maxProblems, schema.name),
				"only the first %d problems are listed", maxProblems))
			break
		}
		findings = append(findings, p.finding())
	}
	return findings
}

func (p *problem) finding() report.Finding {
	f := report.New(report.CodeInvalidWebhookResp, p.summary, p.detail)
	if p.fix != "" {
		f = f.WithFix(p.fix)
	}
	return f
}

// decodeJSON parses body as one JSON object, keeping numbers as
// json.Number so integers can be distinguished from fractions.
func decodeJSON(body []byte) (any, *problem) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &problem{
			summary: "the webhook returned an empty body",
			detail:  "the response has a success status and no body; the platform expects a JSON WebhookResponse",
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var value any
	err := dec.Decode(&value)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("more data after the first JSON value")
		}
	}
	if err != nil {
		return nil, &problem{
			summary: "the response is not valid JSON",
			detail:  fmt.Sprintf("%v; the body begins %q", err, excerpt(body, 80)),
		}
	}
	if _, ok := value.(map[string]any); !ok {
		return nil, &problem{
			summary: "the response is not a JSON object",
			detail:  fmt.Sprintf("found %s; a WebhookResponse is a JSON object", jsonType(value)),
		}
	}
	return value, nil
}

// validator walks a decoded body along a schema and collects problems.
type validator struct {
	edition  Edition
	problems []problem
}

func (v *validator) add(path, summary, detail string) {
	v.problems = append(v.problems, problem{summary: summary, detail: fmt.Sprintf("at %s: %s", displayPath(path), detail)})
}

func (v *validator) message(path string, value any, m *message) {
	obj, ok := value.(map[string]any)
	if !ok {
		v.add(path, fmt.Sprintf("%s is not an object", displayPath(path)),
			fmt.Sprintf("expected a JSON object (%s), found %s", m.name, jsonType(value)))
		return
	}

	keys := make([]string, 0, len(obj))
	for key := range obj {
		keys = append(keys, key)
	}
	sort.Strings(keys)

	set := map[string]bool{}
	for _, key := range keys {
		// proto3 JSON accepts the lowerCamelCase name and the original
		// snake_case name of every field.
		name := lowerCamel(key)
		f, ok := m.fields[name]
		if !ok {
			v.unknownField(path, key, m)
			continue
		}
		if obj[key] != nil {
			set[name] = true
		}
		v.field(joinPath(path, key), obj[key], f)
	}

	camel := camelKeys(obj)
	for _, name := range m.required {
		if s, isString := camel[name].(string); !set[name] || (isString && s == "") {
			v.add(path, fmt.Sprintf("%s has no %s", displayPath(path), name),
				fmt.Sprintf("%s requires %q", m.name, name))
		}
	}
	for _, group := range m.oneofs {
		var present []string
		for _, name := range group {
			if set[name] {
				present = append(present, name)
			}
		}
		if len(present) > 1 {
			v.add(path, fmt.Sprintf("%s sets %s together", displayPath(path), strings.Join(present, " and ")),
				fmt.Sprintf("in %s at most one of %s may be set", m.name, strings.Join(group, ", ")))
		}
	}
}

func (v *validator) unknownField(path, key string, m *message) {
	p := problem{
		summary: fmt.Sprintf("unknown field %q in the %s", key, m.name),
		detail: fmt.Sprintf("at %s: %s has no field %q, and proto3 JSON parsers reject unknown fields (protobuf-java reports \"Cannot find field\")",
			displayPath(path), m.name, key),
	}
	if path == "" {
		if successor, ok := legacyESFields[key]; ok && v.edition == EditionES {
			p.detail += fmt.Sprintf("; %q belongs to the retired Dialogflow v1 webhook format", key)
			p.fix = fmt.Sprintf("Replace %q with %q, the Dialogflow ES v2 field.", key, successor)
		}
		if slices.Contains(otherEditionFields[v.edition], key) {
			other, flag := EditionCX, "cx"
			if v.edition == EditionCX {
				other, flag = EditionES, "es"
			}
			p.detail += fmt.Sprintf("; %q is a field of the %s WebhookResponse", key, editionTitle(other))
			p.fix = fmt.Sprintf("Answer with a WebhookResponse of the agent's edition; if the agent is %s, probe with --edition %s.",
				strings.ToUpper(flag), flag)
		}
	}
	v.problems = append(v.problems, p)
}

func (v *validator) field(path string, value any, f field) {
	if value == nil {
		return // null is the default value in proto3 JSON
	}
	if !f.repeated {
		v.single(path, value, f)
		return
	}
	items, ok := value.([]any)
	if !ok {
		v.wrongType(path, "a JSON array", value)
		return
	}
	for i, item := range items {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		if item == nil {
			v.wrongType(itemPath, "a value", item)
			continue
		}
		v.single(itemPath, item, f)
	}
}

func (v *validator) single(path string, value any, f field) {
	switch f.kind {
	case kindString:
		if _, ok := value.(string); !ok {
			v.wrongType(path, "a string", value)
		}
	case kindBool:
		if _, ok := value.(bool); !ok {
			v.wrongType(path, "true or false", value)
		}
	case kindInt:
		if !isInteger(value) {
			v.wrongType(path, "an integer", value)
		}
	case kindStruct:
		if _, ok := value.(map[string]any); !ok {
			v.wrongType(path, "a JSON object", value)
		}
	case kindEnum:
		if s, ok := value.(string); ok && !slices.Contains(f.enum, s) {
			v.add(path, fmt.Sprintf("%s has the unknown value %q", displayPath(path), s),
				fmt.Sprintf("expected one of %s", strings.Join(f.enum, ", ")))
		} else if !ok && !isInteger(value) {
			v.wrongType(path, "one of "+strings.Join(f.enum, ", "), value)
		}
	case kindMessage:
		v.message(path, value, f.message)
	}
}

func (v *validator) wrongType(path, expected string, value any) {
	v.add(path, fmt.Sprintf("%s has the wrong type", displayPath(path)),
		fmt.Sprintf("expected %s, found %s", expected, jsonType(value)))
}

// isInteger reports whether value is an integer in proto3 JSON: a number
// without a fraction, or a string holding one.
func isInteger(value any) bool {
	var text string
	switch x := value.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = x
	default:
		return false
	}
	if _, err := strconv.ParseInt(text, 10, 64); err == nil {
		return true
	}
	f, err := strconv.ParseFloat(text, 64)
	return err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63
}

// emptyResponse returns a problem for a valid response that gives the user
// nothing, so the agent falls back to its own responses.
func emptyResponse(edition Edition, obj map[string]any) *problem {
	has := func(m map[string]any, key string) bool {
		switch x := m[key].(type) {
		case nil:
			return false
		case string:
			return x != ""
		case []any:
			return len(x) > 0
		case map[string]any:
			return len(x) > 0
		}
		return true
	}
	obj = camelKeys(obj)
	if edition == EditionES {
		for _, key := range []string{"fulfillmentText", "fulfillmentMessages", "payload", "followupEventInput"} {
			if has(obj, key) {
				return nil
			}
		}
		return &problem{
			summary: "the response carries no fulfillment for the user",
			detail:  "no fulfillmentText, fulfillmentMessages, payload or followupEventInput; the agent uses the intent's own responses instead",
			fix:     "Set fulfillmentText or fulfillmentMessages if the webhook is meant to reply to the user.",
		}
	}
	if fr, ok := obj["fulfillmentResponse"].(map[string]any); ok && has(camelKeys(fr), "messages") {
		return nil
	}
	for _, key := range []string{"sessionInfo", "pageInfo", "payload", "targetPage", "targetFlow"} {
		if has(obj, key) {
			return nil
		}
	}
	return &problem{
		summary: "the response carries nothing for the agent",
		detail:  "no fulfillmentResponse messages, no session or page changes, no payload and no target",
		fix:     "Set fulfillmentResponse.messages, or the parameters in sessionInfo, for the webhook to have an effect.",
	}
}

// camelKeys returns obj with its keys in lowerCamelCase.
func camelKeys(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[lowerCamel(k)] = v
	}
	return out
}

// lowerCamel converts a snake_case field name to the lowerCamelCase JSON
// name; other names come back unchanged.
func lowerCamel(name string) string {
	if !strings.Contains(name, "_") {
		return name
	}
	var sb strings.Builder
	upper := false
	for _, r := range name {
		if r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// jsonType names the JSON type of a decoded value, with the value itself
// when it is short.
func jsonType(value any) string {
	switch x := value.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", excerpt([]byte(x), 40))
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case json.Number:
		return "the number " + x.String()
	case []any:
		return fmt.Sprintf("an array of %d items", len(x))
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", value)
}

// editionTitle names an edition's API version for messages.
func editionTitle(e Edition) string {
	switch e {
	case EditionES:
		return "Dialogflow ES v2"
	case EditionCX:
		return "Dialogflow CX v3"
	}
	return "plain"
}

// topLevelFields lists the top-level keys of a JSON object body, sorted,
// or nil when body is not one.
func topLevelFields(body []byte) []string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return nil
	}
	keys := make([]string, 0, len(obj))
	for key := range obj {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
