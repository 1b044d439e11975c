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
// TestTemplateEnvironment starts each bootstrap with the environment template.yaml gives it in
// AWS and its secrets in SSM (moto), so a variable the code needs and the template lacks fails
// here rather than in a deployment.
//
// The emulator comes from the tools/rie module, which pins its version outside the main
// module's dependency graph; the tests build it, no installed binary is used. The tests run on
// Linux only: the bootstraps are Linux binaries and run natively, for the host's architecture.
//
//	go test ./tests/artifact                                  # moto from make test or .tools
//	go test -bench ColdStart -run '^$' ./tests/artifact
package artifact
