package iamcheck

import (
	"context"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// functionHeader carries the function a request is made for from the SDK to the Recorder, for
// in-process suites where several functions share one AWS client.
const functionHeader = "X-Frontdesk-Function"

type functionKey struct{}

// WithFunction marks ctx as running function's code: the AWS requests made with it are recorded
// as function's (when the client has the Tag middleware and the Recorder's Endpoint("")).
func WithFunction(ctx context.Context, function string) context.Context {
	return context.WithValue(ctx, functionKey{}, function)
}

// Tag is an SDK APIOptions function (aws.Config.APIOptions) that names the function of
// WithFunction on each request, for the Recorder.
func Tag(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("iamcheck.Tag",
		func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				if fn, ok := ctx.Value(functionKey{}).(string); ok {
					req.Header.Set(functionHeader, fn)
				}
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
}
