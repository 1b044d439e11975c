package adsignals_test

import (
	"errors"

	"github.com/frontdesk-app/frontdesk/shared/graph"
)

func asAPI(err error, target **graph.APIError) bool { return errors.As(err, target) }
