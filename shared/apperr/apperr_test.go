package apperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestKindStatusMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantKind   Kind
		wantStatus int
		wantMsg    string
	}{
		{"invalid", E("op", Invalid, "body is not JSON"), Invalid, 400, "body is not JSON"},
		{"wrapped keeps kind", fmt.Errorf("ctx: %w", E("op", NotFound, "no such subject")), NotFound, 404, "no such subject"},
		{"other inherits", Wrap("outer", Other, E("inner", Conflict, "version changed"), ""), Conflict, 409, "version changed"},
		{"plain error is internal", errors.New("boom: secret detail"), Internal, 500, "internal error"},
		{"transient hides detail", Wrap("op", Transient, errors.New("dial tcp 10.0.0.1"), "queue down"), Transient, 503, "temporarily unavailable, retry later"},
		{"too large", E("op", TooLarge, "body over 4 MB"), TooLarge, 413, "body over 4 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := KindOf(tt.err); got != tt.wantKind {
				t.Errorf("KindOf = %v, want %v", got, tt.wantKind)
			}
			if got := Status(tt.err); got != tt.wantStatus {
				t.Errorf("Status = %d, want %d", got, tt.wantStatus)
			}
			if got := Message(tt.err); got != tt.wantMsg {
				t.Errorf("Message = %q, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteJSON(rec, E("op", Unauthorized, "signature does not match"))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", rec.Code)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["error"] != "signature does not match" || body["kind"] != "unauthorized" {
		t.Errorf("body = %v", body)
	}
}
