package memstore_test

import (
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/storetest"
)

func TestLearnConformance(t *testing.T) {
	storetest.RunLearn(t, func(_ *testing.T, now func() time.Time) storetest.LearnStore {
		return &memstore.Store{Now: now}
	})
}
