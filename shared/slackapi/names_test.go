package slackapi

import (
	"context"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

func TestUserAndChannelNames(t *testing.T) {
	t.Parallel()
	fake := slacktest.New(t, testToken, testChannel)
	fake.AddUser(slacktest.User{ID: "U043H11ES4V", Name: "anna.k", RealName: "Anna Kowalski", FirstName: "Anna", DisplayName: "anna.k"})
	fake.AddUser(slacktest.User{ID: "U0NOFIRST", Name: "ben", RealName: "Ben Meyer", DisplayName: "Ben M."})
	fake.NameChannel(testChannel, "support-de")
	c, err := NewClient(ClientConfig{Token: testToken, APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		if n, err := c.UserName(ctx, "U043H11ES4V"); n != "Anna" || err != nil {
			t.Errorf("UserName = %q, %v; want the first name Anna", n, err)
		}
	}
	if n, err := c.UserName(ctx, "U0NOFIRST"); n != "Ben M." || err != nil {
		t.Errorf("UserName without a first name = %q, %v; want the display name", n, err)
	}
	if n, err := c.ChannelName(ctx, testChannel); n != "support-de" || err != nil {
		t.Errorf("ChannelName = %q, %v", n, err)
	}
	if _, err := c.UserName(ctx, "U0GONE"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown user: err = %v, want NotFound", err)
	}
	if _, err := c.ChannelName(ctx, "C0GONE"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("unknown channel: err = %v, want Invalid (channel_not_found)", err)
	}
	if n := len(fake.CallsTo("users.info")); n != 2 {
		t.Errorf("users.info called %d times for two known users asked three times, want 2 (cached)", n)
	}
}
