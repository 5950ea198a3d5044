package bundle

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"jiezhen/data"
)

// ChangeFiles puts changes, in the order given, into change entries of at
// most ChangesPerEntry changes each, one JSON line per change.
func ChangeFiles(changes []data.Change) ([]File, error) {
	var out []File
	for start := 0; start < len(changes); start += ChangesPerEntry {
		end := min(start+ChangesPerEntry, len(changes))
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for i := start; i < end; i++ {
			if err := enc.Encode(&changes[i]); err != nil {
				return nil, fmt.Errorf("change seq %d: %w", changes[i].Seq, err)
			}
		}
		out = append(out, File{Path: fmt.Sprintf("%s%06d.jsonl", changesDir, len(out)+1), Data: buf.Bytes()})
	}
	return out, nil
}

// Write writes a bundle of files, signed with priv, to w. It fills in the
// manifest's schema and entries from files; the caller sets the rest.
// Write refuses a manifest or files that Read would refuse.
func Write(w io.Writer, m Manifest, files []File, priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize {
		return errors.New("bundle: no signing key")
	}
	m.Schema = Schema
	m.Entries = make([]Entry, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Entries[i] = Entry{Path: f.Path, Length: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])}
	}
	if err := m.validate(); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	for _, st := range m.Statements {
		if _, err := st.open(); err != nil {
			return fmt.Errorf("bundle: %w", err)
		}
	}
	body, err := json.Marshal(&m)
	if err != nil {
		return err
	}
	if len(body) > MaxManifest {
		return fmt.Errorf("bundle: the manifest is %d bytes, over the limit of %d: %w", len(body), MaxManifest, ErrTooLarge)
	}
	return encode(w, body, files, priv)
}

// encode writes the layout of the package doc: header, manifest, entries.
func encode(w io.Writer, body []byte, files []File, priv ed25519.PrivateKey) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	hdr := make([]byte, 0, headerSize)
	hdr = append(hdr, magic...)
	hdr = binary.BigEndian.AppendUint16(hdr, Format)
	hdr = append(hdr, priv.Public().(ed25519.PublicKey)...)
	hdr = append(hdr, ed25519.Sign(priv, append([]byte(sigContext), body...))...)
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(len(body)))
	bw.Write(hdr)
	bw.Write(body)
	for _, f := range files {
		var eh []byte
		eh = binary.BigEndian.AppendUint16(eh, uint16(len(f.Path)))
		eh = append(eh, f.Path...)
		eh = binary.BigEndian.AppendUint64(eh, uint64(len(f.Data)))
		bw.Write(eh)
		bw.Write(f.Data)
	}
	return bw.Flush()
}
