//go:build linux

package artifact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

const invokePath = "/2015-03-31/functions/function/invocations"

// lambdaProc is one bootstrap running under the Runtime Interface Emulator. Invoke serialises
// invocations: the emulator serves one at a time and crashes on concurrent ones.
type lambdaProc struct {
	name   string
	addr   string // the emulator's invoke address, 127.0.0.1:port
	cmd    *exec.Cmd
	log    *syncBuffer
	exited chan struct{}
	client *http.Client

	mu sync.Mutex
}

// launch starts the emulator on two free loopback ports with bootstrap and exactly env as the
// function's environment (nothing of the test's own environment leaks in). It returns at once;
// the function is initialised on the first invocation, as in Lambda.
func launch(tb testing.TB, rie, bootstrap, name string, env []string) *lambdaProc {
	tb.Helper()
	ports := freePorts(tb, 2)
	p := &lambdaProc{
		name:   name,
		addr:   "127.0.0.1:" + strconv.Itoa(ports[0]),
		log:    &syncBuffer{},
		exited: make(chan struct{}),
		// Loopback only, never through a proxy.
		client: &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 60 * time.Second},
	}
	p.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", p.addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]),
		bootstrap)
	p.cmd.Dir = filepath.Dir(bootstrap) // as /var/task
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	// Its own process group, so stop reaches the bootstrap too; and the kernel stops the
	// emulator if the test binary dies without cleaning up.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("start %s under the emulator: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		p.stop()
		if tb.Failed() {
			tb.Logf("%s: emulator and function output:\n%s", name, p.log.tail(16<<10))
		}
	})
	return p
}

// waitReady waits until the emulator accepts connections.
func (p *lambdaProc) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-p.exited:
			tb.Fatalf("%s: the emulator exited before it listened:\n%s", p.name, p.log.tail(16<<10))
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: the emulator does not listen on %s after 30s", p.name, p.addr)
		}
	}
}

// invoke sends one event and returns the function's JSON result. A function error (the
// emulator's {"errorType": ...} answer) fails tb.
func (p *lambdaProc) invoke(tb testing.TB, event []byte) []byte {
	tb.Helper()
	status, body, err := p.post(event)
	if err != nil {
		tb.Fatalf("%s: invoke: %v", p.name, err)
	}
	if status != http.StatusOK {
		// 502 with no body: the bootstrap exited, mostly in its init (the output says why).
		tb.Fatalf("%s: emulator answered %d: %s", p.name, status, body)
	}
	var fnErr struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &fnErr) == nil && fnErr.ErrorType != "" {
		tb.Fatalf("%s: function error %s: %s", p.name, fnErr.ErrorType, fnErr.ErrorMessage)
	}
	return body
}

// post sends one event and returns the emulator's status and body.
func (p *lambdaProc) post(event []byte) (int, []byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	resp, err := p.client.Post("http://"+p.addr+invokePath, "application/json", bytes.NewReader(event))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// stop ends the emulator (which ends the function) and, failing that, the whole group.
func (p *lambdaProc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
}

// freePorts returns n distinct free loopback ports.
func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("find a free port: %v", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n bytes.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.Bytes()
	if len(s) > n {
		return fmt.Sprintf("[... %d bytes]\n%s", len(s)-n, s[len(s)-n:])
	}
	return string(s)
}
