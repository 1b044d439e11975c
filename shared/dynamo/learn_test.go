package dynamo_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/storetest"
)

func TestLearnConformance(t *testing.T) {
	client := dynamodb.NewFromConfig(testenv.AWSConfig(t))
	storetest.RunLearn(t, func(t *testing.T, now func() time.Time) storetest.LearnStore {
		s := dynamo.New(client, newTable(t, client))
		s.Now = now
		return s
	})
}
