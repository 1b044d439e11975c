package consent_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/consent"
)

// FuzzHandler posts any body to the privacy API and to the data-deletion callback: the answer is
// never a 5xx, and a request the API refuses changes nothing.
func FuzzHandler(f *testing.F) {
	file, err := os.Open("testdata/requests.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		f.Add(sc.Text(), "")
	}
	f.Add("", "signed_request=abc.def")
	f.Add("", "signed_request=")
	f.Fuzz(func(t *testing.T, jsonBody, form string) {
		h, l, _, _ := newHandler(t)
		w := do(h, "POST", "/consent", "application/json", apiKey, jsonBody)
		if w.Code >= 500 {
			t.Fatalf("POST /consent %q = %d %s", jsonBody, w.Code, w.Body)
		}
		if w.Code >= 400 {
			// A refused request records nothing, for any subject it might have named.
			var req struct{ Subject string }
			_ = json.Unmarshal([]byte(jsonBody), &req)
			if ref, err := consent.ParseSubject(req.Subject); err == nil {
				hist, err := l.History(t.Context(), l.Subjects.Resolve(ref))
				if err != nil || len(hist) > 0 {
					t.Fatalf("refused request %q: history %v, %v; want none", jsonBody, hist, err)
				}
			}
		}
		w = do(h, "POST", "/meta/data-deletion", "application/x-www-form-urlencoded", "", form)
		if w.Code >= 500 || w.Code == http.StatusOK {
			t.Fatalf("POST /meta/data-deletion %q = %d, want a 4xx (nothing is signed here)", form, w.Code)
		}
	})
}
