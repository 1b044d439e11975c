// Command slack is the Lambda behind Slack's Events API, interactivity and the /frontdesk slash command
// (POST /slack/events, /slack/interactions, /slack/commands): it verifies, then queues for the bot within 3 s.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/frontdesk-app/frontdesk/shared/app"
)

func main() {
	logger := lambdacontext.NewLogger()
	slog.SetDefault(logger)
	if err := run(context.Background(), os.Getenv, logger); err != nil {
		logger.Error("slack cannot start", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	deps, err := app.AWS(ctx, getenv, logger)
	if err != nil {
		return err
	}
	if err := deps.Config.Require("FRONTDESK_TABLE", "FRONTDESK_QUEUE_URL"); err != nil {
		return err
	}
	h, err := app.Slack(deps)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(httpadapter.NewV2(h).ProxyWithContext, lambda.WithContext(ctx))
	return nil
}
