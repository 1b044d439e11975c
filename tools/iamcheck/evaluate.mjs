// evaluate.mjs decides AWS requests against identity policies with @cloud-copilot/iam-simulate,
// an IAM policy simulator (actions, resources and their ARN types, condition operators and
// keys, explicit and implicit denies). internal/iamcheck runs it: a JSON array of requests on
// stdin, one decision per request on stdout, in order.
//
//	request:  {"principal": ARN, "action": "dynamodb:Query", "resource": ARN, "account": "123456789012",
//	           "context": {"dynamodb:LeadingKeys": ["EVENT#1"]}, "policies": [{"name": "...", "policy": {...}}]}
//	decision: {"result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "Error", "errors": ...}
import { runSimulation } from '@cloud-copilot/iam-simulate'

let input = ''
for await (const chunk of process.stdin) input += chunk
const requests = JSON.parse(input)
const decisions = []
for (const r of requests) {
  const res = await runSimulation(
    {
      identityPolicies: r.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        principal: r.principal,
        action: r.action,
        resource: { resource: r.resource, accountId: r.account },
        contextVariables: r.context || {}
      }
    },
    {}
  )
  if (res.resultType === 'error') {
    decisions.push({ result: 'Error', errors: res.errors })
  } else {
    decisions.push({ result: res.overallResult })
  }
}
process.stdout.write(JSON.stringify(decisions))
