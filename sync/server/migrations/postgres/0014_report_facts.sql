-- What the reports count (data/report, docs/REPORTS.md).
--
-- case_facts: one row per case, derived from the case by report.FactsOf
-- in the case's own write transaction. Days are days since 1970-01-01 in
-- Asia/Shanghai; NULL is none. open_until is the day the case was done,
-- or 2^31-1 while it is not, so "open at the start of a period" is a range.
CREATE TABLE case_facts (
	case_id        TEXT PRIMARY KEY,
	street         TEXT NOT NULL,
	kind           TEXT NOT NULL,
	channel        TEXT NOT NULL,
	type           TEXT NOT NULL,
	requester      TEXT NOT NULL,
	reply          TEXT NOT NULL,
	outcome        TEXT NOT NULL,
	received_day   BIGINT NOT NULL,
	start_day      BIGINT NOT NULL,
	answered_day   BIGINT,
	open_until     BIGINT NOT NULL,
	deadline_day   BIGINT,
	on_time        BIGINT NOT NULL,
	has_deadline   BIGINT NOT NULL,
	corrected_day  BIGINT,
	resumed_day    BIGINT,
	corrections    BIGINT NOT NULL,
	first_correct  BIGINT,
	extended_day   BIGINT,
	rating         BIGINT NOT NULL,
	rating_default BIGINT NOT NULL,
	rated_day      BIGINT
);
-- A street's period reads its few rows through the street indexes. The
-- district's counts over a year (CaseTotals) read only the indexes that
-- carry what they count, never the rows; so do a year's disclosure
-- requests (RequestFacts, the annual report's table), with partial
-- indexes of their own.
CREATE INDEX case_facts_street_received ON case_facts(street, received_day);
CREATE INDEX case_facts_received ON case_facts(received_day, type, outcome);
CREATE INDEX case_facts_street_open ON case_facts(street, open_until, received_day);
CREATE INDEX case_facts_open ON case_facts(open_until, received_day, outcome, has_deadline, on_time);
CREATE INDEX case_facts_street_rated ON case_facts(street, rated_day) WHERE rated_day IS NOT NULL;
CREATE INDEX case_facts_rated ON case_facts(rated_day, rating, rating_default) WHERE rated_day IS NOT NULL;
CREATE INDEX case_facts_requests_received ON case_facts(received_day, street, open_until, outcome, requester, reply, case_id)
	WHERE kind = 'disclosure';
CREATE INDEX case_facts_requests_open ON case_facts(open_until, received_day, street, outcome, requester, reply, case_id)
	WHERE kind = 'disclosure';

-- content_log: every publish, update and withdrawal of content, with the
-- district's time (Unix milliseconds), for the content figures and the
-- freshness of guides. Items published before this table have no row.
CREATE TABLE content_log (
	at     BIGINT NOT NULL,
	kind   TEXT NOT NULL,
	id     TEXT NOT NULL,
	street TEXT NOT NULL,
	op     TEXT NOT NULL -- publish, update, withdraw
);
CREATE INDEX content_log_by_time ON content_log(at);
CREATE INDEX content_log_by_item ON content_log(kind, id, at);

-- kiosk_days: the days (as case_facts) on which each kiosk synced.
CREATE TABLE kiosk_days (
	kiosk BIGINT NOT NULL,
	day   BIGINT NOT NULL,
	PRIMARY KEY (kiosk, day)
);

-- Cases stored before this table get their facts when districtd next
-- opens the database (backfillFacts), which removes this mark.
INSERT INTO settings(name, value) SELECT 'report_facts_backfill', '1' WHERE EXISTS (SELECT 1 FROM cases);
