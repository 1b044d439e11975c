//go:build linux

package artifact_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"gopkg.in/yaml.v3"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/config"
)

// templateFunction is one AWS::Serverless::Function of template.yaml, with its environment
// as deployed: Globals first, then the function's own variables, intrinsics unresolved.
type templateFunction struct {
	logicalID string
	name      string // functions/<name>/ of CodeUri
	env       map[string]yaml.Node
	timeout   string
	memory    string
	logFormat string
}

// TestTemplateEnvironment starts every bootstrap with exactly the environment template.yaml
// gives it in AWS (Globals and the function's variables, references resolved to the test's
// table and queue and to the parameters' defaults) and its secrets where AWS keeps them: as
// SecureString parameters in SSM under SECRETS_PREFIX. Each function must start and serve a
// request that needs its secrets; a variable the code requires and the template forgets fails
// here, not in the first deployment.
func TestTemplateEnvironment(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	fns, defaults := readTemplate(t, filepath.Join(bins.root, "template.yaml"))
	// A request per function that only succeeds with the secrets read from SSM.
	probes := map[string]struct {
		file, inline string
		trigger      trigger
		want         want
	}{
		"meta-webhook": {file: "verify_good", trigger: apiGateway, want: want{status: 200}}, // META_VERIFY_TOKEN
		// CONSENT_API_KEY is not needed here, but the app secret is; with PUBLIC_BASE_URL empty
		// (the template's default) the status URL is the host the callback came in on.
		"consent": {file: "meta-data-deletion", trigger: apiGateway, want: want{status: 200, check: deletionAnswer(
			"https://abc123defg.execute-api.eu-central-1.amazonaws.com")}}, // META_APP_SECRET
		"slack":   {file: "url_verification", trigger: apiGateway, want: want{status: 200}}, // SLACK_SIGNING_SECRET
		"bot":     {inline: `{"Records":[]}`, trigger: sqsBatch},                            // every client built
		"sweeper": {file: "scheduled", trigger: schedule},
	}
	var names []string
	for _, f := range fns {
		names = append(names, f.name)
	}
	if diff := slices.Compare(bins.functions(), slices.Sorted(slices.Values(names))); diff != 0 {
		t.Fatalf("template.yaml deploys %q, functions/ has %q", names, bins.functions())
	}
	for _, f := range fns {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			p, ok := probes[f.name]
			if !ok {
				t.Fatalf("%s has no probe in TestTemplateEnvironment", f.name)
			}
			r := prepareRig(t, f.name, nil)
			prefix := fmt.Sprintf("/frontdesk/artifact-%s-%d/", f.name, time.Now().UnixNano())
			putSecrets(t, prefix)
			r.environ = r.templateEnv(t, f, defaults, prefix)
			r.proc = launch(t, bins.rie, bins.bootstrap[f.name], f.name, r.environ)
			r.proc.waitReady(t)

			event := []byte(p.inline)
			if p.file != "" {
				event = readEvent(t, bins.root, f.name, p.file)
				if prep := suites[f.name].prepare; prep != nil {
					event = prep(t, event)
				}
			}
			got := r.invoke(t, p.trigger, event)
			if len(got.stray) > 0 {
				t.Errorf("requests outside the fakes and moto: %q", got.stray)
			}
			got.check(t, r, p.trigger, p.want)
		})
	}
}

// putSecrets stores the local secrets in SSM under prefix (one per subtest: the function's name
// and the time), named as shared/config reads them (META_APP_SECRET -> <prefix>meta-app-secret).
func putSecrets(t *testing.T, prefix string) {
	t.Helper()
	values := map[string]string{
		"META_APP_SECRET": appSecret, "META_VERIFY_TOKEN": verifyToken, "WHATSAPP_TOKEN": whatsappToken,
		"PAGE_TOKEN": pageToken, "INSTAGRAM_TOKEN": instagramToken, "SLACK_BOT_TOKEN": slackToken,
		"SLACK_SIGNING_SECRET": slackSecret, "CONSENT_API_KEY": consentKey, "SUBJECT_PEPPER": subjectPepper,
	}
	client := ssm.NewFromConfig(testenv.AWSConfig(t))
	for _, env := range config.SecretEnvVars() {
		v, ok := values[env]
		if !ok {
			t.Fatalf("no local value for the secret %s", env)
		}
		name := prefix + strings.ToLower(strings.ReplaceAll(env, "_", "-"))
		// Overwrite makes the put idempotent: when moto's answer is lost under load the SDK
		// retries, and a retry must not fail on the parameter its first attempt made.
		if _, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(v), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		}); err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
	}
}

// templateEnv is f's environment in AWS, with the Lambda platform's part (region, credentials,
// endpoint, proxy) as in every rig and no secret in it.
func (r *rig) templateEnv(t *testing.T, f templateFunction, defaults map[string]string, prefix string) []string {
	t.Helper()
	vars := r.platformEnv(t)
	vars["AWS_LAMBDA_FUNCTION_TIMEOUT"] = f.timeout
	vars["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = f.memory
	if f.logFormat != "" {
		vars["AWS_LAMBDA_LOG_FORMAT"] = f.logFormat
	}
	redirect := maps.Clone(vars)
	for k, n := range f.env {
		vars[k] = r.resolve(t, &n, defaults, prefix)
		// /opt is where Lambda mounts the function's layers: the knowledge base layer, laid
		// out as sam build does (layers/kb), of the sample shop.
		if rest, ok := strings.CutPrefix(vars[k], "/opt/"); ok {
			vars[k] = filepath.Join(kbLayer(t, r.rootDir(t), "shared/faq/kb/shop"), rest)
		}
	}
	// The template declares AWS_ENDPOINT_URL empty (it is for sam local); the rig's moto stands
	// in for AWS, and the trap for the internet, whatever the template says.
	for _, k := range []string{"AWS_ENDPOINT_URL", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"} {
		vars[k] = redirect[k]
	}
	return environ(vars)
}

// resolve evaluates a template value: a plain scalar, !Ref of a parameter (its default) or of
// the table or queue (the rig's), or !Sub over those and the pseudo parameters.
func (r *rig) resolve(t *testing.T, n *yaml.Node, defaults map[string]string, prefix string) string {
	t.Helper()
	refs := maps.Clone(defaults)
	maps.Copy(refs, map[string]string{
		"Table":          r.table,
		"EventQueue":     r.queueURL,
		"SecretsPrefix":  prefix,
		"SlackChannel":   slackChannel, // no default: a deployment must give it
		"SlackTeamIds":   slackTeam,
		"SlackAppId":     slackApp,
		"HttpApi":        "abc123defg",
		"AWS::Region":    testenv.Region,
		"AWS::URLSuffix": "amazonaws.com",
		"AWS::AccountId": "123456789012",
		"AWS::StackName": "frontdesk",
		"AWS::Partition": "aws",
	})
	lookup := func(name string) string {
		v, ok := refs[name]
		if !ok {
			t.Fatalf("template.yaml refers to %s, which TestTemplateEnvironment cannot resolve: add it", name)
		}
		return v
	}
	switch n.Tag {
	case "!!str", "!!int", "!!bool", "!!float", "":
		return n.Value
	case "!Ref":
		return lookup(n.Value)
	case "!Sub":
		return subRE.ReplaceAllStringFunc(n.Value, func(m string) string { return lookup(m[2 : len(m)-1]) })
	}
	t.Fatalf("template.yaml: %s %s at line %d: TestTemplateEnvironment cannot resolve it", n.Tag, n.Value, n.Line)
	return ""
}

var subRE = regexp.MustCompile(`\$\{[A-Za-z0-9:]+\}`)

// readTemplate returns the functions of the SAM template and its parameters' defaults.
func readTemplate(t *testing.T, file string) ([]templateFunction, map[string]string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Parameters map[string]struct {
			Default yaml.Node `yaml:"Default"`
		} `yaml:"Parameters"`
		Globals struct {
			Function samFunction `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string      `yaml:"Type"`
			Properties samFunction `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	defaults := map[string]string{}
	for name, p := range tpl.Parameters {
		if p.Default.Kind == yaml.ScalarNode {
			defaults[name] = p.Default.Value
		}
	}
	g := tpl.Globals.Function
	var fns []templateFunction
	for _, id := range slices.Sorted(maps.Keys(tpl.Resources)) {
		res := tpl.Resources[id]
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		p := res.Properties
		f := templateFunction{
			logicalID: id,
			name:      path.Base(strings.TrimSuffix(p.CodeURI, "/")),
			env:       map[string]yaml.Node{},
			timeout:   or(p.Timeout, g.Timeout, "3"),
			memory:    or(p.MemorySize, g.MemorySize, "128"),
			logFormat: or(p.LoggingConfig.LogFormat, g.LoggingConfig.LogFormat),
		}
		maps.Copy(f.env, g.Environment.Variables)
		maps.Copy(f.env, p.Environment.Variables)
		fns = append(fns, f)
	}
	return fns, defaults
}

// samFunction is the part of a function's properties (or Globals.Function) the test reads.
type samFunction struct {
	CodeURI       string `yaml:"CodeUri"`
	Timeout       string `yaml:"Timeout"`
	MemorySize    string `yaml:"MemorySize"`
	LoggingConfig struct {
		LogFormat string `yaml:"LogFormat"`
	} `yaml:"LoggingConfig"`
	Environment struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	} `yaml:"Environment"`
}

func or(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (r *rig) rootDir(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
