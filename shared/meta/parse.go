package meta

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Webhook objects, the envelope's "object" field.
const (
	ObjectWhatsApp  = "whatsapp_business_account"
	ObjectPage      = "page"
	ObjectInstagram = "instagram"
)

// Batch is the result of parsing one webhook body.
type Batch struct {
	// Object is the envelope's object.
	Object string
	// Events holds one Inbound per event, in payload order.
	Events []channel.Inbound
	// Skipped lists what was not turned into an event: unknown objects, fields and types,
	// ignored items and items that did not decode. It never holds content or user ids, so it is
	// safe to log.
	Skipped []Skip
}

// Skip describes one part of a payload that Parse did not turn into an event.
type Skip struct {
	Object string `json:"object,omitempty"`
	Field  string `json:"field,omitempty"`
	Type   string `json:"type,omitempty"`
	Reason string `json:"reason"`
	// Code is the platform's error code for WhatsApp errors.
	Code int `json:"code,omitempty"`
}

// Parse turns a verified webhook body into normalised events, one per event in the batch (every
// entry, every change and every messaging item). Unknown objects, fields and types are skipped,
// never an error. It returns an *apperr.Error of kind Invalid when the body is not a JSON object
// of Meta's envelope shape.
func Parse(body []byte) ([]channel.Inbound, error) {
	b, err := ParseBatch(body)
	return b.Events, err
}

// ParseBatch is Parse that also reports what it skipped, for the caller to log.
func ParseBatch(body []byte) (Batch, error) {
	const op apperr.Op = "meta.Parse"
	var env struct {
		Object string            `json:"object"`
		Entry  []json.RawMessage `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Batch{}, apperr.Wrap(op, apperr.Invalid, err, "body is not a Meta webhook JSON object")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return Batch{}, apperr.E(op, apperr.Invalid, "body is not a Meta webhook JSON object")
	}
	p := &parser{batch: Batch{Object: env.Object}}
	for _, raw := range env.Entry {
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			p.skip("", "", "entry does not decode")
			continue
		}
		switch env.Object {
		case ObjectWhatsApp:
			p.whatsApp(e)
		case ObjectPage, ObjectInstagram:
			p.social(env.Object, e)
		default:
			p.skip("", "", "unknown object")
		}
	}
	if len(env.Entry) == 0 {
		p.skip("", "", "no entries")
	}
	return p.batch, nil
}

type entry struct {
	ID        flexID            `json:"id"`
	Time      flexInt           `json:"time"`
	Changes   []change          `json:"changes"`
	Messaging []json.RawMessage `json:"messaging"`
	Standby   []json.RawMessage `json:"standby"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type parser struct {
	batch Batch
}

func (p *parser) add(in channel.Inbound) { p.batch.Events = append(p.batch.Events, in) }

func (p *parser) skip(field, typ, reason string) {
	p.batch.Skipped = append(p.batch.Skipped, Skip{Object: p.batch.Object, Field: field, Type: typ, Reason: reason})
}

// flexInt is an integer Meta sends either as a JSON number or as a string ("timestamp":
// "1700000000" on WhatsApp, numbers elsewhere). Anything else decodes as 0.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt(v)
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= -1e15 && f <= 1e15 {
		*n = flexInt(int64(f))
		return nil
	}
	*n = 0
	return nil
}

// flexID is an id Meta documents as a string that some senders encode as a JSON number
// ("id": 1057330340943421). Both read as the same decimal string; a number with a fraction or
// an exponent, a boolean, an object or null read as absent.
type flexID string

func (id *flexID) UnmarshalJSON(b []byte) error {
	*id = ""
	switch {
	case len(b) == 0:
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = flexID(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		// The literal itself, so a 17-digit id keeps every digit (a float64 would not).
		if _, err := strconv.ParseUint(string(b), 10, 64); err == nil {
			*id = flexID(b)
		}
	}
	return nil
}

// flexNumber is a decimal (a price) sent as a JSON number or a string, kept as its text.
type flexNumber string

func (n *flexNumber) UnmarshalJSON(b []byte) error {
	*n = ""
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		*n = flexNumber(s)
	}
	return nil
}

// unixTime converts a Meta timestamp to UTC time. Messenger and Instagram send milliseconds,
// WhatsApp and the feed seconds; values below 1e11 are taken as seconds (1e11 s is the year 5138).
// A time before 2000 or after 2200 is no real event's: it reads as absent (the webhook then uses
// the time of receipt), since a year past 9999 cannot even be encoded for the queue.
func unixTime(n flexInt) time.Time {
	var t time.Time
	switch {
	case n <= 0:
		return time.Time{}
	case n < 1e11:
		t = time.Unix(int64(n), 0).UTC()
	default:
		t = time.UnixMilli(int64(n)).UTC()
	}
	if t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}
	}
	return t
}

// syntheticID derives a stable id for events Meta sends without one (preferences, referrals,
// receipts), so retries of the same event deduplicate. It hashes its parts because they include
// user ids, and ids are logged.
func syntheticID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return prefix + "." + hex.EncodeToString(h.Sum(nil)[:16])
}
