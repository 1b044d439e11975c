package iamcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// recordSDKCalls makes requests through the real SDK clients to a recorder whose upstream
// answers every request with an empty JSON object, and returns the recorded calls.
func recordSDKCalls(t *testing.T) []Call {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(upstream.Close)
	rec, err := NewRecorder(upstream.URL, "pk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Close)
	cfg := aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
		BaseEndpoint: aws.String(rec.Endpoint("slack")),
	}
	ctx := context.Background()
	ddb := dynamodb.NewFromConfig(cfg)
	key := func(pk string) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "sk": &ddbtypes.AttributeValueMemberS{Value: "x"}}
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ddb.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t1"), IndexName: aws.String("byStatus"),
		KeyConditionExpression:    aws.String("#k = :v"),
		ExpressionAttributeNames:  map[string]string{"#k": "gsi2pk"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": &ddbtypes.AttributeValueMemberS{Value: "STATUS#escalated"}}}))
	must(ddb.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t1"),
		KeyConditionExpression:    aws.String("#p = :p AND begins_with(sk, :s)"),
		ExpressionAttributeNames:  map[string]string{"#p": "pk"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": &ddbtypes.AttributeValueMemberS{Value: "SUBJECT#abc"}, ":s": &ddbtypes.AttributeValueMemberS{Value: "C"}}}))
	must(ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t1"), Key: key("EVENT#Ev1")}))
	must(ddb.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		{ConditionCheck: &ddbtypes.ConditionCheck{TableName: aws.String("t1"), Key: key("CONV#a"), ConditionExpression: aws.String("attribute_exists(pk)")}},
		{Put: &ddbtypes.Put{TableName: aws.String("t1"), Item: key("SENT#b")}},
	}}))
	must(sqs.NewFromConfig(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(upstream.URL + "/123/q.fifo"), MessageBody: aws.String("x")}))
	must(ssm.NewFromConfig(cfg).GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/test/slack-signing-secret", "/test/page-token"}}))
	return rec.Calls()
}

func TestRecorderDerivesIAMActions(t *testing.T) {
	t.Parallel()
	var got []string
	for _, c := range recordSDKCalls(t) {
		s := c.String()
		if len(c.LeadingKeys) > 0 {
			s += " " + strings.Join(c.LeadingKeys, ",")
		}
		got = append(got, s)
	}
	want := []string{
		"slack: dynamodb:ConditionCheckItem on table t1 key CONV#* CONV#a",
		"slack: dynamodb:DeleteItem on table t1 key EVENT#* EVENT#Ev1",
		"slack: dynamodb:PutItem on table t1 key SENT#* SENT#b",
		"slack: dynamodb:Query on table t1 index byStatus",
		"slack: dynamodb:Query on table t1 key SUBJECT#* SUBJECT#abc",
		"slack: sqs:SendMessage on queue q.fifo",
		"slack: ssm:GetParameters on parameter /test/page-token",
		"slack: ssm:GetParameters on parameter /test/slack-signing-secret",
	}
	if !slices.Equal(got, want) {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

const miniTemplate = `
Parameters:
  SecretsPrefix:
    Type: String
    Default: /shop/prod/
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub ${AWS::StackName}-events.fifo
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Sid: Status
              Effect: Allow
              Action: dynamodb:Query
              Resource: !Sub ${Table.Arn}/index/byStatus
            - Sid: ForgetSeen
              Effect: Allow
              Action: dynamodb:DeleteItem
              Resource: !GetAtt Table.Arn
              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys: ["EVENT#*"]
            - Sid: Enqueue
              Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Queue.Arn
            - Sid: Secrets
              Effect: Allow
              Action: ssm:GetParameters
              Resource: !Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SecretsPrefix}slack-signing-secret
`

func checker(t *testing.T, template string) *Checker {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewEvaluator(root)
	if err != nil {
		t.Fatal(err)
	}
	st, err := LoadStack([]byte(template), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Checker{Eval: ev, Stack: st, Binding: Binding{Table: "Table", Queue: "Queue", SecretsPrefix: "SecretsPrefix"},
		Roles: map[string]string{"slack": "Fn"}}
}

// TestCheckDecidesEachCall: what the policy grants is allowed, the rest is denied: an item
// kind outside the key condition, a parameter not granted by name, a transaction's actions.
func TestCheckDecidesEachCall(t *testing.T) {
	t.Parallel()
	c := checker(t, miniTemplate)
	findings, err := c.Check(recordSDKCalls(t))
	if err != nil {
		t.Fatal(err)
	}
	var allowed, denied []string
	for _, f := range findings {
		if f.Allowed() {
			allowed = append(allowed, f.Call.String())
		} else {
			denied = append(denied, f.Call.String())
		}
	}
	wantAllowed := []string{
		"slack: dynamodb:DeleteItem on table t1 key EVENT#*",
		"slack: dynamodb:Query on table t1 index byStatus",
		"slack: sqs:SendMessage on queue q.fifo",
		"slack: ssm:GetParameters on parameter /test/slack-signing-secret",
	}
	if !slices.Equal(allowed, wantAllowed) {
		t.Errorf("allowed:\n%s\nwant:\n%s", strings.Join(allowed, "\n"), strings.Join(wantAllowed, "\n"))
	}
	if len(denied) != 4 {
		t.Errorf("denied %q, want the condition check, the put, the subject query and the page token", denied)
	}
}

// TestRemovingAStatementFails is the test of the test on the shipped template.yaml: the calls
// behind the Slack function's "/frontdesk open" (the byStatus index) and its seen-mark delete
// (after a failed enqueue) are granted, and removing the statement that grants one makes the
// check deny it.
func TestRemovingAStatementFails(t *testing.T) {
	t.Parallel()
	tpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := checker(t, string(tpl))
	c.Binding = Binding{Table: "Table", Queue: "EventQueue", SecretsPrefix: "SecretsPrefix"}
	c.Roles = map[string]string{"slack": "SlackFunction"}
	calls := []Call{
		{Function: "slack", Action: "dynamodb:Query", Resource: Resource{Kind: "table", Name: "t", Index: "byStatus"}},
		{Function: "slack", Action: "dynamodb:DeleteItem", Resource: Resource{Kind: "table", Name: "t", KeyPrefix: "EVENT#"}, LeadingKeys: []string{"EVENT#Ev1"}},
	}
	findings, err := c.Check(calls)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if !f.Allowed() {
			t.Errorf("template.yaml: %s", f)
		}
	}
	unneeded, _, err := c.Unneeded(calls)
	if err != nil {
		t.Fatal(err)
	}
	for _, sid := range []string{"OpenEscalations", "ForgetSeen"} {
		statement := "SlackFunction SlackFunction.Policies[0]/" + sid
		if slices.Contains(unneeded, statement) {
			t.Errorf("without %s the calls are still allowed; want one denied", statement)
		}
		if !slices.ContainsFunc(c.Stack.Policies["SlackFunction"][0].Document["Statement"].([]any), func(st any) bool { return st.(map[string]any)["Sid"] == sid }) {
			t.Errorf("the Slack function's policy has no statement %s", sid)
		}
	}
	if len(unneeded) == 0 {
		t.Error("every statement is needed by two calls: the check cannot tell statements apart")
	}
}
