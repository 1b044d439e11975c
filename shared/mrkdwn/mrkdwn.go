package mrkdwn

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kyokomi/emoji/v2"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Names are the display names of the Slack users and channels a message mentions, by id; an id
// missing here is dropped from the customer's text.
type Names struct {
	Users    map[string]string
	Channels map[string]string
}

var (
	// tokenRE is one of Slack's angle-bracket tokens. Slack escapes a literal < as &lt;, so a
	// bare < opens a token; one without its > is kept as text.
	tokenRE = regexp.MustCompile(`<([^<>\n\x00]+)>`)
	// codeRE is a code block (may span lines) or inline code (one line).
	codeRE = regexp.MustCompile("(?s)```(.*?)```|`([^`\n]+)`")
	// emojiRE is a shortcode, optionally with a skin tone (":wave::skin-tone-3:").
	emojiRE   = regexp.MustCompile(`:([a-z0-9_+'\-]+):(?::(skin-tone-[2-6]):)?`)
	idRE      = regexp.MustCompile(`^[A-Z0-9]{2,}$`)
	entities  = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	codemap   = emoji.CodeMap()
	dropSpace = regexp.MustCompile("[ \t]*\x02[ \t]*")
)

// Placeholders stand for rendered pieces while the text around them is processed: \x00 n \x00
// for piece n, \x02 where a token was dropped. Control characters below \x09 are removed from
// the input first; no customer surface shows them.
const (
	holder  = "\x00"
	dropped = "\x02"
)

// Mentions returns the ids of the users and channels text mentions without a name of their own
// (<@U123>, <#C123>), each once, in order: the ones to resolve before ToCustomer.
func Mentions(text string) (users, channels []string) {
	seen := map[string]bool{}
	for _, m := range tokenRE.FindAllStringSubmatch(text, -1) {
		body := m[1]
		if len(body) < 2 || strings.Contains(body, "|") {
			continue
		}
		id := body[1:]
		if !idRE.MatchString(id) || seen[body] {
			continue
		}
		seen[body] = true
		switch body[0] {
		case '@':
			users = append(users, id)
		case '#':
			channels = append(channels, id)
		}
	}
	return users, channels
}

// Formatting says whether a surface renders Slack-like markers: WhatsApp does (*bold*,
// _italic_, ~strike~, `code`, ```block```, the same characters as Slack), Messenger, Instagram
// and private replies show them literally.
func Formatting(s channel.Surface) bool { return s == channel.WhatsApp }

// ToCustomer renders Slack message text for a customer on surface s. The result holds no Slack
// markup: see the package documentation for each rule. Leading and trailing space is trimmed;
// the result may be empty (a message of nothing but a special mention).
func ToCustomer(text string, s channel.Surface, names Names) string {
	text = strings.Map(func(r rune) rune {
		if r < '\t' || r == utf8.RuneError {
			return -1
		}
		return r
	}, text)
	keep := Formatting(s)
	var pieces []string
	put := func(p string) string {
		pieces = append(pieces, p)
		return holder + strconv.Itoa(len(pieces)-1) + holder
	}
	// Code first: nothing inside it is markup but the entities.
	text = codeRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := codeRE.FindStringSubmatch(m)
		switch {
		case strings.HasPrefix(m, "```") && keep:
			return put("```" + entities.Replace(sub[1]) + "```")
		case strings.HasPrefix(m, "```"):
			return put(strings.Trim(entities.Replace(sub[1]), "\n"))
		case keep:
			return put("`" + entities.Replace(sub[2]) + "`")
		}
		return put(entities.Replace(sub[2]))
	})
	// Slack never nests tokens; malformed text that does is rendered from the inside out.
	for i := 0; i < 4 && tokenRE.MatchString(text); i++ {
		text = tokenRE.ReplaceAllStringFunc(text, func(m string) string {
			r := renderToken(strings.ReplaceAll(m[1:len(m)-1], dropped, ""), names)
			if r == "" {
				return dropped
			}
			return put(r)
		})
	}
	text = emojize(text)
	if !keep {
		for _, mk := range []rune{'*', '_', '~'} {
			text = stripMarker(text, mk)
		}
	}
	text = entities.Replace(text)
	text = tidyDropped(text)
	// Put the pieces back; a piece never contains a placeholder of its own.
	var b strings.Builder
	for {
		i := strings.Index(text, holder)
		if i < 0 {
			b.WriteString(text)
			break
		}
		j := strings.Index(text[i+1:], holder)
		if j < 0 {
			b.WriteString(text)
			break
		}
		n, err := strconv.Atoi(text[i+1 : i+1+j])
		b.WriteString(text[:i])
		if err == nil && n >= 0 && n < len(pieces) {
			b.WriteString(pieces[n])
		}
		text = text[i+1+j+1:]
	}
	return strings.TrimSpace(b.String())
}

// renderToken renders the inside of one <…> token.
func renderToken(body string, names Names) string {
	ref, label, hasLabel := strings.Cut(body, "|")
	label = strings.TrimSpace(entities.Replace(label))
	switch {
	case strings.HasPrefix(ref, "@"):
		if n := strings.TrimSpace(names.Users[ref[1:]]); n != "" {
			return n
		}
		return strings.TrimPrefix(label, "@")
	case strings.HasPrefix(ref, "#"):
		n := strings.TrimSpace(names.Channels[ref[1:]])
		if n == "" {
			n = strings.TrimPrefix(label, "#")
		}
		if n == "" {
			return ""
		}
		return "#" + n
	case strings.HasPrefix(ref, "!"):
		// <!date^…^…|fallback> shows its fallback; <!here>, <!channel>, <!everyone> and
		// <!subteam^…|@group> address colleagues, not the customer.
		if strings.HasPrefix(ref, "!date^") && hasLabel {
			return label
		}
		return ""
	}
	url := entities.Replace(ref)
	shown := url
	if rest, ok := strings.CutPrefix(url, "mailto:"); ok {
		shown = rest
	} else if rest, ok := strings.CutPrefix(url, "tel:"); ok {
		shown = rest
	} else if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		// slack://, other app links: nothing a customer can open.
		return label
	}
	if label == "" || sameLink(label, shown) {
		return shown
	}
	return label + " (" + shown + ")"
}

// sameLink reports whether label shows the link itself, as Slack writes auto-linked text
// (<https://example.com|example.com>).
func sameLink(label, url string) bool {
	norm := func(s string) string {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimSuffix(strings.TrimPrefix(s, "www."), "/")
	}
	return strings.EqualFold(norm(label), norm(url))
}

// emojize renders the shortcodes in s; a code glued to a preceding letter or digit ("a:b:c",
// "10:30:") is not one. An unknown code is kept as written ("10:30:45"), unless
// it stands alone between spaces: then it is a workspace's custom emoji, which no customer can
// see, and it is dropped.
func emojize(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range emojiRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:loc[0]])
		last = loc[1]
		name, tone := s[loc[2]:loc[3]], ""
		if loc[4] >= 0 {
			tone = s[loc[4]:loc[5]]
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:loc[0]])
		if e, ok := lookupEmoji(name); ok && (loc[0] == 0 || !wordRune(prev)) {
			if tone != "" {
				e = strings.TrimSuffix(e, "\ufe0f") + codemap[":"+tone+":"]
			}
			b.WriteString(e)
			continue
		}
		if standalone(s, loc[0], loc[1]) && strings.IndexFunc(name, unicode.IsLetter) >= 0 {
			b.WriteString(dropped)
			continue
		}
		// Not an emoji: keep the first colon and look again from the second one, which may open
		// a real code ("at 10:30 :smile:").
		b.WriteString(s[loc[0] : loc[0]+1])
		last = loc[0] + 1
		rest := emojize(s[last:])
		b.WriteString(rest)
		return b.String()
	}
	b.WriteString(s[last:])
	return b.String()
}

// slackOnly are Slack's shortcodes that GitHub's and Unicode's lists do not carry.
var slackOnly = map[string]string{"simple_smile": "\U0001f642"}

func lookupEmoji(name string) (string, bool) {
	if e, ok := codemap[":"+name+":"]; ok {
		return e, true
	}
	if e, ok := slackOnly[name]; ok {
		return e, true
	}
	if cc, ok := strings.CutPrefix(name, "flag-"); ok && len(cc) == 2 && cc[0] >= 'a' && cc[0] <= 'z' && cc[1] >= 'a' && cc[1] <= 'z' {
		return string(rune(0x1F1E6+rune(cc[0]-'a'))) + string(rune(0x1F1E6+rune(cc[1]-'a'))), true
	}
	return "", false
}

// standalone reports whether s[i:j] has a space, a line break or the text's edge on each side
// (punctuation may follow).
func standalone(s string, i, j int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[j:])
	return (i == 0 || unicode.IsSpace(before)) &&
		(j == len(s) || unicode.IsSpace(after) || strings.ContainsRune(".,!?;", after))
}

// stripMarker removes the pairs of mk that Slack renders as formatting: an opening mk at the
// start or after a character that is not a letter or digit, followed by a non-space; a closing
// mk on the same line, after a non-space, followed by the end or a character that is not a
// letter or digit. snake_case, 2*3*4 and a lone * stay as written.
func stripMarker(s string, mk rune) string {
	if !strings.ContainsRune(s, mk) {
		return s
	}
	r := []rune(s)
	out := make([]rune, 0, len(r))
	for i := 0; i < len(r); i++ {
		if r[i] == mk && opens(r, i, mk) {
			if j := closes(r, i, mk); j > 0 {
				out = append(out, r[i+1:j]...)
				i = j
				continue
			}
		}
		out = append(out, r[i])
	}
	return string(out)
}

func opens(r []rune, i int, mk rune) bool {
	if i > 0 && (wordRune(r[i-1]) || r[i-1] == mk) {
		return false
	}
	return i+1 < len(r) && !unicode.IsSpace(r[i+1]) && r[i+1] != mk
}

func closes(r []rune, i int, mk rune) int {
	for j := i + 2; j < len(r) && r[j] != '\n'; j++ {
		if r[j] == mk && !unicode.IsSpace(r[j-1]) && (j+1 == len(r) || !wordRune(r[j+1])) {
			return j
		}
	}
	return -1
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// tidyDropped removes the places of dropped tokens with the spaces around them, keeping one
// space between words ("ask <!here> now" reads "ask now").
func tidyDropped(s string) string {
	if !strings.Contains(s, dropped) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range dropSpace.FindAllStringIndex(s, -1) {
		b.WriteString(s[last:loc[0]])
		last = loc[1]
		m := s[loc[0]:loc[1]]
		spaced := m[0] == ' ' || m[0] == '\t' || m[len(m)-1] == ' ' || m[len(m)-1] == '\t'
		atEdge := loc[0] == 0 || s[loc[0]-1] == '\n' || loc[1] == len(s) || strings.IndexByte("\n,.;:!?)", s[loc[1]]) >= 0
		if spaced && !atEdge {
			b.WriteByte(' ')
		}
	}
	b.WriteString(s[last:])
	return strings.ReplaceAll(b.String(), dropped, "")
}
