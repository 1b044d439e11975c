//go:build linux

package artifact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/consent"
)

// The data deletion request of events/consent/meta-data-deletion.json: Meta's app-scoped user
// id, signed with the local app secret.
const deletionUser = "10229876543210987"

// deletionIssued is the issued_at the request is sent with. The consent function refuses a
// signed_request issued more than a day ago (a replay), so redateDeletion signs the stored one
// again as issued now, and points the status page's event at the code of that request.
var deletionIssued = time.Now().Unix()

// consentSuite: the privacy API records and reads a decision with the API key and refuses a
// wrong one; Meta's data deletion callback answers the status URL and confirmation code, and
// the status page shows the request done.
var consentSuite = suite{trigger: apiGateway, prepare: redateDeletion, cases: []eventCase{
	{"post-consent", want{status: 200, check: consentView("denied", 1)}},
	{"post-consent-bad-key", want{status: 401, check: func(t *testing.T, _ *rig, got outcome) {
		var e struct{ Kind string }
		if err := json.Unmarshal([]byte(got.http.Body), &e); err != nil || e.Kind != "unauthorized" {
			t.Errorf("body = %s, want an unauthorized error", got.http.Body)
		}
	}}},
	// After post-consent: the decision and its history.
	{"get-consent", want{status: 200, check: consentView("denied", 1)}},
	{"meta-data-deletion", want{status: 200, check: deletionAnswer(publicBaseURL)}},
	// After meta-data-deletion: its status page.
	{"get-data-deletion-status", want{status: 200, check: func(t *testing.T, _ *rig, got outcome) {
		code := deletionCode()
		if ct := got.http.Headers["Content-Type"]; !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type = %q, want text/html", ct)
		}
		if !strings.Contains(got.http.Body, code) || !strings.Contains(got.http.Body, string(consent.DeletionDone)) {
			t.Errorf("status page %s, want code %s and status %s", got.http.Body, code, consent.DeletionDone)
		}
	}}},
}}

// deletionAnswer checks the answer to Meta's data deletion callback: the confirmation code
// and its status URL under base.
func deletionAnswer(base string) func(*testing.T, *rig, outcome) {
	return func(t *testing.T, _ *rig, got outcome) {
		t.Helper()
		code := deletionCode()
		var a struct {
			URL              string `json:"url"`
			ConfirmationCode string `json:"confirmation_code"`
		}
		if err := json.Unmarshal([]byte(got.http.Body), &a); err != nil {
			t.Fatalf("body %s: %v", got.http.Body, err)
		}
		if want := base + "/meta/data-deletion/" + code; a.ConfirmationCode != code || a.URL != want {
			t.Errorf("answer = %+v, want code %s at %s", a, code, want)
		}
	}
}

// deletionCode is the confirmation code the consent function derives for the request; the
// path of get-data-deletion-status.json must carry it.
func deletionCode() string {
	l := consent.Ledger{Subjects: consent.Subjects{Pepper: []byte(subjectPepper)}}
	return l.DeletionCode(deletionUser, time.Unix(deletionIssued, 0))
}

// consentView checks the consent API's answer for whatsapp:491701234567.
func consentView(state string, history int) func(*testing.T, *rig, outcome) {
	return func(t *testing.T, _ *rig, got outcome) {
		t.Helper()
		var v struct {
			Subject  string
			State    string
			Explicit bool
			Source   string
			Actor    string
			History  []struct{ State, Source string }
		}
		if err := json.Unmarshal([]byte(got.http.Body), &v); err != nil {
			t.Fatalf("body %s: %v", got.http.Body, err)
		}
		subjects := consent.Subjects{Pepper: []byte(subjectPepper)}
		if want := subjects.ID("whatsapp", "491701234567"); v.Subject != want {
			t.Errorf("subject = %q, want %q", v.Subject, want)
		}
		if v.State != state || !v.Explicit || v.Source != consent.SourceAPI || v.Actor != "privacy-center" || len(v.History) != history {
			t.Errorf("view = %+v, want state %s, explicit, from the API by privacy-center, %d history entries", v, state, history)
		}
	}
}

// redateDeletion signs the signed_request of the data deletion callback again with issued_at
// deletionIssued, and sets the code of the status page's event to that request's code; other
// events pass unchanged.
func redateDeletion(t testing.TB, raw []byte) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	switch ev["routeKey"] {
	case "POST /meta/data-deletion":
		body, err := base64.StdEncoding.DecodeString(ev["body"].(string))
		if err != nil {
			t.Fatal(err)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			t.Fatal(err)
		}
		_, enc, _ := strings.Cut(form.Get("signed_request"), ".")
		raw, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil {
			t.Fatal(err)
		}
		var payload map[string]any
		if err := json.Unmarshal(raw, &payload); err != nil {
			t.Fatal(err)
		}
		if payload["user_id"] != deletionUser {
			t.Fatalf("the stored request is for user %v, want %s", payload["user_id"], deletionUser)
		}
		payload["issued_at"] = deletionIssued
		signed, err := consent.SignRequest(payload, []byte(appSecret))
		if err != nil {
			t.Fatal(err)
		}
		form.Set("signed_request", signed)
		ev["body"] = base64.StdEncoding.EncodeToString([]byte(form.Encode()))
	case "GET /meta/data-deletion/{code}":
		path := "/meta/data-deletion/" + deletionCode()
		ev["rawPath"] = path
		ev["pathParameters"] = map[string]any{"code": deletionCode()}
		ev["requestContext"].(map[string]any)["http"].(map[string]any)["path"] = path
	default:
		return raw
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
