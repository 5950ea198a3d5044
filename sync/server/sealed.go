package server

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"jiezhen/data"
)

// sealedStore is the layer between the platform and any store engine
// that seals personal data on its way into the store and opens it on its
// way out (docs/ARCHITECTURE.md, "Personal data at rest"): whatever
// engine keeps the rows keeps only ciphertext, and the platform's rules
// see plain values. Without data keys (k nil) new values pass as they
// are and a sealed one is ErrNoDataKey.
type sealedStore struct {
	Store
	k *dataKeys
}

func (s *sealedStore) Read(ctx context.Context, fn func(ReadTx) error) error {
	return s.Store.Read(ctx, func(tx ReadTx) error { return fn(&sealedRead{tx, s.k}) })
}

func (s *sealedStore) Write(ctx context.Context, fn func(Tx) error) error {
	return s.Store.Write(ctx, func(tx Tx) error { return fn(&sealedTx{Tx: tx, r: &sealedRead{tx, s.k}}) })
}

func (s *sealedStore) WriteAside(ctx context.Context, fn func(Tx) error) error {
	return s.Store.WriteAside(ctx, func(tx Tx) error { return fn(&sealedTx{Tx: tx, r: &sealedRead{tx, s.k}}) })
}

// sealedRead opens the cases a ReadTx returns.
type sealedRead struct {
	ReadTx
	k *dataKeys
}

func (r *sealedRead) Case(id string) (CaseRecord, error) {
	rec, err := r.ReadTx.Case(id)
	if err != nil {
		return rec, err
	}
	return rec, r.k.openCase(&rec)
}

func (r *sealedRead) CaseByRef(ref string) (CaseRecord, error) {
	rec, err := r.ReadTx.CaseByRef(ref)
	if err != nil {
		return rec, err
	}
	return rec, r.k.openCase(&rec)
}

func (r *sealedRead) Cases(f CaseFilter) ([]CaseRecord, error) {
	list, err := r.ReadTx.Cases(f)
	if err != nil {
		return nil, err
	}
	return list, r.k.openCases(list)
}

func (r *sealedRead) CasesAfter(after string, limit int) ([]CaseRecord, error) {
	list, err := r.ReadTx.CasesAfter(after, limit)
	if err != nil {
		return nil, err
	}
	return list, r.k.openCases(list)
}

func (r *sealedRead) Queue(q QueueQuery) ([]CaseRecord, int, error) {
	list, n, err := r.ReadTx.Queue(q)
	if err != nil {
		return nil, 0, err
	}
	return list, n, r.k.openCases(list)
}

// PublicAppeals are read for their public part only (PublicAppeal): the
// personal fields are dropped, not opened, so the public lists work
// without the data key.
func (r *sealedRead) PublicAppeals(f PublicFilter) ([]CaseRecord, error) {
	list, err := r.ReadTx.PublicAppeals(f)
	for i := range list {
		c := &list[i].Case
		c.Applicant, c.Values, c.Corrections = nil, nil, nil
	}
	return list, err
}

// sealedTx seals what a Tx writes and opens what it reads.
type sealedTx struct {
	Tx
	r *sealedRead
	// noKey is set once the write found the database holds no key.
	noKey bool
}

func (t *sealedTx) Case(id string) (CaseRecord, error)       { return t.r.Case(id) }
func (t *sealedTx) CaseByRef(ref string) (CaseRecord, error) { return t.r.CaseByRef(ref) }
func (t *sealedTx) Cases(f CaseFilter) ([]CaseRecord, error) { return t.r.Cases(f) }
func (t *sealedTx) CasesAfter(after string, limit int) ([]CaseRecord, error) {
	return t.r.CasesAfter(after, limit)
}
func (t *sealedTx) Queue(q QueueQuery) ([]CaseRecord, int, error) { return t.r.Queue(q) }
func (t *sealedTx) PublicAppeals(f PublicFilter) ([]CaseRecord, error) {
	return t.r.PublicAppeals(f)
}

// keyless refuses a write of personal data without the data key to a
// database that holds one: it would be the only value there in clear.
func (t *sealedTx) keyless() error {
	if t.r.k != nil || t.noKey {
		return nil
	}
	cur, err := t.Tx.Setting(dataKeyCurrent)
	if err == nil && cur != "" {
		err = ErrNoDataKey
	}
	// A key made meanwhile would be made by another write, in its own
	// turn: within this one the answer stands.
	t.noKey = err == nil
	return err
}

func (t *sealedTx) PutCase(rec CaseRecord) error {
	if err := t.keyless(); err != nil {
		return err
	}
	if err := t.r.k.sealCase(&rec); err != nil {
		return err
	}
	return t.Tx.PutCase(rec)
}

func (t *sealedTx) AddOpinion(o OpinionRecord) error {
	if err := t.keyless(); err != nil {
		return err
	}
	if err := t.r.k.sealOpinion(&o.Opinion); err != nil {
		return err
	}
	return t.Tx.AddOpinion(o)
}

func (t *sealedTx) UpdateOpinion(o OpinionRecord) error {
	if err := t.keyless(); err != nil {
		return err
	}
	if err := t.r.k.sealOpinion(&o.Opinion); err != nil {
		return err
	}
	return t.Tx.UpdateOpinion(o)
}

func (r *sealedRead) openOpinions(list []OpinionRecord, err error) ([]OpinionRecord, error) {
	for i := range list {
		if err == nil {
			err = r.k.openOpinion(&list[i].Opinion)
		}
	}
	return list, err
}

func (r *sealedRead) OpinionsAfter(after string, limit int) ([]OpinionRecord, error) {
	return r.openOpinions(r.ReadTx.OpinionsAfter(after, limit))
}

func (t *sealedTx) OpinionsAfter(after string, limit int) ([]OpinionRecord, error) {
	return t.r.OpinionsAfter(after, limit)
}

func (r *sealedRead) Opinions(f OpinionFilter) ([]OpinionRecord, int, error) {
	list, n, err := r.ReadTx.Opinions(f)
	list, err = r.openOpinions(list, err)
	return list, n, err
}

func (t *sealedTx) Opinions(f OpinionFilter) ([]OpinionRecord, int, error) { return t.r.Opinions(f) }

func (r *sealedRead) Opinion(id string) (OpinionRecord, error) {
	o, err := r.ReadTx.Opinion(id)
	if err == nil {
		err = r.k.openOpinion(&o.Opinion)
	}
	return o, err
}

func (t *sealedTx) Opinion(id string) (OpinionRecord, error) { return t.r.Opinion(id) }

// opinionFields calls fn with an opinion's personal fields.
func opinionFields(o *data.Opinion, fn func(field string, v *string) error) error {
	if err := fn("name", &o.Name); err != nil {
		return err
	}
	return fn("mobile", &o.Mobile)
}

func (k *dataKeys) sealOpinion(o *data.Opinion) error {
	row := "opinion:" + o.ID
	return opinionFields(o, func(field string, v *string) (err error) {
		*v, err = k.sealString(row, field, *v)
		return err
	})
}

func (k *dataKeys) openOpinion(o *data.Opinion) error {
	row := "opinion:" + o.ID
	return opinionFields(o, func(field string, v *string) (err error) {
		*v, err = k.openString(row, field, *v)
		return err
	})
}

// stale reports whether a stored value is in clear or sealed under
// another key than the current one.
func (k *dataKeys) stale(v string) bool {
	return v != "" && (!isSealed(v) || sealedKeyID(v) != k.current)
}

// caseFields calls fn with the name and address of each personal field of
// c: the applicant's name, ID number, mobile, address and email, and
// every form value of the case and of its corrections (a form may ask for
// anyone's ID number or mobile; the back office shows them only unmasked).
// A case's values map is copied before fn may change it, as a record's
// maps may be shared with the caller's.
func caseFields(c *data.Case, fn func(field string, v *string) error) error {
	if a := c.Applicant; a != nil {
		p := *a
		c.Applicant = &p
		for _, f := range []struct {
			name string
			v    *string
		}{{"applicant.name", &p.Name}, {"applicant.id_number", &p.IDNumber}, {"applicant.mobile", &p.Mobile},
			{"applicant.address", &p.Address}, {"applicant.email", &p.Email}} {
			if err := fn(f.name, f.v); err != nil {
				return err
			}
		}
	}
	values := func(prefix string, m data.FormValues) (data.FormValues, error) {
		if m == nil {
			return nil, nil
		}
		m = maps.Clone(m)
		for _, code := range slices.Sorted(maps.Keys(m)) {
			v := m[code]
			if err := fn(prefix+code, &v); err != nil {
				return nil, err
			}
			m[code] = v
		}
		return m, nil
	}
	var err error
	if c.Values, err = values("values.", c.Values); err != nil {
		return err
	}
	if c.Corrections != nil {
		c.Corrections = slices.Clone(c.Corrections)
		for i := range c.Corrections {
			if c.Corrections[i].Values, err = values("corrections."+strconv.Itoa(i)+".values.", c.Corrections[i].Values); err != nil {
				return err
			}
		}
	}
	return nil
}

// sealCase seals rec's personal fields and sets the keyed hash of the
// mobile's last four digits.
func (k *dataKeys) sealCase(rec *CaseRecord) error {
	row := "case:" + rec.Case.ID
	rec.Phone4Hash = ""
	if a := rec.Case.Applicant; a != nil && !isSealed(a.Mobile) {
		rec.Phone4Hash = k.lookupHash("phone4", lastFour(a.Mobile))
	}
	return caseFields(&rec.Case, func(field string, v *string) (err error) {
		*v, err = k.sealString(row, field, *v)
		return err
	})
}

// openCase opens rec's personal fields.
func (k *dataKeys) openCase(rec *CaseRecord) error {
	row := "case:" + rec.Case.ID
	return caseFields(&rec.Case, func(field string, v *string) (err error) {
		*v, err = k.openString(row, field, *v)
		return err
	})
}

func (k *dataKeys) openCases(list []CaseRecord) error {
	for i := range list {
		if err := k.openCase(&list[i]); err != nil {
			return err
		}
	}
	return nil
}

// caseNeedsSealing reports whether a stored case has a personal field
// in clear, or sealed under another key than the current one.
func (k *dataKeys) caseNeedsSealing(rec *CaseRecord) bool {
	c := rec.Case
	need := false
	caseFields(&c, func(_ string, v *string) error {
		need = need || k.stale(*v)
		return nil
	})
	// The keyed hash is written with the mobile's sealing, under the
	// same key.
	return need
}

// unsealed is the engine's own transaction under tx: its cases as stored,
// sealed.
func unsealed(tx Tx) Tx {
	if s, ok := tx.(*sealedTx); ok {
		return s.Tx
	}
	return tx
}

// The back office's TOTP keys are sealed as personal fields are, under
// the row "user:ID": an account's totp_secret once enrolled and the
// enrol_totp offered during enrolment. The layer seals them on the way
// in and opens them on the way out. Without data keys an account reads
// with its keys as stored: the commands that need no key file (districtd
// user) list, disable, enable and reset accounts, which never uses a
// key, and enrolment and sign-in refuse a sealed one (ErrNoDataKey).
//
// A TOTP key is base32 the platform made itself, never a resident's
// text, so a value already sealed under the current data key is stored
// as it is (an account read without the key and written back), and one
// under an older data key is opened and sealed again.

func accountKeys(a *Account, fn func(field string, v *string) error) error {
	if err := fn("totp_secret", &a.TOTPSecret); err != nil {
		return err
	}
	return fn("enrol_totp", &a.EnrolTOTP)
}

func accountRow(a *Account) string { return "user:" + strconv.FormatInt(a.ID, 10) }

func (k *dataKeys) openAccount(a *Account) error {
	if k == nil {
		return nil
	}
	row := accountRow(a)
	return accountKeys(a, func(field string, v *string) (err error) {
		*v, err = k.openString(row, field, *v)
		return err
	})
}

func (k *dataKeys) sealAccount(a *Account) error {
	row := accountRow(a)
	return accountKeys(a, func(field string, v *string) (err error) {
		if !k.stale(*v) {
			return nil
		}
		if isSealed(*v) {
			if *v, err = k.openString(row, field, *v); err != nil {
				return err
			}
		}
		*v, err = k.sealString(row, field, *v)
		return err
	})
}

// accountNeedsSealing reports whether a stored account has a TOTP key in
// clear, or sealed under another key than the current one.
func (k *dataKeys) accountNeedsSealing(a *Account) bool {
	return k.stale(a.TOTPSecret) || k.stale(a.EnrolTOTP)
}

func (r *sealedRead) Account(id int64) (Account, error) {
	a, err := r.ReadTx.Account(id)
	if err == nil {
		err = r.k.openAccount(&a)
	}
	return a, err
}

func (r *sealedRead) AccountByName(name string) (Account, error) {
	a, err := r.ReadTx.AccountByName(name)
	if err == nil {
		err = r.k.openAccount(&a)
	}
	return a, err
}

func (r *sealedRead) AccountByEnrol(hash string) (Account, error) {
	a, err := r.ReadTx.AccountByEnrol(hash)
	if err == nil {
		err = r.k.openAccount(&a)
	}
	return a, err
}

func (r *sealedRead) Accounts() ([]Account, error) {
	list, err := r.ReadTx.Accounts()
	for i := range list {
		if err == nil {
			err = r.k.openAccount(&list[i])
		}
	}
	return list, err
}

func (t *sealedTx) Account(id int64) (Account, error)           { return t.r.Account(id) }
func (t *sealedTx) AccountByName(name string) (Account, error)  { return t.r.AccountByName(name) }
func (t *sealedTx) AccountByEnrol(hash string) (Account, error) { return t.r.AccountByEnrol(hash) }
func (t *sealedTx) Accounts() ([]Account, error)                { return t.r.Accounts() }

// keylessAccount refuses, without the data key, a TOTP key in clear to a
// database that holds one; keys read sealed pass as they are.
func (t *sealedTx) keylessAccount(a *Account) error {
	if t.r.k != nil || (a.TOTPSecret == "" || isSealed(a.TOTPSecret)) && (a.EnrolTOTP == "" || isSealed(a.EnrolTOTP)) {
		return nil
	}
	return t.keyless()
}

func (t *sealedTx) PutAccount(a Account) error {
	if err := t.keylessAccount(&a); err != nil {
		return err
	}
	if t.r.k != nil {
		if err := t.r.k.sealAccount(&a); err != nil {
			return err
		}
	}
	return t.Tx.PutAccount(a)
}

// AddAccount stores a new account; its TOTP keys, when it has any, are
// sealed under the id it gets.
func (t *sealedTx) AddAccount(a Account) (int64, error) {
	if err := t.keylessAccount(&a); err != nil {
		return 0, err
	}
	keys := a
	a.TOTPSecret, a.EnrolTOTP = "", ""
	id, err := t.Tx.AddAccount(a)
	if err != nil || keys.TOTPSecret == "" && keys.EnrolTOTP == "" {
		return id, err
	}
	keys.ID = id
	return id, t.PutAccount(keys)
}

// totpKey is an account's TOTP key for a code's check: ErrNoDataKey when
// it is still sealed, read without the data key.
func totpKey(secret string) (string, error) {
	if isSealed(secret) {
		return "", ErrNoDataKey
	}
	return secret, nil
}
