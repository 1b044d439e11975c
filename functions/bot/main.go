// Command bot is the Lambda on the SQS FIFO queue: it answers customers from the FAQ, escalates
// to Slack and delivers agents' replies, reporting partial batch failures.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/frontdesk-app/frontdesk/shared/app"
)

func main() {
	logger := lambdacontext.NewLogger()
	slog.SetDefault(logger)
	if err := run(context.Background(), os.Getenv, logger); err != nil {
		logger.Error("bot cannot start", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	deps, err := app.AWS(ctx, getenv, logger)
	if err != nil {
		return err
	}
	if err := deps.Config.Require("FRONTDESK_TABLE"); err != nil {
		return err
	}
	b, err := app.Bot(deps)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(b.HandleSQS, lambda.WithContext(ctx))
	return nil
}
