package memstore_test

import (
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/storetest"
)

func TestConsentConformance(t *testing.T) {
	storetest.RunConsent(t, func(_ *testing.T, now func() time.Time) storetest.ConsentStore {
		return &memstore.Store{Now: now}
	})
}
