package consent

import (
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/google/go-cmp/cmp"
)

var testPepper = []byte("test-pepper-0123456789")

func TestSubjectsID(t *testing.T) {
	t.Parallel()
	s := Subjects{Pepper: testPepper}
	id := s.ID(channel.WhatsApp, "491701234567")
	if !ValidSubjectID(id) {
		t.Fatalf("ID = %q, not a valid subject id", id)
	}
	if strings.Contains(id, "491701234567") {
		t.Errorf("ID = %q contains the user id", id)
	}
	tests := []struct {
		name    string
		surface channel.Surface
		user    string
		same    bool
	}{
		{"same number written with + and spaces", channel.WhatsApp, "+49 170 1234567", true},
		{"same number with dashes", channel.WhatsApp, "49-170-123-4567", true},
		{"other number", channel.WhatsApp, "491701234568", false},
		{"same digits on messenger", channel.Messenger, "491701234567", false},
		{"same digits on instagram", channel.Instagram, "491701234567", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := s.ID(tt.surface, tt.user)
			if (got == id) != tt.same {
				t.Errorf("ID(%s, %q) == ID(whatsapp, 491701234567) is %v, want %v", tt.surface, tt.user, got == id, tt.same)
			}
		})
	}
	if other := (Subjects{Pepper: []byte("another-pepper-0123456789")}).ID(channel.WhatsApp, "491701234567"); other == id {
		t.Errorf("a different pepper gave the same id %q", id)
	}
	if got := s.Key(channel.Key{Surface: channel.WhatsApp, Account: "1", User: "491701234567"}); got != id {
		t.Errorf("Key = %q, want %q", got, id)
	}
}

func TestNewSubjects(t *testing.T) {
	t.Parallel()
	if _, err := NewSubjects([]byte("short")); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("NewSubjects(short) err = %v, want invalid", err)
	}
	if _, err := NewSubjects(testPepper); err != nil {
		t.Errorf("NewSubjects: %v", err)
	}
}

func TestParseSubject(t *testing.T) {
	t.Parallel()
	s := Subjects{Pepper: testPepper}
	id := s.ID(channel.Messenger, "6123456789012345")
	tests := []struct {
		in      string
		want    SubjectRef
		wantErr string // part of the message; empty: no error
	}{
		{in: "whatsapp:491701234567", want: SubjectRef{Surface: channel.WhatsApp, User: "491701234567"}},
		{in: "whatsapp:+49 170 1234567", want: SubjectRef{Surface: channel.WhatsApp, User: "491701234567"}},
		{in: " WhatsApp:+49-170-123-4567 ", want: SubjectRef{Surface: channel.WhatsApp, User: "491701234567"}},
		{in: "whatsapp:+1 (415) 555-0100", want: SubjectRef{Surface: channel.WhatsApp, User: "14155550100"}},
		{in: "messenger:6123456789012345", want: SubjectRef{Surface: channel.Messenger, User: "6123456789012345"}},
		{in: "instagram:17841400000000000", want: SubjectRef{Surface: channel.Instagram, User: "17841400000000000"}},
		{in: "comment:1234", want: SubjectRef{Surface: channel.Comment, User: "1234"}},
		{in: id, want: SubjectRef{ID: id}},
		{in: "", wantErr: "empty"},
		{in: "   ", wantErr: "empty"},
		{in: "491701234567", wantErr: "<surface>:<user id>"},
		{in: "telegram:491701234567", wantErr: "unknown surface"},
		{in: ":491701234567", wantErr: "unknown surface"},
		{in: "whatsapp:", wantErr: "empty"},
		{in: "whatsapp:49170abc4567", wantErr: "digits only"},
		{in: "whatsapp:0049 170 1234567", wantErr: "leading 0"},
		{in: "whatsapp:12345", wantErr: "7 to 15"},
		{in: "whatsapp:1234567890123456", wantErr: "7 to 15"},
		{in: "messenger:61234x", wantErr: "digits only"},
		{in: "messenger:+6123", wantErr: "digits only"},
		{in: "sub_abc", wantErr: "malformed"},
		{in: strings.ToUpper(id), wantErr: "<surface>:<user id>"},
		{in: id[:len(id)-1] + "1", wantErr: "malformed"},
		{in: "whatsapp:" + strings.Repeat("1", 200), wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSubject(tt.in)
			if tt.wantErr != "" {
				if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.Message(err), tt.wantErr) {
					t.Fatalf("ParseSubject(%q) err = %v, want invalid containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSubject(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSubject(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSubjectRefLogValue(t *testing.T) {
	t.Parallel()
	r := SubjectRef{Surface: channel.WhatsApp, User: "491701234567"}
	if got := r.LogValue().String(); strings.Contains(got, "4917") {
		t.Errorf("LogValue = %q leaks the user id", got)
	}
}

func FuzzParseSubject(f *testing.F) {
	for _, s := range readSeeds(f, "testdata/subjects.txt") {
		f.Add(s)
	}
	s := Subjects{Pepper: testPepper}
	f.Fuzz(func(t *testing.T, in string) {
		ref, err := ParseSubject(in)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ParseSubject(%q) err kind = %v, want invalid", in, apperr.KindOf(err))
			}
			return
		}
		id := s.Resolve(ref)
		if !ValidSubjectID(id) {
			t.Fatalf("Resolve(ParseSubject(%q)) = %q, not a subject id", in, id)
		}
		// A parsed reference is canonical: parsing its canonical form gives the same subject.
		canon := id
		if ref.ID == "" {
			canon = string(ref.Surface) + ":" + ref.User
		}
		again, err := ParseSubject(canon)
		if err != nil || s.Resolve(again) != id {
			t.Fatalf("ParseSubject(%q) not stable: %v", canon, err)
		}
	})
}
