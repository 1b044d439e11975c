package sqsqueue_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/sqsqueue"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fakeAPI records the input and answers with err.
type fakeAPI struct {
	in  *sqs.SendMessageInput
	err error
}

func (f *fakeAPI) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.in = in
	if f.err != nil {
		return nil, &smithy.OperationError{ServiceID: "SQS", OperationName: "SendMessage", Err: f.err}
	}
	return &sqs.SendMessageOutput{MessageId: aws.String("5fea7756-0ea4-451a-a703-a558b933e274")}, nil
}

func TestID(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 129)
	tests := []struct {
		name, id, want string
	}{
		{"wamid", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
		{"conversation key", "whatsapp#106540352242922#4915112345678", "whatsapp#106540352242922#4915112345678"},
		{"all punctuation", `!"#$%&'()*+,-./:;<=>?@[\]^_{|}~` + "`", `!"#$%&'()*+,-./:;<=>?@[\]^_{|}~` + "`"},
		{"128 characters", strings.Repeat("x", 128), strings.Repeat("x", 128)},
		{"129 characters", long, "0ec9eb33e74510bcdd1f2ea55206e82f21649c5c2becbf2b433eb475b34c01bd"},
		{"space", "a b", "c8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65"},
		{"non-ASCII", "mid.äöü", ""},
		{"newline", "a\nb", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := sqsqueue.ID(tt.id)
			if tt.want != "" && got != tt.want {
				t.Errorf("ID(%q) = %q, want %q", tt.id, got, tt.want)
			}
			if len(got) == 0 || len(got) > 128 || strings.ContainsFunc(got, func(r rune) bool { return r < '!' || r > '~' }) {
				t.Errorf("ID(%q) = %q: not an id SQS accepts", tt.id, got)
			}
			if again := sqsqueue.ID(tt.id); again != got {
				t.Errorf("ID is not stable: %q then %q", got, again)
			}
		})
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{}
	s := sqsqueue.New(api, "https://sqs.eu-central-1.amazonaws.com/123456789012/frontdesk-events.fifo")
	err := s.Send(context.Background(), queue.Message{
		GroupID:         "messenger#1234#5678",
		DeduplicationID: "m_" + strings.Repeat("A", 130),
		Body:            []byte(`{"inbound":{"id":"m_x"}}`),
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := &sqs.SendMessageInput{
		QueueUrl:               aws.String("https://sqs.eu-central-1.amazonaws.com/123456789012/frontdesk-events.fifo"),
		MessageBody:            aws.String(`{"inbound":{"id":"m_x"}}`),
		MessageGroupId:         aws.String("messenger#1234#5678"),
		MessageDeduplicationId: aws.String(sqsqueue.ID("m_" + strings.Repeat("A", 130))),
	}
	if diff := cmp.Diff(want, api.in, cmp.AllowUnexported(sqs.SendMessageInput{})); diff != "" {
		t.Errorf("SendMessage input (-want +got):\n%s", diff)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	status := func(code int, err error) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: err}}
	}
	valid := queue.Message{GroupID: "g", DeduplicationID: "d", Body: []byte("{}")}
	tests := []struct {
		name string
		msg  queue.Message
		err  error
		want apperr.Kind
	}{
		{"throttled", valid, status(400, &sqstypes.RequestThrottled{}), apperr.Transient},
		{"kms throttled", valid, status(400, &sqstypes.KmsThrottled{}), apperr.Transient},
		{"server error", valid, status(500, &smithy.GenericAPIError{Code: "InternalError"}), apperr.Transient},
		{"unreachable", valid, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, apperr.Transient},
		{"no queue", valid, status(400, &sqstypes.QueueDoesNotExist{}), apperr.Internal},
		{"bad body", valid, status(400, &sqstypes.InvalidMessageContents{}), apperr.Internal},
		{"no group", queue.Message{DeduplicationID: "d", Body: []byte("{}")}, nil, apperr.Invalid},
		{"no dedup id", queue.Message{GroupID: "g", Body: []byte("{}")}, nil, apperr.Invalid},
		{"no body", queue.Message{GroupID: "g", DeduplicationID: "d"}, nil, apperr.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := sqsqueue.New(&fakeAPI{err: tt.err}, "https://sqs/q.fifo").Send(context.Background(), tt.msg)
			if got := apperr.KindOf(err); err == nil || got != tt.want {
				t.Errorf("Send error = %v (kind %v), want kind %v", err, got, tt.want)
			}
		})
	}
}

// TestFIFO sends through the real SDK to moto's SQS: order within a group is kept and a
// repeated deduplication id is dropped.
func TestFIFO(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	client := sqs.NewFromConfig(testenv.AWSConfig(t))
	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String("frontdesk-test-" + rand.Text() + ".fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "false"},
	})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	t.Cleanup(func() {
		if _, err := client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}); err != nil {
			t.Errorf("DeleteQueue: %v", err)
		}
	})

	s := sqsqueue.New(client, aws.ToString(created.QueueUrl))
	group := "whatsapp#106540352242922#4915112345678"
	longID := "wamid." + strings.Repeat("Q", 200)
	for _, m := range []queue.Message{
		{GroupID: group, DeduplicationID: "wamid.1", Body: []byte(`{"n":1}`)},
		{GroupID: group, DeduplicationID: longID, Body: []byte(`{"n":2}`)},
		{GroupID: group, DeduplicationID: "wamid.1", Body: []byte(`{"n":"retry of 1"}`)},
		{GroupID: group, DeduplicationID: "wamid.3", Body: []byte(`{"n":3}`)},
	} {
		if err := s.Send(ctx, m); err != nil {
			t.Fatalf("Send(%s): %v", m.DeduplicationID, err)
		}
	}

	type received struct{ Body, Group, Dedup string }
	var got []received
	for range 5 {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    created.QueueUrl,
			MaxNumberOfMessages:         10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			got = append(got, received{aws.ToString(m.Body), m.Attributes["MessageGroupId"], m.Attributes["MessageDeduplicationId"]})
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: created.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		}
		if len(out.Messages) == 0 {
			break
		}
	}
	want := []received{
		{`{"n":1}`, group, "wamid.1"},
		{`{"n":2}`, group, sqsqueue.ID(longID)},
		{`{"n":3}`, group, "wamid.3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
}
