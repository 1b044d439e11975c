package iamcheck

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Stack is a SAM template as deployed in a simulated account: the functions' IAM policies with
// every reference resolved (parameters at their defaults unless overridden, resources at the
// names CloudFormation would give them).
type Stack struct {
	Account, Region, Partition, Name string

	params    map[string]string
	resources map[string]*yaml.Node // logical id -> the resource
	// Policies are each function's policies, by the function's logical id.
	Policies map[string][]Policy
}

// Policy is one IAM policy of a function's role.
type Policy struct {
	Name     string         `json:"name"`
	Document map[string]any `json:"policy"`
}

// Statements returns the number of statements of the policy.
func (p Policy) Statements() int {
	st, _ := p.Document["Statement"].([]any)
	return len(st)
}

// Without returns the policies with statement i of policy p removed.
func Without(ps []Policy, p, i int) []Policy {
	out := slices.Clone(ps)
	doc := maps.Clone(out[p].Document)
	st := slices.Clone(doc["Statement"].([]any))
	doc["Statement"] = slices.Delete(st, i, i+1)
	out[p] = Policy{Name: out[p].Name, Document: doc}
	return out
}

// WithoutAction returns the policies with action a removed from statement i of policy p, and
// whether the statement lists a among more than one action.
func WithoutAction(ps []Policy, p, i int, a string) ([]Policy, bool) {
	st, ok := ps[p].Document["Statement"].([]any)[i].(map[string]any)
	if !ok {
		return nil, false
	}
	actions, ok := st["Action"].([]any)
	if !ok || len(actions) < 2 || !slices.Contains(actions, any(a)) {
		return nil, false
	}
	out := slices.Clone(ps)
	doc := maps.Clone(out[p].Document)
	sts := slices.Clone(doc["Statement"].([]any))
	nst := maps.Clone(st)
	nst["Action"] = slices.DeleteFunc(slices.Clone(actions), func(x any) bool { return x == a })
	sts[i] = nst
	doc["Statement"] = sts
	out[p] = Policy{Name: out[p].Name, Document: doc}
	return out, true
}

// Actions returns the actions statement i of policy p lists.
func Actions(ps []Policy, p, i int) []string {
	st, _ := ps[p].Document["Statement"].([]any)[i].(map[string]any)
	switch a := st["Action"].(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// StatementID names statement i of policy p: its Sid, or its position.
func StatementID(ps []Policy, p, i int) string {
	st := ps[p].Document["Statement"].([]any)[i]
	if m, ok := st.(map[string]any); ok {
		if sid, ok := m["Sid"].(string); ok {
			return ps[p].Name + "/" + sid
		}
	}
	return fmt.Sprintf("%s/statement %d", ps[p].Name, i)
}

// LoadStack reads a SAM template and resolves its functions' policies in account 123456789012,
// region eu-central-1, as stack "frontdesk"; params override the parameters' defaults.
func LoadStack(template []byte, params map[string]string) (*Stack, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(template, &root); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("template: not a mapping")
	}
	s := &Stack{Account: "123456789012", Region: "eu-central-1", Partition: "aws", Name: "frontdesk",
		params: map[string]string{}, resources: map[string]*yaml.Node{}, Policies: map[string][]Policy{}}
	top := fields(root.Content[0])
	for id, p := range fields(top["Parameters"]) {
		if d := fields(p)["Default"]; d != nil {
			s.params[id] = d.Value
		}
	}
	maps.Copy(s.params, params)
	maps.Copy(s.resources, fields(top["Resources"]))
	for _, id := range slices.Sorted(maps.Keys(s.resources)) {
		if s.typ(id) != "AWS::Serverless::Function" {
			continue
		}
		props := fields(fields(s.resources[id])["Properties"])
		if props["Role"] != nil {
			return nil, fmt.Errorf("%s: a Role of its own is not supported, only Policies", id)
		}
		pols := props["Policies"]
		if pols == nil {
			s.Policies[id] = nil
			continue
		}
		items := []*yaml.Node{pols}
		if pols.Kind == yaml.SequenceNode {
			items = pols.Content
		}
		for i, item := range items {
			p, err := s.policy(id, i, item)
			if err != nil {
				return nil, err
			}
			s.Policies[id] = append(s.Policies[id], p)
		}
	}
	return s, nil
}

// policy resolves item i of function id's Policies: an inline policy document, or a reference
// to an AWS::IAM::ManagedPolicy of the template.
func (s *Stack) policy(id string, i int, item *yaml.Node) (Policy, error) {
	name := fmt.Sprintf("%s.Policies[%d]", id, i)
	if item.Tag == "!Ref" || (item.Kind == yaml.MappingNode && fields(item)["Ref"] != nil) {
		ref := item.Value
		if item.Kind == yaml.MappingNode {
			ref = fields(item)["Ref"].Value
		}
		if s.typ(ref) != "AWS::IAM::ManagedPolicy" {
			return Policy{}, fmt.Errorf("%s: !Ref %s is not a managed policy of the template", name, ref)
		}
		item = fields(fields(s.resources[ref])["Properties"])["PolicyDocument"]
		name = ref
	}
	if item.Kind != yaml.MappingNode || fields(item)["Statement"] == nil {
		return Policy{}, fmt.Errorf("%s (line %d): only inline policy documents and managed policies of the template are supported (no SAM policy templates or AWS managed policies)", name, item.Line)
	}
	v, err := s.resolve(item)
	if err != nil {
		return Policy{}, fmt.Errorf("%s: %w", name, err)
	}
	doc := v.(map[string]any)
	if st, ok := doc["Statement"].(map[string]any); ok {
		doc["Statement"] = []any{st}
	}
	return Policy{Name: name, Document: doc}, nil
}

func (s *Stack) typ(id string) string {
	if r, ok := s.resources[id]; ok {
		if t := fields(r)["Type"]; t != nil {
			return t.Value
		}
	}
	return ""
}

// resolve turns a node into JSON values with the intrinsic functions Ref, Fn::GetAtt and
// Fn::Sub evaluated (short and long forms).
func (s *Stack) resolve(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!Ref":
		return s.ref(n.Value)
	case "!GetAtt":
		return s.getAtt(n)
	case "!Sub":
		return s.sub(n)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("line %d: %s is not supported here", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return s.resolve(n.Alias)
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := s.resolve(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		f := fields(n)
		if len(f) == 1 {
			for k, v := range f {
				switch k {
				case "Ref":
					return s.ref(v.Value)
				case "Fn::GetAtt":
					return s.getAtt(v)
				case "Fn::Sub":
					return s.sub(v)
				}
				if strings.HasPrefix(k, "Fn::") {
					return nil, fmt.Errorf("line %d: %s is not supported here", n.Line, k)
				}
			}
		}
		out := map[string]any{}
		for k, c := range f {
			v, err := s.resolve(c)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: cannot resolve", n.Line)
}

func (s *Stack) ref(name string) (string, error) {
	switch name {
	case "AWS::Region":
		return s.Region, nil
	case "AWS::AccountId":
		return s.Account, nil
	case "AWS::Partition":
		return s.Partition, nil
	case "AWS::StackName":
		return s.Name, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	}
	if v, ok := s.params[name]; ok {
		return v, nil
	}
	switch s.typ(name) {
	case "AWS::DynamoDB::Table":
		return s.physicalName(name, "TableName")
	case "AWS::SQS::Queue":
		q, err := s.physicalName(name, "QueueName")
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", s.Region, s.Account, q), err
	case "AWS::SNS::Topic":
		return s.arnOf(name)
	case "":
		return "", fmt.Errorf("!Ref %s: no such parameter or resource (a parameter without a default needs a value)", name)
	}
	return "", fmt.Errorf("!Ref %s: a %s is not supported", name, s.typ(name))
}

func (s *Stack) getAtt(n *yaml.Node) (string, error) {
	var id, attr string
	switch n.Kind {
	case yaml.ScalarNode:
		id, attr, _ = strings.Cut(n.Value, ".")
	case yaml.SequenceNode:
		if len(n.Content) == 2 {
			id, attr = n.Content[0].Value, n.Content[1].Value
		}
	}
	switch {
	case attr == "Arn":
		return s.arnOf(id)
	case attr == "QueueName" && s.typ(id) == "AWS::SQS::Queue":
		return s.physicalName(id, "QueueName")
	}
	return "", fmt.Errorf("line %d: !GetAtt %s.%s is not supported", n.Line, id, attr)
}

// arnOf is the ARN of resource id.
func (s *Stack) arnOf(id string) (string, error) {
	switch s.typ(id) {
	case "AWS::DynamoDB::Table":
		name, err := s.physicalName(id, "TableName")
		return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", s.Partition, s.Region, s.Account, name), err
	case "AWS::SQS::Queue":
		name, err := s.physicalName(id, "QueueName")
		return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", s.Partition, s.Region, s.Account, name), err
	case "AWS::SNS::Topic":
		name, err := s.physicalName(id, "TopicName")
		return fmt.Sprintf("arn:%s:sns:%s:%s:%s", s.Partition, s.Region, s.Account, name), err
	}
	return "", fmt.Errorf("the ARN of %s (%q) is not supported", id, s.typ(id))
}

// physicalName is the name property of resource id, or the name CloudFormation generates.
func (s *Stack) physicalName(id, prop string) (string, error) {
	n := fields(fields(s.resources[id])["Properties"])[prop]
	if n == nil {
		return s.Name + "-" + id, nil
	}
	v, err := s.resolve(n)
	if err != nil {
		return "", err
	}
	name, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s.%s is not a string", id, prop)
	}
	return name, nil
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

func (s *Stack) sub(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("line %d: only the one-string form of !Sub is supported", n.Line)
	}
	var err error
	out := subVar.ReplaceAllStringFunc(n.Value, func(m string) string {
		name := m[2 : len(m)-1]
		var v string
		var e error
		if id, attr, ok := strings.Cut(name, "."); ok {
			v, e = s.getAtt(&yaml.Node{Kind: yaml.SequenceNode, Line: n.Line, Content: []*yaml.Node{{Value: id}, {Value: attr}}})
		} else {
			v, e = s.ref(name)
		}
		if e != nil && err == nil {
			err = e
		}
		return v
	})
	return out, err
}

// Binding says which resource of the template stands for the resources the recorded calls
// name in the test world (their own tables and queues, their own SECRETS_PREFIX).
type Binding struct {
	Table string // logical id of the table every recorded table is
	Queue string // logical id of the queue every recorded queue is
	// SecretsPrefix is the parameter that holds the SSM prefix of the secrets: a recorded
	// parameter is the parameter of the same base name below it.
	SecretsPrefix string
}

// ARN is the ARN in the stack of the resource of c.
func (s *Stack) ARN(c Call, b Binding) (string, error) {
	switch c.Resource.Kind {
	case "table":
		arn, err := s.arnOf(b.Table)
		if c.Resource.Index != "" {
			arn += "/index/" + c.Resource.Index
		}
		return arn, err
	case "queue":
		return s.arnOf(b.Queue)
	case "parameter":
		prefix, err := s.ref(b.SecretsPrefix)
		return fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s%s", s.Partition, s.Region, s.Account, prefix, path.Base(c.Resource.Name)), err
	}
	return "", fmt.Errorf("%s: unknown resource kind %q", c, c.Resource.Kind)
}

// fields maps a mapping node's keys to their values; nil for anything else.
func fields(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}
