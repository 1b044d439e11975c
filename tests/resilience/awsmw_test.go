package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// awsTap is SDK middleware on every client of an aws.Config (see instrument): it counts the
// requests each operation sends to AWS, and fails chosen requests with the errors AWS answers.
//
// It sits at the end of the Finalize step, after the SDK's retry middleware: each attempt of
// a retried call passes through it, so a count is what AWS would bill, and an injected
// throttling error is retried by the SDK exactly as a real one is.
//
// It also makes each DynamoDB write atomic, as DynamoDB's conditional writes are: moto checks a
// condition and writes the item without a lock, so two concurrent conditional writes can both
// pass (seen under load in TestSameEventTenWorkersAtOnce). Writes through one tap are
// serialised; reads are not.
type awsTap struct {
	writes sync.Mutex

	mu     sync.Mutex
	counts map[string]int // "DynamoDB.GetItem" -> attempts that reached the server
	faults []*fault
}

// fault fails matching attempts of one operation.
type fault struct {
	// op is "<service id>.<operation>", e.g. "DynamoDB.PutItem", "SQS.SendMessage".
	op string
	// match selects attempts by their input (*dynamodb.PutItemInput, ...); nil matches all.
	match func(params any) bool
	// skip lets that many matching attempts through before the fault applies.
	skip int
	// times is how many matching attempts fail after skip; -1 fails every one.
	times int
	// err returns the error of a failed attempt.
	err func() error
	// onFire runs with the attempt's context when the fault fires (e.g. to kill the worker).
	onFire func(ctx context.Context)

	seen, fired int
}

type paramsKey struct{}

func newAWSTap() *awsTap { return &awsTap{counts: map[string]int{}} }

// instrument adds the tap to cfg's clients and makes the SDK's retries fast: the standard
// retryer with its usual attempts (3) and retryable errors, a 1 ms backoff and no client-side
// retry quota (tests inject more failures than the quota allows).
func (a *awsTap) instrument(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), a.addTo)
	return cfg
}

func (a *awsTap) addTo(stack *middleware.Stack) error {
	params := middleware.InitializeMiddlewareFunc("resilience.params", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		return next.HandleInitialize(middleware.WithStackValue(ctx, paramsKey{}, in.Parameters), in)
	})
	if err := stack.Initialize.Add(params, middleware.Before); err != nil {
		return err
	}
	tap := middleware.FinalizeMiddlewareFunc("resilience.tap", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		op := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
		if err := a.attempt(ctx, op, middleware.GetStackValue(ctx, paramsKey{})); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
		if dynamoWrites[op] {
			a.writes.Lock()
			defer a.writes.Unlock()
		}
		return next.HandleFinalize(ctx, in)
	})
	return stack.Finalize.Add(tap, middleware.After)
}

// dynamoWrites are the DynamoDB operations that write items.
var dynamoWrites = map[string]bool{
	"DynamoDB.PutItem": true, "DynamoDB.UpdateItem": true, "DynamoDB.DeleteItem": true,
	"DynamoDB.TransactWriteItems": true, "DynamoDB.BatchWriteItem": true,
}

// attempt returns the injected error for this attempt, or counts it as sent.
func (a *awsTap) attempt(ctx context.Context, op string, params any) error {
	a.mu.Lock()
	var fired *fault
	for _, f := range a.faults {
		if f.op != op || (f.match != nil && !f.match(params)) {
			continue
		}
		f.seen++
		if f.seen > f.skip && (f.times < 0 || f.fired < f.times) {
			f.fired++
			fired = f
			break
		}
	}
	if fired == nil {
		a.counts[op]++
	}
	a.mu.Unlock()
	if fired == nil {
		return nil
	}
	if fired.onFire != nil {
		fired.onFire(ctx)
	}
	return fired.err()
}

// inject adds a fault.
func (a *awsTap) inject(f *fault) *fault {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = append(a.faults, f)
	return f
}

// firedCount reports how often f fired.
func (a *awsTap) firedCount(f *fault) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return f.fired
}

// snapshot returns the request counts so far.
func (a *awsTap) snapshot() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.counts)
}

// since returns the counts added after before.
func (a *awsTap) since(before map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range a.snapshot() {
		if d := n - before[op]; d > 0 {
			out[op] = d
		}
	}
	return out
}

// formatCounts prints counts as "DynamoDB.GetItem=1 SQS.SendMessage=1".
func formatCounts(c map[string]int) string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, fmt.Sprintf("%s=%d", op, c[op]))
	}
	return strings.Join(parts, " ")
}

// Errors as AWS answers them.

func throttling() error {
	return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput.", Fault: smithy.FaultServer}
}

func throughputExceeded() error {
	return &ddbtypes.ProvisionedThroughputExceededException{Message: aws.String("The level of configured provisioned throughput for the table was exceeded.")}
}

func conditionalCheckFailed() error {
	return &ddbtypes.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
}

func sqsUnavailable() error {
	return &smithy.GenericAPIError{Code: "InternalError", Message: "We encountered an internal error. Please try again.", Fault: smithy.FaultServer}
}

// errCrash is what a killed worker's pending call returns.
var errCrash = errors.New("worker killed by the test")

// Matchers on DynamoDB inputs by the item's partition key prefix.

func pkOf(item map[string]ddbtypes.AttributeValue) string {
	if v, ok := item["pk"].(*ddbtypes.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// onItem matches GetItem, PutItem, UpdateItem and DeleteItem of items whose pk starts with prefix.
func onItem(prefix string) func(any) bool {
	return func(params any) bool {
		var pk string
		switch in := params.(type) {
		case *dynamodb.GetItemInput:
			pk = pkOf(in.Key)
		case *dynamodb.PutItemInput:
			pk = pkOf(in.Item)
		case *dynamodb.UpdateItemInput:
			pk = pkOf(in.Key)
		case *dynamodb.DeleteItemInput:
			pk = pkOf(in.Key)
		}
		return strings.HasPrefix(pk, prefix)
	}
}
