package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEMFLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	e := NewEMF(&buf, "bot")
	e.Now = func() time.Time { return time.UnixMilli(1700000000123) }
	e.Count(Escalated, 2)
	e.Milliseconds(TimeToClaim, 1500*time.Millisecond)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines = %d, want 2", len(lines))
	}
	var doc struct {
		AWS struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Function  string
		Escalated float64
	}
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.AWS.CloudWatchMetrics[0]
	if doc.AWS.Timestamp != 1700000000123 || d.Namespace != "frontdesk" || d.Dimensions[0][0] != "Function" ||
		d.Metrics[0].Name != "Escalated" || d.Metrics[0].Unit != "Count" || doc.Function != "bot" || doc.Escalated != 2 {
		t.Errorf("EMF document = %+v", doc)
	}
	if !strings.Contains(lines[1], `"Unit":"Milliseconds"`) || !strings.Contains(lines[1], `"TimeToClaim":1500`) {
		t.Errorf("duration line = %s", lines[1])
	}
}
