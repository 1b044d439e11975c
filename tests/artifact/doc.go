// Package artifact tests frontdesk's Lambda functions as they ship: the `bootstrap` binaries,
// built once per test run exactly like the deployed ones (GOOS=linux, CGO_ENABLED=0,
// -tags lambda.norpc, -trimpath, -ldflags='-s -w'; host architecture), each run under the AWS
// Lambda Runtime Interface Emulator (https://github.com/aws/aws-lambda-runtime-interface-emulator)
// on loopback ports, fed every sample event in events/<function>/.
//
// The functions talk to moto for DynamoDB and SQS (AWS_ENDPOINT_URL), to the strict fakes
// graphtest and slacktest for the Graph API and the Slack Web API, and to nothing else: the
// proxy variables point at a traffic trap that fails the test on any other outbound request
// (tailscale's tstest/integration trafficTrap model). Every events file has an expectation in
// events_test.go; a file without one fails the run.
//
// BenchmarkColdStart measures the emulator's cold start of each bootstrap next to a hello-world
// Go function built in the same run, and reports binary sizes.
//
// The emulator comes from the tools/rie module, which pins its version outside the main
// module's dependency graph; the tests build it, no installed binary is used.
package artifact
