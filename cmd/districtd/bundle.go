package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
)

// Signed bundles: keygen, bundle, key rotate and key revoke. The file
// layout is sync/bundle's; this file only gathers what goes in.

// defaultExpiry is how long a bundle stays valid without --expires.
const defaultExpiry = server.DefaultBundleValid

// bundleCommands runs keygen, bundle and key; it returns the command's
// name for error lines.
func bundleCommands(cmd string, args []string, stdout io.Writer) (string, error) {
	switch cmd {
	case "keygen":
		return cmd, keygen(args, stdout)
	case "bundle":
		return cmd, makeBundle(args, stdout, time.Now)
	}
	if len(args) == 0 {
		return "key", usagef("want a subcommand: rotate or revoke")
	}
	switch args[0] {
	case "rotate", "revoke":
		return "key " + args[0], keyStatement(args[0], args[1:], stdout, time.Now)
	}
	return "key", usagef("unknown subcommand %q: want rotate or revoke", args[0])
}

func keygen(args []string, stdout io.Writer) error {
	fs := newFlags("keygen")
	out := fs.String("out", "", "the private key file to write")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if err := need(map[string]string{"out": *out}); err != nil {
		return err
	}
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		return err
	}
	if err := writeNewKey(*out, bundle.MarshalPrivateKey(priv)); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, bundle.EncodeKey(pub))
	return err
}

// writeNewKey writes a private key file, readable by its owner only. An
// existing file is never overwritten: it may hold the key every kiosk
// trusts or encrypts to. A failed write leaves no file behind.
func writeNewKey(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; a key file is never overwritten", path)
	}
	if err != nil {
		return fmt.Errorf("write the key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write the key: %w", err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return fmt.Errorf("write the key: %w", err)
	}
	return nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	k, err := bundle.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return k, nil
}

// readPublicKey takes a public key as its base64 line, a file holding
// that line, or a private key file (whose public half it returns).
func readPublicKey(v string) (ed25519.PublicKey, error) {
	if k, err := bundle.ParseKey(v); err == nil {
		return k, nil
	}
	b, err := readSmall(v)
	if err != nil {
		return nil, fmt.Errorf("%q is not a base64 public key, nor a key file", v)
	}
	if k, err := bundle.ParseKey(string(b)); err == nil {
		return k, nil
	}
	priv, err := bundle.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s holds no key", v)
	}
	return priv.Public().(ed25519.PublicKey), nil
}

// readSmall reads a key or statement file, which is never large.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.New("cannot open it")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// keyStatement writes a statement signed by --key: rotate trusts --new,
// revoke revokes --revoke.
func keyStatement(sub string, args []string, stdout io.Writer, now func() time.Time) error {
	fs := newFlags("key " + sub)
	keyFile := fs.String("key", "", "the private key file of a key the kiosks trust")
	target := fs.String("new", "", "rotate: the new key (its key file, or its public key)")
	if sub == "revoke" {
		target = fs.String("revoke", "", "revoke: the key to revoke (its public key, or its key file)")
	}
	out := fs.String("out", "", "the statement file to write")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	targetFlag := map[string]string{"rotate": "new", "revoke": "revoke"}[sub]
	if err := need(map[string]string{"key": *keyFile, targetFlag: *target, "out": *out}); err != nil {
		return err
	}
	signer, err := readPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	key, err := readPublicKey(*target)
	if err != nil {
		return usagef("--%s: %v", targetFlag, err)
	}
	op := bundle.OpTrust
	if sub == "revoke" {
		op = bundle.OpRevoke
	}
	if op == bundle.OpTrust && key.Equal(signer.Public()) {
		return usagef("--new is the same key as --key")
	}
	st, err := bundle.SignStatement(bundle.KeyChange{Op: op, Key: key, IssuedAt: now().UTC().Truncate(time.Second)}, signer)
	if err != nil {
		return err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := writeAtomically(*out, 0o644, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}); err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"statement": *out, "op": op, "key": bundle.EncodeKey(key), "signer": bundle.EncodeKey(signer.Public().(ed25519.PublicKey))})
}

// repeated collects the values of a flag given several times
// (--statement, --role, --street).
type repeated []string

func (s *repeated) String() string     { return strings.Join(*s, ",") }
func (s *repeated) Set(v string) error { *s = append(*s, v); return nil }

func makeBundle(args []string, stdout io.Writer, now func() time.Time) error {
	fs := newFlags("bundle")
	dbPath := fs.String("db", "", "the district database")
	street := fs.String("street", "", "the street whose scope the bundle carries")
	keyFile := fs.String("key", "", "the private key file to sign with")
	out := fs.String("out", "", "the bundle file to write (.jzb)")
	since := fs.String("since", "", "the sequence the kiosks already have; without it, a full snapshot")
	expires := fs.String("expires", "", "how long the bundle stays valid, as 72h or 14d (default 14d)")
	var stmtFiles repeated
	fs.Var(&stmtFiles, "statement", "a key statement file to carry (repeatable)")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if err := need(map[string]string{"db": *dbPath, "street": *street, "key": *keyFile, "out": *out}); err != nil {
		return err
	}
	var from int64
	if *since != "" {
		n, err := strconv.ParseInt(*since, 10, 64)
		if err != nil || n < 0 {
			return usagef("--since %q is not a sequence number", *since)
		}
		from = n
	}
	valid := defaultExpiry
	if *expires != "" {
		d, err := parseDays(*expires)
		if err != nil || d <= 0 {
			return usagef("--expires %q is not a duration such as 72h or 14d", *expires)
		}
		valid = d
	}
	priv, err := readPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	stmts, err := readStatements(stmtFiles)
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := openDB(ctx, *dbPath, false, false, nil)
	if err != nil {
		return err
	}
	defer db.close(false)
	var info server.BundleInfo
	err = writeAtomically(*out, 0o600, func(w io.Writer) (err error) {
		info, err = db.p.WriteBundle(ctx, w, *street, server.BundleSpec{Key: priv, From: from, Valid: valid, Statements: stmts, IssuedAt: now()})
		return err
	})
	if err != nil {
		return err
	}
	m := info.Manifest
	return printJSON(stdout, map[string]any{
		"bundle": *out, "district": m.District, "street": m.Scope, "from": m.From, "to": m.To,
		"changes": m.Changes, "bytes": info.Bytes, "issued_at": m.IssuedAt, "expires_at": m.ExpiresAt,
		"signer": bundle.EncodeKey(priv.Public().(ed25519.PublicKey)), "statements": len(m.Statements),
	})
}

// readStatements reads key statement files.
func readStatements(paths []string) ([]*bundle.Statement, error) {
	var out []*bundle.Statement
	for _, p := range paths {
		b, err := readSmall(p)
		if err != nil {
			return nil, fmt.Errorf("statement %s: %w", p, err)
		}
		st, err := bundle.ReadStatement(b)
		if err != nil {
			return nil, fmt.Errorf("statement %s: %w", p, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// parseDays is time.ParseDuration that also takes whole days ("14d").
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// writeAtomically writes a file through a temporary one in the same
// folder, synced and renamed, so a half-written file never appears under
// the final name, and an existing one is replaced only by a whole one.
func writeAtomically(path string, mode os.FileMode, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return nil
}
