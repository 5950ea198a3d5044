package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// attach stores files (blank forms, pictures) in the district database
// for bundles to carry, and prints for each one line of JSON: the
// attachment as content refers to it, to paste into a notice's
// "attachments" or a material's "template" (adding a "url" if the file is
// online too). Every file is checked before any is stored.
func attach(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("attach")
	dbPath := fs.String("db", "", "the district database")
	paths, err := parse(fs, args, -1, "")
	if err != nil {
		return err
	}
	if *dbPath == "" {
		return usagef("missing --db")
	}
	if len(paths) == 0 {
		return usagef("want one or more files to attach")
	}
	// Read every file before touching the database.
	var files []server.NewFile
	for _, p := range paths {
		b, err := readAttachment(p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		files = append(files, server.NewFile{Name: filepath.Base(p), Data: b})
	}
	return withDB(*dbPath, true, func(ctx context.Context, p *server.Platform) error {
		stored, added, err := p.AddFiles(ctx, files)
		if err != nil {
			return err
		}
		for i, f := range stored {
			// The name printed is the one given now, which is what the
			// admin is about to refer to.
			a := data.Attachment{Name: files[i].Name, File: f.Path, SHA256: f.SHA256, Size: f.Size, Type: f.Type}
			if err := printJSON(stdout, a); err != nil {
				return err
			}
			if !added[i] {
				fmt.Fprintf(stderr, "districtd: %s: the district holds these bytes already as %s\n", paths[i], f.Path)
			}
		}
		return nil
	})
}

// readAttachment reads a file to attach, refusing one over the size
// limit without reading all of it.
func readAttachment(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open it")
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a file")
	}
	if fi.Size() > data.MaxAttachmentSize {
		return nil, fmt.Errorf("the file is %d bytes, over the limit of %d (10 MB)", fi.Size(), data.MaxAttachmentSize)
	}
	b, err := io.ReadAll(io.LimitReader(f, data.MaxAttachmentSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > data.MaxAttachmentSize {
		return nil, fmt.Errorf("the file grew past the limit of %d bytes (10 MB) while read", data.MaxAttachmentSize)
	}
	return b, nil
}
