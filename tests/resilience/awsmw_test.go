package resilience_test

import (
	"context"
	"errors"
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
	// byRole splits counts by who made the request: "bot" for calls inside an invocation of
	// the emulated event source, "ingress" for the rest (the HTTP handlers).
	byRole map[string]map[string]int
	// units are DynamoDB's billed request units, estimated from item sizes, by role and
	// "RRU"/"WRU".
	units  map[string]map[string]float64
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

func newAWSTap() *awsTap {
	return &awsTap{counts: map[string]int{}, byRole: map[string]map[string]int{}, units: map[string]map[string]float64{}}
}

// role is "bot" inside an invocation of the event source, "ingress" otherwise.
func role(ctx context.Context) string {
	if _, ok := ctx.Value(invocationKey{}).(*invocation); ok {
		return "bot"
	}
	return "ingress"
}

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
		out, md, err := next.HandleFinalize(ctx, in)
		a.account(role(ctx), middleware.GetStackValue(ctx, paramsKey{}), out.Result, err)
		return out, md, err
	})
	return stack.Finalize.Add(tap, middleware.After)
}

// dynamoWrites are the DynamoDB operations that write items.
var dynamoWrites = map[string]bool{
	"DynamoDB.PutItem": true, "DynamoDB.UpdateItem": true, "DynamoDB.DeleteItem": true,
	"DynamoDB.TransactWriteItems": true, "DynamoDB.BatchWriteItem": true,
}

// attempt returns the injected error for this attempt, or counts it as sent. Once the
// invocation of ctx is dead (kill), every call it makes fails: a crashed worker writes nothing.
func (a *awsTap) attempt(ctx context.Context, op string, params any) error {
	if inv, ok := ctx.Value(invocationKey{}).(*invocation); ok && inv.dead.Load() {
		return errCrash
	}
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
		r := role(ctx)
		if a.byRole[r] == nil {
			a.byRole[r] = map[string]int{}
		}
		a.byRole[r][op]++
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

// account adds the request units DynamoDB bills for one request: a strongly consistent read
// is 1 RRU per 4 KB (eventually consistent half that), a write 1 WRU per 1 KB of the item
// written (a write whose condition fails too), a transactional write twice that per item.
// Sizes follow DynamoDB's item size rules closely enough for whole units.
func (a *awsTap) account(role string, params, result any, err error) {
	var rru, wru float64
	read := func(size int, consistent *bool) float64 {
		u := float64(max(1, (size+4095)/4096))
		if consistent == nil || !*consistent {
			u /= 2
		}
		return u
	}
	write := func(size int) float64 { return float64(max(1, (size+1023)/1024)) }
	var condFailed *ddbtypes.ConditionalCheckFailedException
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		if out, ok := result.(*dynamodb.GetItemOutput); ok {
			rru = read(itemSize(out.Item), in.ConsistentRead)
		}
	case *dynamodb.QueryInput:
		if out, ok := result.(*dynamodb.QueryOutput); ok {
			size := 0
			for _, it := range out.Items {
				size += itemSize(it)
			}
			rru = read(size, in.ConsistentRead)
		}
	case *dynamodb.PutItemInput:
		if err == nil || errors.As(err, &condFailed) {
			wru = write(itemSize(in.Item))
		}
	case *dynamodb.UpdateItemInput:
		// An update bills the larger of the item before and after; the old item is known when
		// the request returned it (the conversation lease asks for ALL_OLD), else it is taken
		// to be small (send records, leases of new conversations).
		if err == nil || errors.As(err, &condFailed) {
			size := 0
			if out, ok := result.(*dynamodb.UpdateItemOutput); ok {
				size = itemSize(out.Attributes)
			}
			wru = write(size)
		}
	case *dynamodb.DeleteItemInput:
		if err == nil || errors.As(err, &condFailed) {
			wru = 1
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				wru += 2 * write(itemSize(it.Put.Item))
			default:
				wru += 2
			}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.units[role] == nil {
		a.units[role] = map[string]float64{}
	}
	a.units[role]["RRU"] += rru
	a.units[role]["WRU"] += wru
}

// itemSize is an item's size as DynamoDB counts it: attribute names plus values.
func itemSize(item map[string]ddbtypes.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v ddbtypes.AttributeValue) int {
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return len(v.Value)
	case *ddbtypes.AttributeValueMemberN:
		return (len(strings.TrimLeft(v.Value, "-0"))+1)/2 + 1
	case *ddbtypes.AttributeValueMemberB:
		return len(v.Value)
	case *ddbtypes.AttributeValueMemberBOOL, *ddbtypes.AttributeValueMemberNULL:
		return 1
	case *ddbtypes.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *ddbtypes.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *ddbtypes.AttributeValueMemberM:
		return 3 + itemSize(v.Value)
	}
	return 0
}

// unitsSnapshot returns the request units of role so far.
func (a *awsTap) unitsSnapshot(role string) map[string]float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.units[role])
}

// roleSnapshot returns the request counts of role so far.
func (a *awsTap) roleSnapshot(role string) map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.byRole[role])
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

// transactionCanceled is DynamoDB's answer to a TransactWriteItems one of whose items failed,
// with one cancellation reason per item ("None" for the items that were fine).
func transactionCanceled(codes ...string) func() error {
	return func() error {
		e := &ddbtypes.TransactionCanceledException{Message: aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]")}
		for _, c := range codes {
			e.CancellationReasons = append(e.CancellationReasons, ddbtypes.CancellationReason{Code: aws.String(c)})
		}
		return e
	}
}
