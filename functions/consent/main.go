// Command consent is the Lambda behind the privacy API (POST /consent, GET /consent/{subject})
// and Meta's data deletion callback (POST /meta/data-deletion, GET /meta/data-deletion/{code}).
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
		logger.Error("consent cannot start", "err", err)
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
	h, err := app.Consent(deps)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(httpadapter.NewV2(h).ProxyWithContext, lambda.WithContext(ctx))
	return nil
}
