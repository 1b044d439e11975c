// Package graphtest is a strict fake of the Graph API's send endpoints for tests: the WhatsApp
// Cloud API (POST /{version}/{phone-number-id}/messages) and the Messenger/Instagram Send API
// (POST /{version}/{page-id|ig-id}/messages), served under a non-empty base path.
//
// Every request is checked like Graph would: method, path, version, the Bearer token of the
// account, Content-Type and the body's shape and limits. A malformed body fails the test (it is a
// bug in the sender) and is answered 400 with a Graph error body. Answers and errors look like
// Graph's, and a test can queue failures (5xx, 429 with Retry-After, policy errors) with
// FailNext and read what was sent with Requests. As Meta, it takes one private reply per comment
// and answers a second one AlreadyReplied (SpendPrivateReply spends one beforehand); SetDelay
// makes it slow.
//
// Typical use:
//
//	srv := graphtest.New(t, graphtest.Accounts{WhatsApp: map[string]string{"106540352242922": "wa-token"}})
//	c, _ := graph.New(graph.Config{BaseURL: srv.URL(), Transport: &graph.Transport{HTTP: srv.Client()}, Tokens: graph.Tokens{WhatsApp: "wa-token"}})
//	srv.FailNext(graphtest.RateLimited("1"))
//	... c.Send(ctx, key, reply) ...
//	reqs := srv.Requests()
package graphtest
