// Command hello is the smallest Go Lambda function: the baseline BenchmarkColdStart compares
// every frontdesk bootstrap with. It is built like them, in the same run.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(func() {})
}
