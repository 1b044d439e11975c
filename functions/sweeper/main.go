// Command sweeper runs on a schedule (EventBridge): it re-announces unclaimed escalations in
// Slack, warns agents before a customer's window closes and closes idle conversations.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/sweeper"
)

func main() {
	logger := lambdacontext.NewLogger()
	slog.SetDefault(logger)
	if err := run(context.Background(), os.Getenv, logger); err != nil {
		logger.Error("sweeper cannot start", "err", err)
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
	s, err := app.Sweeper(deps)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(func(ctx context.Context, _ events.EventBridgeEvent) (sweeper.Report, error) {
		r, err := s.Run(ctx)
		logger.InfoContext(ctx, "sweep done", "reannounced", r.Reannounced, "warned", r.Warned, "closed", r.Closed,
			"conflicts", r.Conflicts, "failed", r.Failed, "truncated", r.Truncated)
		return r, err
	}, lambda.WithContext(ctx))
	return nil
}
