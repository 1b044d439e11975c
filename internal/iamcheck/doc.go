// Package iamcheck proves the functions' IAM permissions instead of assuming them: it records
// every AWS request each function makes while the test suites drive it (Recorder, an endpoint
// per function in front of moto), reads the policies template.yaml gives each function's role
// with their references resolved (LoadStack), and decides each recorded call under them with
// an IAM policy simulator (Evaluator: @cloud-copilot/iam-simulate, pinned in tools/iamcheck).
//
// moto does not enforce IAM for DynamoDB or SSM (its access control checks the resource only
// for a few services), so the decision is not left to it.
package iamcheck
