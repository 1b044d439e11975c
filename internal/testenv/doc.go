// Package testenv gives tests the local AWS they run against: a moto server
// (https://docs.getmoto.org/en/latest/docs/server_mode.html) and an SDK configuration pointing
// at it.
//
// `make test` starts one moto server for the whole run and exports its URL as
// FRONTDESK_MOTO_ENDPOINT. A plain `go test` without it starts moto from the repository's
// .tools/venv (installed by `make tools`) once per test binary; a package that uses it calls
// Main from TestMain so the server stops when the binary ends. With neither, the test fails
// and says what to run: tests that need AWS are never skipped.
package testenv
