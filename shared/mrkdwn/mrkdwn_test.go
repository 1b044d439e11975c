package mrkdwn

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

var names = Names{
	Users:    map[string]string{"U043H11ES4V": "Anna", "U0LOCALAGENT": "Ben"},
	Channels: map[string]string{"C043YJGBY49": "general"},
}

func TestToCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, whatsapp, messenger string
	}{
		{"plain", "Your parcel left today.", "Your parcel left today.", "Your parcel left today."},
		{"labelled link", "See <https://example.com/returns|our returns page>", "See our returns page (https://example.com/returns)", "See our returns page (https://example.com/returns)"},
		{"auto link", "Go to <https://example.com>", "Go to https://example.com", "Go to https://example.com"},
		{"auto link with its own label", "<http://www.example.com/|example.com>", "http://www.example.com/", "http://www.example.com/"},
		{"link with entities", "<https://x.test/?a=1&amp;b=2|Tom &amp; Jerry>", "Tom & Jerry (https://x.test/?a=1&b=2)", "Tom & Jerry (https://x.test/?a=1&b=2)"},
		{"mailto", "Write to <mailto:help@shop.test|help@shop.test>", "Write to help@shop.test", "Write to help@shop.test"},
		{"mailto labelled", "<mailto:help@shop.test|our help desk>", "our help desk (help@shop.test)", "our help desk (help@shop.test)"},
		{"tel", "Call <tel:+4930123456|us>", "Call us (+4930123456)", "Call us (+4930123456)"},
		{"app link keeps its label", "<slack://channel?id=C1|the channel>", "the channel", "the channel"},
		{"user mention resolved", "My colleague <@U043H11ES4V> will call you.", "My colleague Anna will call you.", "My colleague Anna will call you."},
		{"user mention unresolved is dropped", "My colleague <@U999> will call you.", "My colleague will call you.", "My colleague will call you."},
		{"legacy user mention with name", "Ask <@U999|carla>", "Ask carla", "Ask carla"},
		{"channel mention", "<#C043YJGBY49|general> and <#C043YJGBY49> and <#C777>", "#general and #general and", "#general and #general and"},
		{"special mentions dropped", "Thanks <!here>, done <!channel>. <!subteam^S0614TZR7|@support> ok", "Thanks, done. ok", "Thanks, done. ok"},
		{"date fallback", "Delivery on <!date^1392734382^{date_pretty}|Feb 18, 2014>.", "Delivery on Feb 18, 2014.", "Delivery on Feb 18, 2014."},
		{"entities", "Price &lt; 10 &amp; size &gt; 5 &amp;amp;", "Price < 10 & size > 5 &amp;", "Price < 10 & size > 5 &amp;"},
		{"emoji", "Thanks :cat: :+1: :white_check_mark:", "Thanks 🐱 👍 ✅", "Thanks 🐱 👍 ✅"},
		{"slack's own shortcodes", ":simple_smile: :thinking_face: :heavy_check_mark:", "🙂 🤔 ✔️", "🙂 🤔 ✔️"},
		{"emoji skin tone", ":wave::skin-tone-3:", "👋🏼", "👋🏼"},
		{"flag", ":flag-de: :de:", "🇩🇪 🇩🇪", "🇩🇪 🇩🇪"},
		{"time is not an emoji", "at 10:30:45 :smile:", "at 10:30:45 😄", "at 10:30:45 😄"},
		{"custom emoji alone dropped", "Done :partyparrot: thanks", "Done thanks", "Done thanks"},
		{"unknown code in text kept", "ratio a:b:c", "ratio a:b:c", "ratio a:b:c"},
		{"bold italic strike", "*Important:* _please_ ~not~ now", "*Important:* _please_ ~not~ now", "Important: please not now"},
		{"nested", "*_both_*", "*_both_*", "both"},
		{"snake case and math stay", "order_id_here 2*3*4 a * b", "order_id_here 2*3*4 a * b", "order_id_here 2*3*4 a * b"},
		{"inline code", "Use `code&lt;1&gt;` :cat:", "Use `code<1>` 🐱", "Use code<1> 🐱"},
		{"code keeps its content", "```*not bold* :cat: <@U043H11ES4V>```", "```*not bold* :cat: <@U043H11ES4V>```", "*not bold* :cat: <@U043H11ES4V>"},
		{"bold link", "*<https://example.com|our shop>*", "*our shop (https://example.com)*", "our shop (https://example.com)"},
		{"quote", "&gt; your question\nour answer", "> your question\nour answer", "> your question\nour answer"},
		{"unclosed bracket", "a <b", "a <b", "a <b"},
		{"control characters removed", "a\x00b\x01c", "abc", "abc"},
		{"only a special mention", "<!here>", "", ""},
		{"issue example", "Hi! See <https://example.com|our shop>, ask <@U043H11ES4V> in <#C043YJGBY49|general> :cat: &amp; more",
			"Hi! See our shop (https://example.com), ask Anna in #general 🐱 & more", "Hi! See our shop (https://example.com), ask Anna in #general 🐱 & more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ToCustomer(tc.in, channel.WhatsApp, names); got != tc.whatsapp {
				t.Errorf("WhatsApp:\n got %q\nwant %q", got, tc.whatsapp)
			}
			for _, s := range []channel.Surface{channel.Messenger, channel.Instagram, channel.Comment} {
				if got := ToCustomer(tc.in, s, names); got != tc.messenger {
					t.Errorf("%s:\n got %q\nwant %q", s, got, tc.messenger)
				}
			}
		})
	}
}

func TestMentions(t *testing.T) {
	t.Parallel()
	users, chans := Mentions("<@U1AB> <@U1AB> <@U2CD|carla> <#C1AB> <#C2|x> <!here> <https://x> <@lower>")
	if !slices.Equal(users, []string{"U1AB"}) || !slices.Equal(chans, []string{"C1AB"}) {
		t.Errorf("Mentions = %v, %v", users, chans)
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	para := strings.Repeat("word ", 300) // 1500 runes
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"fits", "short", 10, []string{"short"}},
		{"empty", "  ", 10, nil},
		{"paragraph", "first part.\n\nsecond part", 20, []string{"first part.", "second part"}},
		{"sentence", "One two. Three four five", 15, []string{"One two.", "Three four five"}},
		{"word", "aaaa bbbb cccc", 9, []string{"aaaa bbbb", "cccc"}},
		{"no space", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"runes not bytes", "ääää ööö", 4, []string{"ääää", "ööö"}},
	}
	for _, tc := range tests {
		if got := Split(tc.in, tc.max); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Split(%q, %d) = %q, want %q", tc.name, tc.in, tc.max, got, tc.want)
		}
	}
	if got := Split(para, 1000); len(got) != 2 || utf8.RuneCountInString(got[0]) > 1000 {
		t.Errorf("Split of 1500 runes at 1000 = %d parts", len(got))
	}
}

func TestPlanReply(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Lorem ipsum dolor sit amet. ", 100) // 2800 runes
	if p := PlanReply(long, channel.WhatsApp); len(p.Parts) != 1 {
		t.Errorf("WhatsApp 2800 runes: %d parts, refused %q", len(p.Parts), p.Refused)
	}
	if p := PlanReply(long, channel.Messenger); len(p.Parts) != 2 {
		t.Errorf("Messenger 2800 runes: %d parts", len(p.Parts))
	}
	if p := PlanReply(long, channel.Instagram); len(p.Parts) != 3 {
		t.Errorf("Instagram 2800 runes: %d parts", len(p.Parts))
	}
	if p := PlanReply(long, channel.Comment); p.Parts != nil || !strings.Contains(p.Refused, "one message of at most 1000") {
		t.Errorf("Comment 2800 runes: %+v", p)
	}
	if p := PlanReply(strings.Repeat(long, 2), channel.Instagram); p.Parts != nil || !strings.Contains(p.Refused, "at most 3 messages") {
		t.Errorf("Instagram 5600 runes: %+v", p)
	}
	if p := PlanReply("", channel.WhatsApp); p.Parts != nil || p.Refused == "" {
		t.Errorf("empty: %+v", p)
	}
}

func TestIsNote(t *testing.T) {
	t.Parallel()
	notes := []string{"note: check stock", "NOTE:x", "*note:* x", "*note*: x", "_note_: x", "_note:_ x", "Note - x", "note – x",
		"Notiz: bitte prüfen", "notiz - x", "intern: x", "Internal: x", "  note : x", "~note~: x",
		"<@U043H11ES4V> can you check?", "<!here> who knows?", "<!subteam^S1|@team> help", "@anna can you look", "*<@U1>* look"}
	for _, n := range notes {
		if !IsNote(n) {
			t.Errorf("IsNote(%q) = false, want internal", n)
		}
	}
	replies := []string{"Note that your parcel left today.", "Notebook arrives Monday", "Thanks, <@U043H11ES4V> will call you", "Hello", "",
		"noted, thanks", "Your note: we got it", "@ home delivery", "intern ships tomorrow"}
	for _, r := range replies {
		if IsNote(r) {
			t.Errorf("IsNote(%q) = true, want a reply for the customer", r)
		}
	}
}

// slackToken is Slack markup that must never reach a customer.
var slackToken = regexp.MustCompile(`<[@#!][^<>\n]*>|<https?://[^<>\n]*>`)

// nested is text Slack never sends: a token inside a token.
var nested = regexp.MustCompile(`<[^<>]*<`)

func FuzzToCustomer(f *testing.F) {
	for _, s := range []string{"*b* _i_ ~s~ `c` ```p```", "<https://x|y> <@U1> <#C1|g> <!here> &amp;", ":cat::skin-tone-2: :flag-de:", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, s := range channel.Surfaces {
			out := ToCustomer(in, s, names)
			if !utf8.ValidString(out) {
				t.Fatalf("%s: invalid UTF-8 %q", s, out)
			}
			if strings.ContainsAny(out, "\x00\x02") {
				t.Fatalf("%s: placeholder left in %q", s, out)
			}
			// Slack escapes a typed "<" as &lt;: without one in the input, every < in the
			// output came from a token, and no token may survive.
			if !strings.Contains(in, "&lt;") && !strings.Contains(in, "`") && !nested.MatchString(in) && slackToken.MatchString(out) {
				t.Fatalf("%s: Slack markup in %q (from %q)", s, out, in)
			}
			if !strings.ContainsAny(in, "<>&:*_~`\x00\x01\x02\x03\x04\x05\x06\x07\x08\ufffd") && utf8.ValidString(in) && out != strings.TrimSpace(in) {
				t.Fatalf("%s: plain text changed: %q -> %q", s, in, out)
			}
			for _, p := range PlanReply(out, s).Parts {
				if n := utf8.RuneCountInString(p); n > channel.TextMax(s) || n == 0 {
					t.Fatalf("%s: part of %d runes", s, n)
				}
			}
		}
		_ = IsNote(in)
		_, _ = Mentions(in)
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("one two. three\n\nfour", 5)
	f.Add("ääää", 1)
	f.Fuzz(func(t *testing.T, in string, max int) {
		if max <= 0 || max > 5000 || !utf8.ValidString(in) {
			return
		}
		parts := Split(in, max)
		var words []string
		for _, p := range parts {
			if n := utf8.RuneCountInString(p); n == 0 || n > max {
				t.Fatalf("part %q has %d runes, max %d", p, n, max)
			}
			words = append(words, strings.Fields(p)...)
		}
		// Nothing is lost: the parts hold the input's characters, apart from the white space
		// where a cut was made.
		if strings.Join(strings.Fields(strings.Join(parts, "")), "") != strings.Join(strings.Fields(in), "") {
			t.Fatalf("Split(%q, %d) = %q loses text", in, max, parts)
		}
		_ = words
	})
}
