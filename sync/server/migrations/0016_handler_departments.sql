-- Handlers work for one department each (docs/ADMIN.md, "Whose cases"):
-- a handler reaches the cases of its streets dispatched to its
-- department, and an intake department's handlers also those
-- dispatched to none (appeals before their dispatch, applications and
-- disclosure requests). A handler made before this has no department
-- and reaches no case until an admin gives it one.
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE departments ADD COLUMN intake INTEGER NOT NULL DEFAULT 0;

-- Each case row carries the department it was dispatched to (data.Case
-- Department, '' for none), written by PutCase, so the queue filters on
-- it in the partial index of the open cases.
ALTER TABLE cases ADD COLUMN department TEXT NOT NULL DEFAULT '';
UPDATE cases SET department = json_extract(doc, '$.department')
	WHERE coalesce(json_extract(doc, '$.department'), '') != '';
CREATE INDEX cases_queue_department ON cases(assigned, department, due, received_at, kind, status, channel) WHERE open = 1;
