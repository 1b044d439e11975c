package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/sqsqueue"
)

// AWS builds the dependencies of a Lambda function: configuration from the environment and, of
// the secrets named (environment variable names), those the environment lacks from SSM,
// the DynamoDB store when FRONTDESK_TABLE is set, the SQS queue when FRONTDESK_QUEUE_URL is set.
// Endpoints follow the SDK's standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...),
// which is how the artifact tests point a bootstrap at a local DynamoDB- and SQS-compatible server.
func AWS(ctx context.Context, getenv func(string) string, logger *slog.Logger, secrets []string) (Deps, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Deps{}, fmt.Errorf("aws config: %w", err)
	}
	cfg, err := config.Load(ctx, getenv, ssm.NewFromConfig(awsCfg), secrets)
	if err != nil {
		return Deps{}, err
	}
	d := Deps{
		Config: cfg,
		HTTP:   &http.Client{Timeout: 20 * time.Second},
		// EMF lines on stdout become CloudWatch metrics without an API call.
		Metrics: metrics.NewEMF(os.Stdout, getenv("AWS_LAMBDA_FUNCTION_NAME")),
		Logger:  logger,
		Now:     time.Now,
	}
	if cfg.Table != "" {
		s := dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.Table)
		d.Conversations, d.Dedup, d.Consent, d.Learn = s, s, s, s
	}
	if cfg.QueueURL != "" {
		d.Queue = sqsqueue.New(sqs.NewFromConfig(awsCfg), cfg.QueueURL)
	}
	return d, nil
}
