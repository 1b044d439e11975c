package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"gopkg.in/yaml.v3"
)

// EndpointEnv names the environment variable with the URL of a running moto server.
const EndpointEnv = "FRONTDESK_MOTO_ENDPOINT"

// Region is the region of every test configuration.
const Region = "us-east-1"

// motoServer is the server this test binary started, if any.
var motoServer struct {
	once     sync.Once
	endpoint string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has exited
	err      error
}

// AWSConfig returns an SDK configuration for the moto server: static credentials, region
// us-east-1 and BaseEndpoint set to the server. It reads no environment or shared files.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(MotoEndpoint(t)),
	}
}

// MotoEndpoint returns the URL of the moto server: FRONTDESK_MOTO_ENDPOINT if set, otherwise a
// server started from .tools/venv for this test binary. It fails the test if there is none.
func MotoEndpoint(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv(EndpointEnv); ep != "" {
		return strings.TrimRight(ep, "/")
	}
	motoServer.once.Do(func() { motoServer.endpoint, motoServer.err = startMoto() })
	if motoServer.err != nil {
		t.Fatalf("no moto server: %v\n"+
			"Run the tests with `make test` (installs and starts moto), or run `make tools` once so "+
			"go test can start it, or set %s to a running server.", motoServer.err, EndpointEnv)
	}
	return motoServer.endpoint
}

// Main runs the tests, then stops the moto server MotoEndpoint started, and exits. Call it from
// the TestMain of every package that uses MotoEndpoint or AWSConfig:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main for a TestMain that has clean-up of its own: it runs the tests, stops the moto
// server MotoEndpoint started and returns the exit code instead of exiting.
func Run(m *testing.M) int {
	code := m.Run()
	stopMoto()
	return code
}

// Template reads the repository's template.yaml into v (yaml.v3 rules: declare the parts a test
// needs; CloudFormation's short-form tags such as !Sub decode as plain nodes or strings).
func Template(t testing.TB, v any) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
}

// RepoRoot returns the directory of the go.mod above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func startMoto() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, ".tools", "venv", "bin", "moto_server")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s is not installed", bin)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	// scripts/moto_server.py serialises DynamoDB requests, as DynamoDB serialises conditional
	// writes; moto's own threaded server lets two racing conditional writes both win.
	py := filepath.Join(root, ".tools", "venv", "bin", "python")
	cmd := exec.Command(py, filepath.Join(root, "scripts", "moto_server.py"), "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	out := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start moto: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	motoServer.cmd, motoServer.exited = cmd, exited

	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return endpoint, nil
		}
		select {
		case <-exited:
			return "", fmt.Errorf("moto exited before it answered: %s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stopMoto()
			return "", fmt.Errorf("moto did not answer on %s within a minute", endpoint)
		}
	}
}

func stopMoto() {
	cmd := motoServer.cmd
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-motoServer.exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-motoServer.exited
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
