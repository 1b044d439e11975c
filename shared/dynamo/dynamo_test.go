package dynamo_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/storetest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestConformance(t *testing.T) {
	client := dynamodb.NewFromConfig(testenv.AWSConfig(t))
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		s := dynamo.New(client, newTable(t, client))
		s.Now = now
		return s
	})
}

// newTable creates a table with a random name and deletes it when the test ends.
func newTable(t *testing.T, client *dynamodb.Client) string {
	t.Helper()
	name := "frontdesk-test-" + rand.Text()
	if err := dynamo.CreateTable(t.Context(), client, name); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("DeleteTable: %v", err)
		}
	})
	return name
}

// withoutOldItem hides the item that failed a put's condition, as servers that ignore
// ReturnValuesOnConditionCheckFailure do, so ClaimSend must read the record itself.
type withoutOldItem struct{ *dynamodb.Client }

func (w withoutOldItem) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := w.Client.PutItem(ctx, in, optFns...)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		ccf.Item = nil
	}
	return out, err
}

func TestConformanceWithoutOldItem(t *testing.T) {
	client := dynamodb.NewFromConfig(testenv.AWSConfig(t))
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		s := dynamo.New(withoutOldItem{client}, newTable(t, client))
		s.Now = now
		return s
	})
}

func TestCreateTable(t *testing.T) {
	t.Parallel()
	client := dynamodb.NewFromConfig(testenv.AWSConfig(t))
	name := newTable(t, client)
	ctx := t.Context()

	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	type index struct {
		Name, Hash, Range, Projection string
	}
	schema := func(ks []types.KeySchemaElement) (hash, rng string) {
		for _, k := range ks {
			if k.KeyType == types.KeyTypeHash {
				hash = aws.ToString(k.AttributeName)
			} else {
				rng = aws.ToString(k.AttributeName)
			}
		}
		return hash, rng
	}
	tbl := out.Table
	hash, rng := schema(tbl.KeySchema)
	got := []index{{Name: "table", Hash: hash, Range: rng}}
	for _, gsi := range tbl.GlobalSecondaryIndexes {
		hash, rng := schema(gsi.KeySchema)
		got = append(got, index{aws.ToString(gsi.IndexName), hash, rng, string(gsi.Projection.ProjectionType)})
	}
	want := []index{
		{Name: "table", Hash: "pk", Range: "sk"},
		{"byThread", "gsi1pk", "gsi1sk", "ALL"},
		{"byStatus", "gsi2pk", "gsi2sk", "ALL"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("key schema (-want +got):\n%s", diff)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", tbl.BillingModeSummary)
	}

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "expiresAt" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL = %+v, want enabled on expiresAt", d)
	}

	if err := dynamo.CreateTable(ctx, client, name); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("CreateTable of an existing table: error = %v, want a conflict", err)
	}
}

// loseFirstCreate passes requests to moto and, for the first CreateTable, throws the answer
// away and reports a reset connection: the table exists, the caller does not know it.
type loseFirstCreate struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	lost atomic.Bool
}

func (l *loseFirstCreate) Do(r *http.Request) (*http.Response, error) {
	resp, err := l.next.Do(r)
	if err == nil && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".CreateTable") && l.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

// TestCreateTableAnswerLost: the SDK retries a CreateTable whose answer was lost and finds the
// table its first attempt made; that is this call's own table, not a conflict.
func TestCreateTableAnswerLost(t *testing.T) {
	t.Parallel()
	cfg := testenv.AWSConfig(t)
	lose := &loseFirstCreate{next: http.DefaultClient}
	cfg.HTTPClient = lose
	client := dynamodb.NewFromConfig(cfg)
	name := "frontdesk-test-" + rand.Text()
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	if err := dynamo.CreateTable(t.Context(), client, name); err != nil {
		t.Fatalf("CreateTable with its first answer lost: %v", err)
	}
	if !lose.lost.Load() {
		t.Fatal("the first CreateTable answer was not lost: the test tested nothing")
	}
	ttl, err := client.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil || ttl.TimeToLiveDescription == nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL after a lost answer = %+v, %v; want enabled", ttl, err)
	}
}
