package app

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/frontdesk-app/frontdesk/shared/sweeper"
)

// Handler builds a function's Lambda handler (a value lambda.Start accepts) from its
// dependencies.
type Handler func(Deps) (any, error)

// Main is the whole main of the function named name (one of Functions) whose handler is build
// (passed by the main, so that its binary links only its own code): JSON logs
// through Lambda's logger, dependencies from AWS and the environment with the function's own
// secrets, the settings the function cannot run without, then the runtime loop. A function that
// cannot start logs why, naming what is missing, and exits.
func Main(name string, build Handler) {
	logger := lambdacontext.NewLogger()
	slog.SetDefault(logger)
	ctx := context.Background()
	fn, err := Lookup(name)
	var h any
	if err == nil {
		h, err = setup(ctx, os.Getenv, logger, fn, build)
	}
	if err != nil {
		logger.Error(name+" cannot start", "err", err)
		os.Exit(1)
	}
	lambda.StartWithOptions(h, lambda.WithContext(ctx))
}

func setup(ctx context.Context, getenv func(string) string, logger *slog.Logger, fn Function, build Handler) (any, error) {
	d, err := AWS(ctx, getenv, logger, fn.Secrets)
	if err != nil {
		return nil, err
	}
	if err := d.Config.Require(fn.Settings...); err != nil {
		return nil, err
	}
	return build(d)
}

// HTTP adapts an http.Handler builder to API Gateway HTTP API (payload 2.0) events.
func HTTP(build func(Deps) (http.Handler, error)) Handler {
	return func(d Deps) (any, error) {
		h, err := build(d)
		if err != nil {
			return nil, err
		}
		return httpadapter.NewV2(h).ProxyWithContext, nil
	}
}

// BotHandler is the bot's SQS batch handler.
func BotHandler(d Deps) (any, error) {
	b, err := Bot(d)
	if err != nil {
		return nil, err
	}
	return b.HandleSQS, nil
}

// SweeperHandler runs the sweeper on each scheduled event and logs what it did.
func SweeperHandler(d Deps) (any, error) {
	s, err := Sweeper(d)
	if err != nil {
		return nil, err
	}
	log := d.logger()
	return func(ctx context.Context, _ events.EventBridgeEvent) (sweeper.Report, error) {
		r, err := s.Run(ctx)
		log.InfoContext(ctx, "sweep done", "reannounced", r.Reannounced, "warned", r.Warned, "closed", r.Closed,
			"conflicts", r.Conflicts, "failed", r.Failed, "truncated", r.Truncated)
		return r, err
	}, nil
}
