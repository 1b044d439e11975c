package sqsqueue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/awserr"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// API is the part of the SQS client the sender uses; *sqs.Client satisfies it.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ API = (*sqs.Client)(nil)

// Sender sends messages to one FIFO queue.
type Sender struct {
	api API
	url string
}

var _ queue.Sender = (*Sender)(nil)

// New returns a sender to the FIFO queue at queueURL.
func New(api API, queueURL string) *Sender { return &Sender{api: api, url: queueURL} }

// Send enqueues m. It returns Invalid for a message without group id, deduplication id or
// body, Transient when SQS throttles, fails with 5xx or cannot be reached (after the SDK's own
// retries), and Internal otherwise.
func (s *Sender) Send(ctx context.Context, m queue.Message) error {
	const op apperr.Op = "sqsqueue.Send"
	if m.GroupID == "" || m.DeduplicationID == "" || len(m.Body) == 0 {
		return apperr.E(op, apperr.Invalid, "message needs a group id, a deduplication id and a body")
	}
	_, err := s.api.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               aws.String(s.url),
		MessageBody:            aws.String(string(m.Body)),
		MessageGroupId:         aws.String(ID(m.GroupID)),
		MessageDeduplicationId: aws.String(ID(m.DeduplicationID)),
	})
	if err != nil {
		return apperr.Wrap(op, kindOf(err), err, "enqueue message")
	}
	return nil
}

// maxIDLen is SQS's limit for MessageGroupId and MessageDeduplicationId.
const maxIDLen = 128

// ID returns id as SQS accepts it for a group or deduplication id: unchanged if it has at most
// 128 characters, all printable ASCII other than space, otherwise its hex SHA-256.
func ID(id string) string {
	if len(id) > maxIDLen {
		return hash(id)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return hash(id)
		}
	}
	return id
}

func hash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// Error codes after which a later retry may succeed.
var transientCodes = map[string]bool{
	"RequestThrottled":    true,
	"ThrottlingException": true,
	"KmsThrottled":        true,
	"ServiceUnavailable":  true,
	"InternalError":       true,
	"InternalFailure":     true,
}

func kindOf(err error) apperr.Kind {
	if awserr.Transient(err, transientCodes) {
		return apperr.Transient
	}
	return apperr.Internal
}
