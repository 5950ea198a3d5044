// Command districtd is the district platform that Jiezhen kiosks sync with:
// it serves the sync API and administers streets, kiosks, content and
// cases. It is pure Go (CGO_ENABLED=0) and never imports Fyne.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"jiezhen/cmd/internal/version"
	"jiezhen/data/redact"
)

const usage = `usage: districtd <command> [flags]

commands:
  serve --db FILE --addr HOST:PORT [--demo] [--tls-cert F --tls-key F]
        [--bundle-key KEYFILE [--bundle-statement FILE]...] [--metrics-addr HOST:PORT]
        [--datakey FILE]
                      serve the sync API until SIGTERM or SIGINT; with
                      --bundle-key, also signed snapshots for kiosks far behind;
                      with --metrics-addr, Prometheus metrics, /healthz and /readyz there;
                      --datakey (default FILE.key beside the database, made on
                      the first serve; needed with a PostgreSQL URL) unlocks
                      residents' personal data
  backup --db FILE --out FILE
                      copy the database while serve runs (a new file, mode 0600, checked);
                      with a PostgreSQL URL, pg_dump's custom format (pg_dump in PATH)
  streets --db FILE   print the published streets, one JSON object a line
  kiosk add --db FILE --street CODE --name NAME
                      register a kiosk and print its token (shown only once)
  kiosk list --db FILE
  kiosk token --db FILE ID
                      give a kiosk a new token (same number, so its references stay
                      valid; a revoked kiosk is back in service); the old token stops working
  kiosk revoke --db FILE ID
  publish --db FILE CONTENT.json
                      publish a content set (the demo content's shape)
  attach --db FILE PATH...
                      store files (PDF, PNG or JPEG, up to 10 MB) for bundles to carry;
                      prints each as a JSON attachment to put in the content
  files list --db FILE
                      the stored files, one JSON object a line, with the content using each
  files remove --db FILE PATH
                      remove a stored file no published content refers to
  unpublish --db FILE KIND ID
  cases --db FILE [--datakey FILE] list [--status S] [--street CODE] [--full]
                      one JSON line a case: kind, status, deadline, working days left or overdue,
                      the applicant masked (--full: in full, audited as user districtd)
  cases --db FILE set REF STATUS [--reason TEXT] [--department NAME]
                      [--reply-type T] [--into REF]
                      move a case; the filing kiosk sees it at its next pull:
                        accepted, correction --reason WHAT-IS-MISSING, refused --reason WHY,
                        dispatched --department NAME, in_progress,
                        extended --reason WHY (a disclosure request, once: +20 working days),
                        replied --reason REPLY [--reply-type T for a disclosure request],
                        completed --reason TEXT, merged --into REF --reason WHY
  cases --db FILE autorate
                      count completed cases unrated after 7 days as 基本满意 (serve does it too)
  keygen --out KEYFILE
                      write a signing key (mode 0600) and print its public key
  bundle --db FILE --street CODE --key KEYFILE --out FILE.jzb [--since SEQ]
         [--expires 14d] [--statement FILE]...
                      write a signed bundle of a street's scope (a full snapshot without --since)
  key rotate --key KEYFILE --new KEY --out FILE
  key revoke --key KEYFILE --revoke KEY --out FILE
                      write a key statement signed by a trusted key, for the next bundle
  staff add --db FILE --street CODE --name NAME
                      create a street staff account and print its PIN (shown only once)
  staff list --db FILE [--street CODE]
  staff remove --db FILE ID
  apikey add --db FILE --name NAME
                      issue a key for the Open311 API (/open311/v2/) and print it (shown only once)
  apikey list --db FILE
  apikey remove --db FILE ID
  audit --db FILE     print street staff's actions on kiosks, one JSON object a line
  user add --db FILE --name NAME --role ROLE [--role ROLE]... [--street CODE]...
          [--department NAME]
                      add a back office user (roles: admin, editor, reviewer, handler,
                      inspector; no --street: the whole district; a handler needs
                      --department, one of the district's) and print its
                      one-time enrolment link (72 hours)
  user reset --db FILE --name NAME|--id N
                      a new enrolment link: the old password and authenticator stop
                      working and the user's sessions end
  user list --db FILE one JSON object a user
  user disable|enable --db FILE --name NAME|--id N
  opinions --db FILE [--consultation ID]
                      print the opinions residents gave, one JSON object a line,
                      with the district's mark on each (no names or mobiles)
  outbox-key --out KEYFILE
                      write the outbox key (mode 0600) and print its public key,
                      which kiosks encrypt exported outboxes to
  datakey create --out FILE
                      write a data key file (mode 0600) for --datakey
  datakey rotate --db FILE [--datakey OLD] [--new NEW] [--reencrypt]
                      wrap the database's data keys with the key file NEW instead
                      (made if missing); --reencrypt: seal every case, opinion and
                      back office TOTP key under a new data key, in batches,
                      resumable (districtd serve stopped)
  import-outbox --db FILE [--datakey FILE] --identity KEYFILE FILE
                      apply an outbox a kiosk exported to a USB drive (as a push:
                      items already stored are not stored again)
  reset --db FILE --street CODE
                      order every kiosk of a street to refetch its content
  loadtest --db FILE [--datakey FILE] --url URL[,URL...] [--kiosks N] [--duration D] [--interval D]
          [--residents N [--think D] [--filings N]]
                      simulated kiosks against a running test district (several
                      --url: replicas of one database, each kiosk mostly on one);
                      with --residents the website's mix below alongside;
                      reports latency per kind and any lost or doubled item
  loadtest --web --db FILE [--url URL[,URL...]] [--residents N] [--duration D] [--think D]
          [--street CODE] [--filings N]
                      simulated residents browsing a street's website and filing
                      N appeals a second through its form (default 20) against
                      a running districtd (--url) or FILE served on a free loopback
                      port; reports latency per page and any filing lost or
                      doubled in FILE (--url with --filings 0 needs no --db)
  report monthly --db FILE --month YYYY-MM [--street CODE] --format F --out FILE
  report quarterly --db FILE --quarter YYYYQn --format F --out FILE
  report annual --db FILE --year YYYY [--street CODE] [--text FILE] --format F --out FILE
                      the monthly statistics, the quarterly review of the streets, the
                      annual report on government information disclosure; F is json,
                      html (with charts), xlsx (one sheet per table) or pdf; the annual
                      report also entry: a draft catalogue entry (政府信息公开年报) to
                      review and then publish (docs/REPORTS.md)
  report figures --db FILE [--month YYYY-MM]
                      set each street's figures of the month (default: the last) for its
                      website page and kiosks; serve does it too, hourly
  report criteria --db FILE [--set FILE.json | --reset]
                      print, or set, the quarterly review's criteria and weights
  version             print the release and exit

Every --db FILE may instead be a PostgreSQL URL (postgres://USER@HOST/DB or
postgresql://...): several serve processes on one such database serve the
same district.
`

func main() {
	// Whatever logs without a logger of its own passes the redacting
	// handler too; serve builds its logger on the same handler.
	slog.SetDefault(redact.New(slog.NewTextHandler(os.Stderr, nil)))
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes: 2 for a command line that cannot run, 1 for a command
// that ran and failed.
const (
	exitFail  = 1
	exitUsage = 2
)

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd := args[0]
	var err error
	switch cmd {
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version.String("districtd"))
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "serve":
		err = serve(args[1:], stderr)
	case "streets":
		err = streets(args[1:], stdout)
	case "kiosk":
		cmd, err = kiosk(args[1:], stdout, stderr)
	case "publish":
		err = publish(args[1:], stdout)
	case "attach":
		err = attach(args[1:], stdout, stderr)
	case "files":
		cmd, err = files(args[1:], stdout)
	case "unpublish":
		err = unpublish(args[1:], stdout)
	case "cases":
		cmd, err = cases(args[1:], stdout)
	case "reset":
		err = reset(args[1:], stdout)
	case "staff":
		cmd, err = staff(args[1:], stdout, stderr)
	case "apikey":
		cmd, err = apikey(args[1:], stdout, stderr)
	case "audit":
		err = audit(args[1:], stdout)
	case "user":
		cmd, err = user(args[1:], stdout, stderr)
	case "opinions":
		err = opinions(args[1:], stdout)
	case "outbox-key":
		err = outboxKey(args[1:], stdout)
	case "datakey":
		cmd, err = datakey(args[1:], stdout)
	case "import-outbox":
		err = importOutbox(args[1:], stdout)
	case "loadtest":
		err = loadtest(args[1:], stdout, stderr)
	case "report":
		cmd, err = reportCommand(args[1:], stdout)
	case "backup":
		err = backup(args[1:], stdout)
	case "keygen", "bundle", "key":
		cmd, err = bundleCommands(cmd, args[1:], stdout)
	default:
		fmt.Fprintf(stderr, "districtd: unknown command %q (try 'districtd help')\n", cmd)
		return exitUsage
	}
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "districtd %s: %s\n", cmd, strings.Join(strings.Fields(err.Error()), " "))
	if _, ok := err.(usageError); ok {
		return exitUsage
	}
	return exitFail
}
