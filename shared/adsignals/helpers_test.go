package adsignals_test

import (
	"errors"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
)

func asAPI(err error, target **adsignals.APIError) bool { return errors.As(err, target) }
