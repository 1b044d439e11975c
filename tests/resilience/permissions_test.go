package resilience_test

import "github.com/frontdesk-app/frontdesk/internal/iamcheck"

// permissions is the permission check of this suite: the stack's AWS clients reach moto
// through its recorder, each request named for the function whose code made it (the route's
// function for HTTP requests, the bot for the event source's invocations), and TestMain
// decides every distinct call under that function's policies in template.yaml. The suite
// seeds and inspects the store through the stack's own client, outside any function: those
// calls are the test's (TestCalls). Whether every statement is needed is the artifact suite's
// check, which drives every function.
var permissions = &iamcheck.Suite{Options: iamcheck.ReportOptions{TestCalls: true}}
