// Package awserr classifies AWS SDK errors the way frontdesk's stores and queues need: whether a
// later retry of the request may succeed.
package awserr

import (
	"context"
	"errors"
	"net"

	"github.com/aws/smithy-go"
)

// Transient reports whether err is one a retry may fix: a deadline or cancellation, an API error
// whose code is in retryable (the service's throttling and internal-error codes), an HTTP 5xx,
// or a network error.
func Transient(err error, retryable map[string]bool) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) && retryable[api.ErrorCode()] {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() >= 500 {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
