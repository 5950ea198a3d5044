package server

import (
	"errors"
	"strings"
	"testing"
)

// A PostgreSQL client gets the URL without its password, which comes
// apart, from the user or the password parameter.
func TestPgConnArgs(t *testing.T) {
	for _, c := range []struct{ in, conn, password string }{
		{"postgres://jiezhen:p%40ss@db.example:5433/district?sslmode=verify-full", "postgres://jiezhen@db.example:5433/district?sslmode=verify-full", "p@ss"},
		{"postgresql://jiezhen@db.example/district?password=pw2&sslmode=require", "postgresql://jiezhen@db.example/district?sslmode=require", "pw2"},
		{"postgres://jiezhen@/district?host=%2Frun%2Fpostgresql", "postgres://jiezhen@/district?host=%2Frun%2Fpostgresql", ""},
	} {
		conn, password, err := pgConnArgs(c.in)
		if err != nil || conn != c.conn || password != c.password {
			t.Errorf("pgConnArgs(%q) = %q, %q, %v; want %q, %q", c.in, conn, password, err, c.conn, c.password)
		}
	}
	if _, _, err := pgConnArgs("postgres://u:secret@%zz/d"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("an address that does not parse: %v", err)
	}
}

// What pg_dump says when it fails becomes one line: its error, detail
// and hint lines, a word on the version where the versions differ, and
// never the password.
func TestToolError(t *testing.T) {
	exit := errors.New("exit status 1")
	for _, c := range []struct{ stderr, want string }{
		{"pg_dump: error: aborting because of server version mismatch\npg_dump: detail: server version: 16.4 (Debian 16.4-1.pgdg120+1); pg_dump version: 15.18 (Debian 15.18-0+deb12u1)\n",
			"pg_dump: error: aborting because of server version mismatch; pg_dump: detail: server version: 16.4 (Debian 16.4-1.pgdg120+1); pg_dump version: 15.18 (Debian 15.18-0+deb12u1) (use the pg_dump of the server's major version or newer)"},
		{"pg_dump: warning: something\npg_dump: error: connection to server at \"db.example\" (192.0.2.1), port 5432 failed: FATAL:  password authentication failed for user \"jiezhen\" (tried pw-123)\n",
			"pg_dump: error: connection to server at \"db.example\" (192.0.2.1), port 5432 failed: FATAL:  password authentication failed for user \"jiezhen\" (tried xxxxx)"},
		{"could not write\n", "could not write"},
		{"", "pg_dump: exit status 1"},
	} {
		if got := toolError("pg_dump", c.stderr, exit, "pw-123"); got != c.want {
			t.Errorf("toolError(%q):\n got %q\nwant %q", c.stderr, got, c.want)
		}
	}
}
