// Package samtemplate reads the functions and HTTP routes out of the AWS SAM template
// (template.yaml), so that the local server mounts exactly the routes API Gateway serves in AWS:
// the template is the single source of routes and the two cannot drift.
//
// It reads the YAML itself, as gopkg.in/yaml.v3 nodes, because the general-purpose readers do
// not fit: goformation neither applies Globals nor resolves !Ref or !GetAtt. CloudFormation's
// short-form tags (!Ref, !GetAtt, !Sub, !If, ...) parse as tagged nodes and are fine anywhere the
// package does not look; JSON templates parse too. Globals.Function.CodeUri applies to functions
// without their own.
//
// What the local server could not mount exactly is an error that names the resource, the event
// and the line: a CodeUri that is not a local directory, an intrinsic function as a method or
// path, an HttpApi event without a path, a REST (Api) event, a payload format other than 2.0, a
// path that net/http's ServeMux would refuse, or the same route twice. All problems are reported
// at once, joined.
//
// See https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html
// and https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
package samtemplate
