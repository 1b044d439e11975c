package testenv_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestRepoRoot(t *testing.T) {
	t.Parallel()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatalf("RepoRoot: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("RepoRoot = %s, which has no go.mod: %v", root, err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testenv")); err != nil {
		t.Errorf("RepoRoot = %s, which is not this repository: %v", root, err)
	}
}

func TestMotoEndpointFromEnvironment(t *testing.T) {
	t.Setenv(testenv.EndpointEnv, "http://127.0.0.1:5000/")
	if got, want := testenv.MotoEndpoint(t), "http://127.0.0.1:5000"; got != want {
		t.Errorf("MotoEndpoint = %q, want %q", got, want)
	}
	cfg := testenv.AWSConfig(t)
	if cfg.Region != "us-east-1" || cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != "http://127.0.0.1:5000" {
		t.Errorf("AWSConfig region, endpoint = %q, %v, want us-east-1, http://127.0.0.1:5000", cfg.Region, cfg.BaseEndpoint)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		t.Errorf("AWSConfig credentials = %+v, %v, want static test credentials", creds, err)
	}
}

// TestMotoEndpointStartsMoto covers plain `go test` without make: the server comes from
// .tools/venv (make test installs it before the tests run).
func TestMotoEndpointStartsMoto(t *testing.T) {
	t.Setenv(testenv.EndpointEnv, "")
	ep := testenv.MotoEndpoint(t)
	resp, err := http.Get(ep + "/moto-api/")
	if err != nil {
		t.Fatalf("GET %s/moto-api/: %v", ep, err)
	}
	resp.Body.Close()
	if again := testenv.MotoEndpoint(t); again != ep {
		t.Errorf("second MotoEndpoint = %q, want the same server %q", again, ep)
	}
}
