package awserr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/aws/smithy-go"
)

type httpErr struct{ code int }

func (e httpErr) Error() string       { return fmt.Sprint(e.code) }
func (e httpErr) HTTPStatusCode() int { return e.code }

func TestTransient(t *testing.T) {
	t.Parallel()
	codes := map[string]bool{"ThrottlingException": true}
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"deadline", fmt.Errorf("op: %w", context.DeadlineExceeded), true},
		{"throttled", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"validation", &smithy.GenericAPIError{Code: "ValidationException"}, false},
		{"5xx", httpErr{503}, true},
		{"4xx", httpErr{400}, false},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{"other", errors.New("boom"), false},
	} {
		if got := Transient(tt.err, codes); got != tt.want {
			t.Errorf("%s: Transient = %v, want %v", tt.name, got, tt.want)
		}
	}
}
