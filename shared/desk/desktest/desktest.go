// Package desktest is a recording desk.Desk for tests of what the bot and the sweeper tell the
// agents, without Slack.
package desktest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// Desk records every call. Announce opens threads "C0DESK"/"1000000000.00000N". It is safe
// for concurrent use.
type Desk struct {
	mu    sync.Mutex
	posts []Post
	n     int
	// Err, when set, is returned by every call (after recording it).
	Err error
}

var _ desk.Desk = (*Desk)(nil)

// Post is one recorded call.
type Post struct {
	Op     string // announce, update, mirror, note, reannounce
	Thread desk.Thread
	Card   desk.Card     // announce, update
	Notes  []desk.Note   // note, reannounce
	Name   string        // mirror, mirror_file
	Text   string        // mirror, mirror_file (the caption)
	File   *channel.File // mirror_file
}

// String is "<op> <ts>: <what>": the card's status, the mirrored "name: text", or the notes
// in plain words (desk.Note.String), one per line.
func (p Post) String() string {
	var what string
	switch p.Op {
	case "announce", "update":
		what = string(p.Card.Status)
	case "mirror":
		what = p.Name + ": " + p.Text
	case "mirror_file":
		what = fmt.Sprintf("%s: [%s, %d bytes] %s", p.Name, p.File.MIME, len(p.File.Data), p.Text)
	default:
		lines := make([]string, len(p.Notes))
		for i, n := range p.Notes {
			lines[i] = n.String()
		}
		what = strings.Join(lines, "\n")
	}
	return fmt.Sprintf("%s %s: %s", p.Op, p.Thread.TS, what)
}

func (d *Desk) record(p Post) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.posts = append(d.posts, p)
	return d.Err
}

// Announce implements desk.Desk.
func (d *Desk) Announce(_ context.Context, c desk.Card) (desk.Thread, error) {
	d.mu.Lock()
	d.n++
	t := desk.Thread{Channel: "C0DESK", TS: fmt.Sprintf("1000000000.%06d", d.n)}
	d.mu.Unlock()
	if err := d.record(Post{Op: "announce", Thread: t, Card: c}); err != nil {
		return desk.Thread{}, err
	}
	return t, nil
}

// Update implements desk.Desk.
func (d *Desk) Update(_ context.Context, t desk.Thread, c desk.Card) error {
	return d.record(Post{Op: "update", Thread: t, Card: c})
}

// Mirror implements desk.Desk.
func (d *Desk) Mirror(_ context.Context, t desk.Thread, name, text string) error {
	return d.record(Post{Op: "mirror", Thread: t, Name: name, Text: text})
}

// MirrorFile implements desk.Desk.
func (d *Desk) MirrorFile(_ context.Context, t desk.Thread, name string, f channel.File, caption string) error {
	return d.record(Post{Op: "mirror_file", Thread: t, Name: name, Text: caption, File: &f})
}

// Note implements desk.Desk.
func (d *Desk) Note(_ context.Context, t desk.Thread, notes ...desk.Note) error {
	return d.record(Post{Op: "note", Thread: t, Notes: slices.Clone(notes)})
}

// Reannounce implements desk.Desk.
func (d *Desk) Reannounce(_ context.Context, t desk.Thread, n desk.Note) error {
	return d.record(Post{Op: "reannounce", Thread: t, Notes: []desk.Note{n}})
}

// Posts returns the calls so far, oldest first.
func (d *Desk) Posts() []Post {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.posts)
}

// Lines returns Posts as strings (Post.String).
func (d *Desk) Lines() []string {
	var out []string
	for _, p := range d.Posts() {
		out = append(out, p.String())
	}
	return out
}
