package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/server"
	"jiezhen/ui/reportdoc"
)

// report runs `districtd report monthly|quarterly|annual|criteria`
// (docs/REPORTS.md).
func reportCommand(args []string, stdout io.Writer) (string, error) {
	if len(args) == 0 {
		return "report", usagef("want monthly, quarterly, annual, criteria or figures")
	}
	name := "report " + args[0]
	switch args[0] {
	case "monthly", "quarterly", "annual":
		return name, writeReport(args[0], args[1:], stdout)
	case "criteria":
		return name, reportCriteria(args[1:], stdout)
	case "figures":
		return name, reportFigures(args[1:], stdout)
	}
	return "report", usagef("unknown report %q: want monthly, quarterly, annual, criteria or figures", args[0])
}

func writeReport(kind string, args []string, stdout io.Writer) error {
	fs := newFlags("report " + kind)
	dbPath := fs.String("db", "", "the district database")
	street := fs.String("street", "", "a street's code (default: the district)")
	format := fs.String("format", "", "json, html, xlsx or pdf")
	out := fs.String("out", "", "the file to write")
	var period, textFile *string
	switch kind {
	case "monthly":
		period = fs.String("month", "", "the month, YYYY-MM")
	case "quarterly":
		period = fs.String("quarter", "", "the quarter, YYYYQn")
	case "annual":
		period = fs.String("year", "", "the year, YYYY")
		textFile = fs.String("text", "", "the district's text (JSON: organ, overview, review, problems, other)")
	}
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	pname := map[string]string{"monthly": "month", "quarterly": "quarter", "annual": "year"}[kind]
	if err := need(map[string]string{"db": *dbPath, pname: *period, "format": *format, "out": *out}); err != nil {
		return err
	}
	formats := reportdoc.Formats
	if kind == "annual" {
		formats = append(slices.Clone(formats), "entry")
	}
	if !slices.Contains(formats, *format) {
		return usagef("unknown format %q: one of %s", *format, strings.Join(formats, ", "))
	}
	if kind == "quarterly" && *street != "" {
		return usagef("the quarterly review ranks every street: no --street")
	}
	var p report.Period
	var err error
	switch kind {
	case "monthly":
		p, err = report.ParseMonth(*period)
	case "quarterly":
		p, err = report.ParseQuarter(*period)
	default:
		p, err = report.ParseYear(*period)
	}
	if err != nil {
		return usageError{err.Error()}
	}
	var text *report.AnnualText
	if textFile != nil && *textFile != "" {
		b, err := os.ReadFile(*textFile)
		if err != nil {
			return err
		}
		text = &report.AnnualText{}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(text); err != nil {
			return fmt.Errorf("%s: %s", *textFile, data.ExplainJSON(err))
		}
	}
	return withDB(*dbPath, false, func(ctx context.Context, pl *server.Platform) error {
		var v any
		var doc *reportdoc.Doc
		switch kind {
		case "monthly":
			m, err := pl.MonthlyReport(ctx, p, *street, *format == "html")
			if err != nil {
				return err
			}
			v, doc = m, reportdoc.MonthlyDoc(m)
		case "quarterly":
			q, err := pl.QuarterlyReport(ctx, p, data.ZH)
			if err != nil {
				return err
			}
			v, doc = q, reportdoc.QuarterlyDoc(q)
		default:
			a, err := pl.AnnualReport(ctx, p, *street, text)
			if err != nil {
				return err
			}
			v, doc = a, reportdoc.AnnualDoc(a)
			if *format == "entry" {
				v, *format = reportdoc.AnnualEntry(a, doc, text), "json"
			}
		}
		if err := writeAtomically(*out, 0o644, func(w io.Writer) error { return reportdoc.Write(w, *format, v, doc) }); err != nil {
			return err
		}
		_, err := fmt.Fprintf(stdout, "wrote %s\n", *out)
		return err
	})
}

func reportCriteria(args []string, stdout io.Writer) error {
	fs := newFlags("report criteria")
	dbPath := fs.String("db", "", "the district database")
	set := fs.String("set", "", "a JSON file of criteria to use from now on")
	reset := fs.Bool("reset", false, "go back to the default criteria")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if *set != "" && *reset {
		return usagef("--set and --reset go alone")
	}
	var cs []report.Criterion
	if *set != "" {
		b, err := os.ReadFile(*set)
		if err != nil {
			return err
		}
		if cs, err = report.ParseCriteria(b); err != nil {
			return fmt.Errorf("%s: %w", *set, err)
		}
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		if *set != "" || *reset {
			if err := p.SetReportCriteria(ctx, cs); err != nil {
				return err
			}
		}
		cs, err := p.ReportCriteria(ctx)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if err := printJSON(stdout, map[string]any{"id": c.ID, "weight": c.Weight, "name": report.CriterionName(c.ID, data.ZH),
				"formula": report.CriterionFormula(c.ID, data.ZH)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// reportFigures sets each street's figures of a month (default: the last)
// on its street item, for the residents' pages and kiosk screens.
func reportFigures(args []string, stdout io.Writer) error {
	fs := newFlags("report figures")
	dbPath := fs.String("db", "", "the district database")
	month := fs.String("month", "", "the month, YYYY-MM (default: the last)")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	var m report.Period
	if *month != "" {
		var err error
		if m, err = report.ParseMonth(*month); err != nil {
			return usageError{err.Error()}
		}
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		if *month == "" {
			m = p.LastMonth()
		}
		n, err := p.PublishFigures(ctx, m)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"month": m.Name, "streets_changed": n})
	})
}
