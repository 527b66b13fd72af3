package probe

// The WebhookResponse schemas that ValidateResponse checks against: the
// fields of Dialogflow ES v2 and CX v3 with their proto3 JSON types.
// Google Assistant rich messages and other large messages are checked only
// for being objects.

// kind is the proto3 JSON type of a field.
type kind int

const (
	kindString  kind = iota
	kindBool         // true or false
	kindInt          // a JSON integer, or a string holding one
	kindStruct       // google.protobuf.Struct: any JSON object
	kindValue        // google.protobuf.Value: any JSON value
	kindEnum         // one of enum's names, or its number
	kindMessage      // a nested message
)

// field is the type of one message field.
type field struct {
	kind     kind
	repeated bool
	enum     []string
	message  *message
}

// message is a protobuf message type with its proto3 JSON field names
// and types.
type message struct {
	name     string
	fields   map[string]field
	required []string   // fields that must be present and not empty
	oneofs   [][]string // groups of fields of which at most one may be set
}

var (
	fString  = field{kind: kindString}
	fStrings = field{kind: kindString, repeated: true}
	fBool    = field{kind: kindBool}
	fInt     = field{kind: kindInt}
	fStruct  = field{kind: kindStruct}
	fValue   = field{kind: kindValue}
)

func fMessage(m *message) field    { return field{kind: kindMessage, message: m} }
func fMessages(m *message) field   { return field{kind: kindMessage, message: m, repeated: true} }
func fEnum(values ...string) field { return field{kind: kindEnum, enum: values} }

var esIntentMessage = &message{
	name: "Intent.Message",
	fields: map[string]field{
		"text": fMessage(&message{name: "Intent.Message.Text", fields: map[string]field{"text": fStrings}}),
		"image": fMessage(&message{name: "Intent.Message.Image", fields: map[string]field{
			"imageUri": fString, "accessibilityText": fString,
		}}),
		"quickReplies": fMessage(&message{name: "Intent.Message.QuickReplies", fields: map[string]field{
			"title": fString, "quickReplies": fStrings,
		}}),
		"card": fMessage(&message{name: "Intent.Message.Card", fields: map[string]field{
			"title": fString, "subtitle": fString, "imageUri": fString,
			"buttons": fMessages(&message{name: "Intent.Message.Card.Button", fields: map[string]field{
				"text": fString, "postback": fString,
			}}),
		}}),
		"payload": fStruct,
		"simpleResponses": fMessage(&message{name: "Intent.Message.SimpleResponses", fields: map[string]field{
			"simpleResponses": fMessages(&message{name: "Intent.Message.SimpleResponse", fields: map[string]field{
				"textToSpeech": fString, "ssml": fString, "displayText": fString,
			}}),
		}}),
		"basicCard":          fStruct,
		"suggestions":        fStruct,
		"linkOutSuggestion":  fStruct,
		"listSelect":         fStruct,
		"carouselSelect":     fStruct,
		"browseCarouselCard": fStruct,
		"tableCard":          fStruct,
		"mediaContent":       fStruct,
		"platform": fEnum("PLATFORM_UNSPECIFIED", "FACEBOOK", "SLACK", "TELEGRAM", "KIK", "SKYPE",
			"LINE", "VIBER", "ACTIONS_ON_GOOGLE", "GOOGLE_HANGOUTS"),
	},
	oneofs: [][]string{{"text", "image", "quickReplies", "card", "payload", "simpleResponses", "basicCard",
		"suggestions", "linkOutSuggestion", "listSelect", "carouselSelect", "browseCarouselCard", "tableCard", "mediaContent"}},
}

var esWebhookResponse = &message{
	name: "ES v2 WebhookResponse",
	fields: map[string]field{
		"fulfillmentText":     fString,
		"fulfillmentMessages": fMessages(esIntentMessage),
		"source":              fString,
		"payload":             fStruct,
		"outputContexts": fMessages(&message{
			name:     "Context",
			fields:   map[string]field{"name": fString, "lifespanCount": fInt, "parameters": fStruct},
			required: []string{"name"},
		}),
		"followupEventInput": fMessage(&message{
			name:     "EventInput",
			fields:   map[string]field{"name": fString, "parameters": fStruct, "languageCode": fString},
			required: []string{"name"},
		}),
		"sessionEntityTypes": fMessages(&message{name: "SessionEntityType", fields: map[string]field{
			"name": fString,
			"entityOverrideMode": fEnum("ENTITY_OVERRIDE_MODE_UNSPECIFIED", "ENTITY_OVERRIDE_MODE_OVERRIDE",
				"ENTITY_OVERRIDE_MODE_SUPPLEMENT"),
			"entities": fMessages(&message{name: "EntityType.Entity", fields: map[string]field{
				"value": fString, "synonyms": fStrings,
			}}),
		}}),
	},
}

var cxResponseMessage = &message{
	name: "ResponseMessage",
	fields: map[string]field{
		"text": fMessage(&message{name: "ResponseMessage.Text", fields: map[string]field{
			"text": fStrings, "allowPlaybackInterruption": fBool,
		}}),
		"payload":             fStruct,
		"conversationSuccess": fMessage(&message{name: "ResponseMessage.ConversationSuccess", fields: map[string]field{"metadata": fStruct}}),
		"outputAudioText": fMessage(&message{
			name:   "ResponseMessage.OutputAudioText",
			fields: map[string]field{"text": fString, "ssml": fString, "allowPlaybackInterruption": fBool},
			oneofs: [][]string{{"text", "ssml"}},
		}),
		"liveAgentHandoff": fMessage(&message{name: "ResponseMessage.LiveAgentHandoff", fields: map[string]field{"metadata": fStruct}}),
		"endInteraction":   fStruct,
		"playAudio": fMessage(&message{name: "ResponseMessage.PlayAudio", fields: map[string]field{
			"audioUri": fString, "allowPlaybackInterruption": fBool,
		}}),
		"mixedAudio": fStruct,
		"telephonyTransferCall": fMessage(&message{
			name:   "ResponseMessage.TelephonyTransferCall",
			fields: map[string]field{"phoneNumber": fString, "sipUri": fString},
			oneofs: [][]string{{"phoneNumber", "sipUri"}},
		}),
		"knowledgeInfoCard": fStruct,
		"toolCall":          fStruct,
		"responseType":      fEnum("RESPONSE_TYPE_UNSPECIFIED", "ENTRY_PROMPT", "PARAMETER_PROMPT", "HANDLER_PROMPT"),
		"channel":           fString,
	},
	oneofs: [][]string{{"text", "payload", "conversationSuccess", "outputAudioText", "liveAgentHandoff",
		"endInteraction", "playAudio", "mixedAudio", "telephonyTransferCall", "knowledgeInfoCard", "toolCall"}},
}

var cxWebhookResponse = &message{
	name: "CX v3 WebhookResponse",
	fields: map[string]field{
		"fulfillmentResponse": fMessage(&message{name: "WebhookResponse.FulfillmentResponse", fields: map[string]field{
			"messages":      fMessages(cxResponseMessage),
			"mergeBehavior": fEnum("MERGE_BEHAVIOR_UNSPECIFIED", "APPEND", "REPLACE"),
		}}),
		"pageInfo": fMessage(&message{name: "PageInfo", fields: map[string]field{
			"currentPage": fString,
			"displayName": fString,
			"formInfo": fMessage(&message{name: "PageInfo.FormInfo", fields: map[string]field{
				"parameterInfo": fMessages(&message{name: "PageInfo.FormInfo.ParameterInfo", fields: map[string]field{
					"displayName":   fString,
					"required":      fBool,
					"state":         fEnum("PARAMETER_STATE_UNSPECIFIED", "EMPTY", "INVALID", "FILLED"),
					"value":         fValue,
					"justCollected": fBool,
				}}),
			}}),
		}}),
		"sessionInfo": fMessage(&message{name: "SessionInfo", fields: map[string]field{
			"session": fString, "parameters": fStruct,
		}}),
		"payload":    fStruct,
		"targetPage": fString,
		"targetFlow": fString,
	},
	oneofs: [][]string{{"targetPage", "targetFlow"}},
}

// otherEditionFields are top-level fields of the other edition's
// WebhookResponse, for a clearer message than "unknown field".
var otherEditionFields = map[Edition][]string{
	EditionES: {"fulfillmentResponse", "pageInfo", "sessionInfo", "targetPage", "targetFlow"},
	EditionCX: {"fulfillmentText", "fulfillmentMessages", "source", "outputContexts", "followupEventInput", "sessionEntityTypes"},
}

// legacyESFields maps fields of the retired Dialogflow v1 webhook format
// to their v2 successors.
var legacyESFields = map[string]string{
	"speech":        "fulfillmentText",
	"displayText":   "fulfillmentText",
	"data":          "payload",
	"contextOut":    "outputContexts",
	"followupEvent": "followupEventInput",
}
