-- Personal data at rest (docs/ARCHITECTURE.md, "Personal data at rest"):
-- a case's personal fields are sealed in doc, and the keyed hash of the
-- applicant's mobile's last four digits, which tracking compares, stands
-- beside them ("KEYID:hex", '' for none or a case not yet sealed).
ALTER TABLE cases ADD COLUMN phone4_hash TEXT NOT NULL DEFAULT '';
