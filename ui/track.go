package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/ui/keyboard"
)

// Tracker finds a resident's case and its timeline, and queues a rating
// or a correction (store.Store implements it).
type Tracker interface {
	Timeline(ctx context.Context, ref, phone4 string, now time.Time, lang data.Lang) (data.Timeline, store.Tracked, error)
	Rate(ctx context.Context, caseID string, r data.Rating, comment string, at time.Time) error
	QueueCorrection(ctx context.Context, caseIDOrRef string, corr data.Correction, at time.Time) (string, error)
	CorrectionQueued(ctx context.Context, caseID string) (bool, error)
}

var _ Tracker = (*store.Store)(nil)

// DistrictTracker asks the district for a case this kiosk does not hold:
// one filed at another kiosk or on the street's website. cmd/kiosk wires
// it from the sync agent; the district applies the lockout.
type DistrictTracker interface {
	// Online reports whether the district answered the last exchange.
	Online() bool
	// DistrictTimeline is the case's timeline as the district has it
	// (data.BuildTimeline), or store.ErrTrackNoMatch or
	// store.ErrTrackLimited as the kiosk's own tracking says them.
	DistrictTimeline(ctx context.Context, ref, phone4 string, now time.Time, lang data.Lang) (data.Timeline, error)
}

// errElsewhere: the kiosk does not hold the case and cannot ask the
// district now.
var errElsewhere = errors.New("the case is not on this kiosk and the district cannot be asked now")

// timelineAnywhere is the case's timeline from the kiosk, or, when the
// kiosk does not hold it, from the district while online.
func (e *env) timelineAnywhere(ctx context.Context, t Tracker, ref, phone4 string, now time.Time, lang data.Lang) (trackResult, error) {
	tl, tr, err := t.Timeline(ctx, ref, phone4, now, lang)
	if errors.Is(err, store.ErrTrackNoMatch) && e.district != nil {
		if !e.district.Online() {
			return trackResult{}, errElsewhere
		}
		tl, err := e.district.DistrictTimeline(ctx, ref, phone4, now, lang)
		if err == nil {
			// Rated and corrected where it was filed, or on the website.
			tl.CanRate = false
			return trackResult{tl: tl, remote: true}, nil
		}
		if errors.Is(err, store.ErrTrackNoMatch) || errors.Is(err, store.ErrTrackLimited) {
			return trackResult{}, err
		}
		return trackResult{}, errElsewhere
	}
	if err != nil {
		return trackResult{}, err
	}
	corr, err := loadCorrection(ctx, e, t, tl, tr.Case)
	return trackResult{tl: tl, id: tr.Case.ID, corr: corr}, err
}

// MaxRatingComment is the longest comment a rating takes, in characters.
const MaxRatingComment = 200

// trackForm is what the resident typed on the tracking screen. It lives
// in the screen's closure and goes with it (完成, home, idle reset).
type trackForm struct {
	ref, phone4 string
	// refErr and phoneErr are what 查询 found wrong with each field,
	// shown at the field until it is typed again; problem is the
	// query's answer when it found nothing.
	refErr, phoneErr string
	problem          string
}

// openTrack shows 办件查询.
func openTrack(e *env, t Tracker) {
	f := &trackForm{}
	e.open(func() string { return e.L("tile.track") }, func() fyne.CanvasObject { return newTrack(e, t, f) })
}

// refProblem is what is wrong with a reference as typed so far: nothing
// while it is still short, unless final.
func (e *env) refProblem(s string, final bool) string {
	n := data.NormalizeReference(s)
	if n == "" {
		if final {
			return e.L("track.ref_need")
		}
		return ""
	}
	err := data.CheckReference(n)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, data.ErrRefLength) && len(n) < 9 && !final:
		return ""
	case errors.Is(err, data.ErrRefLength):
		return e.L("track.ref_length")
	case errors.Is(err, data.ErrRefChar):
		return e.L("track.ref_char")
	}
	return e.L("track.ref_check")
}

func phone4Problem(s string) bool {
	return s != "" && (len(s) != 4 || strings.Trim(s, "0123456789") != "")
}

func newTrack(e *env, t Tracker, f *trackForm) fyne.CanvasObject {
	ref := e.keyEntry(e.L("track.ref"), e.kb.NewEntry(keyboard.Reference))
	ref.SetText(f.ref)
	refMsg := e.fieldProblem("")
	showMsg := func(s string) {
		p := f.refErr
		if p == "" {
			p = e.refProblem(s, false)
		}
		showProblem(refMsg, p)
		markEntry(ref, f.refErr != "")
	}
	showMsg(f.ref)
	ref.OnChanged = func(s string) {
		e.touch()
		if s != f.ref {
			f.refErr = ""
		}
		f.ref = s
		showMsg(s)
	}
	phone := e.keyEntry(e.L("track.phone4"), e.kb.NewEntry(keyboard.Digits))
	phone.SetText(f.phone4)
	phoneMsg := e.fieldProblem(f.phoneErr)
	markEntry(phone, f.phoneErr != "")
	phone.OnChanged = func(s string) {
		e.touch()
		if len(s) > 4 {
			phone.SetText(s[:4])
			return
		}
		if s != f.phone4 && f.phoneErr != "" {
			f.phoneErr = ""
			showProblem(phoneMsg, "")
			markEntry(phone, false)
		}
		f.phone4 = s
	}
	search := func() {
		e.kb.Commit()
		f.problem = ""
		f.refErr = e.refProblem(f.ref, true)
		f.phoneErr = ""
		if phone4Problem(f.phone4) {
			f.phoneErr = e.L("track.phone4_bad")
		}
		if f.refErr != "" || f.phoneErr != "" {
			e.refresh()
			return
		}
		r, p4, now, lang := f.ref, f.phone4, e.now(), e.lang
		load(e, func(ctx context.Context) (trackResult, error) {
			return e.timelineAnywhere(ctx, t, r, p4, now, lang)
		}, func(res trackResult, err error) {
			switch {
			case errors.Is(err, errElsewhere):
				f.problem = e.L("track.elsewhere_offline")
			case errors.Is(err, store.ErrTrackNoMatch):
				f.problem = e.L("track.no_match")
			case errors.Is(err, store.ErrTrackLimited):
				f.problem = e.L("track.limited")
			case err != nil:
				f.problem = e.L("track.failed") + "\n" + e.errText(err)
			default:
				// The four digits are not kept once they have served.
				f.phone4, f.problem = "", ""
				openTimeline(e, t, res)
				return
			}
			e.refresh()
		})
	}
	// The reference has no OnSubmitted: its enter key is 下一项, which
	// moves on to the four digits, whose 确定 runs the query.
	phone.OnSubmitted = func(string) { search() }
	btn := e.primary(e.L("track.search"), theme.SearchIcon(), search)
	btn.min = 1.25 * btn.min
	box := container.NewVBox(
		para(e.L("track.hint")),
		aligned(fields2(e.L("track.ref"), ref, refMsg),
			fields2(e.L("track.phone4"), phone, container.NewVBox(phoneMsg, para(e.L("track.phone4_hint"))))),
	)
	if f.problem != "" {
		box.Add(e.problemText(f.problem))
	}
	box.Add(container.NewHBox(btn))
	if e.street.Figures != nil {
		box.Add(widget.NewSeparator())
		box.Add(container.NewHBox(e.button(e.L("figures.open"), theme.InfoIcon(), func() { openFigures(e) })))
	}
	return box
}

// trackResult is a found case's timeline and its id (for a rating or a
// correction).
type trackResult struct {
	tl     data.Timeline
	id     string
	corr   *correctionInfo // a case waiting for correction; nil otherwise
	remote bool            // the district's answer: the kiosk does not hold the case
}

// ratingForm is the rating being given on a timeline.
type ratingForm struct {
	rating  data.Rating
	comment string
	problem string
}

func openTimeline(e *env, t Tracker, res trackResult) {
	r := &ratingForm{}
	e.openRead(func() string { return e.L("track.case_title") }, func() fyne.CanvasObject {
		return newTimeline(e, t, &res, r)
	})
}

// moment is a time as the timeline shows it, in China time.
func (e *env) moment(t time.Time) string {
	t = t.In(chinaTime)
	return e.date(data.DateOf(t)) + " " + t.Format("15:04")
}

var chinaTime = time.FixedZone("CST", 8*3600)

// openRating shows the rating of a completed case on a screen of its own,
// short enough that the comment stays in view above the on-screen
// keyboard; once queued, the timeline shows it as waiting.
func openRating(e *env, t Tracker, res *trackResult, r *ratingForm) {
	e.open(func() string { return e.L("track.rating") }, func() fyne.CanvasObject {
		e.holds(func() bool { return r.rating != 0 || strings.TrimSpace(r.comment) != "" })
		return e.ratingPart(t, res, r)
	})
}

func newTimeline(e *env, t Tracker, res *trackResult, r *ratingForm) fyne.CanvasObject {
	tl := res.tl
	heads := heading(e.caseHeading(tl, ""))
	if tl.Service != "" {
		// The service item's name is read from the kiosk's content.
		id := tl.Service
		load(e, func(ctx context.Context) (data.ServiceItem, error) { return e.src.Service(ctx, id) },
			func(s data.ServiceItem, err error) {
				if err == nil {
					heads.SetText(e.caseHeading(tl, s.Name))
				}
			})
	}
	title := container.NewBorder(nil, nil, nil, container.NewCenter(statusBadge(e, tl.Status)), heads)
	// The head stays in place above the pages: the case, whether the
	// kiosk may lack its latest state, and the way to rate it while it
	// can be rated.
	head := container.NewVBox(title)
	switch {
	case res.remote:
		head.Add(para(e.L("track.from_district")))
	case tl.LastSync == nil:
		head.Add(e.problemText(e.L("track.stale_never")))
	case tl.MayBeStale:
		head.Add(e.problemText(e.Lf("track.stale", e.moment(*tl.LastSync))))
	default:
		head.Add(para(e.Lf("track.synced", e.moment(*tl.LastSync))))
	}
	if res.corr != nil && tl.Status == data.StatusCorrection {
		head.Add(e.correctionPart(t, res))
	}
	if tl.CanRate {
		rate := e.primary(e.L("track.rate"), theme.ConfirmIcon(), func() { openRating(e, t, res, r) })
		head.Add(container.NewBorder(nil, nil, nil, rate, para(e.L("track.rate_hint"))))
	}
	head.Add(widget.NewSeparator())
	out := container.NewVBox()
	if tl.Queued {
		out.Add(para(e.L("track.queued")))
	}
	if tl.PublicOnly {
		out.Add(para(e.L("track.public_only")))
	}
	deadline := ""
	if d := tl.Deadline; d != nil {
		day := e.date(d.Date)
		switch {
		case d.Suspended && res.corr != nil && res.corr.queued:
			deadline = e.L("track.suspended_sent")
		case d.Suspended:
			// Waiting for the resident: no countdown, the old date means
			// nothing once the corrections restart the time limit.
			deadline = e.L("track.suspended")
		case !d.Running:
			deadline = day
		case d.Overdue:
			deadline = e.Lf("track.overdue", day, -d.WorkdaysLeft)
		case d.WorkdaysLeft == 0:
			deadline = e.Lf("track.today", day)
		default:
			deadline = e.Lf("track.left", day, d.WorkdaysLeft)
		}
	}
	merged := ""
	if tl.MergedInto != "" {
		merged = e.Lf("track.merged", tl.MergedInto)
	}
	out.Add(fields(
		e.L("track.status"), tl.Status.Label(e.lang),
		e.L("track.contact"), tl.Contact,
		e.L("track.deadline"), deadline,
		e.L("track.department"), tl.Department,
		e.L("track.merged_label"), merged,
	))
	if tl.NoCalendar && tl.Deadline != nil && tl.Deadline.Running {
		out.Add(para(e.L("track.no_calendar")))
	}
	for _, x := range tl.Extensions {
		out.Add(fields(e.L("track.extension"), x.Reason))
	}
	if rp := tl.Reply; rp != nil {
		out.Add(widget.NewSeparator())
		out.Add(subheading(e.L("track.reply")))
		out.Add(fields(
			e.L("track.reply_type"), replyType(e, rp.Type),
			e.L("track.reply_at"), e.moment(rp.At),
		))
		out.Add(body(rp.Text))
	}
	out.Add(widget.NewSeparator())
	out.Add(subheading(e.L("track.history")))
	for i := len(tl.Events) - 1; i >= 0; i-- {
		ev := tl.Events[i]
		when := e.moment(ev.At)
		if ev.Local {
			when += e.L("track.local_time")
		}
		// The step and its time on one line, its reason under them, a rule
		// between steps: the bundled font has no bold Chinese, so a bold
		// step name alone does not tell where one step ends.
		head := widget.NewLabelWithStyle(ev.Status.Label(e.lang), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		at := widget.NewLabel(when)
		at.Importance = widget.LowImportance
		row := container.NewVBox(container.NewHBox(head, at))
		if ev.Reason != "" {
			row.Add(para(ev.Reason))
		}
		if i < len(tl.Events)-1 {
			out.Add(widget.NewSeparator())
		}
		out.Add(row)
	}
	if !tl.PublicOnly {
		out.Add(widget.NewSeparator())
		out.Add(subheading(e.L("track.rating")))
		switch {
		case tl.Rating != nil && tl.Rating.Pending:
			out.Add(para(e.Lf("track.rating_pending", tl.Rating.Rating.Label(e.lang))))
		case tl.Rating != nil && tl.Rating.Default:
			out.Add(para(e.Lf("track.rated_default", tl.Rating.Rating.Label(e.lang))))
		case tl.Rating != nil:
			out.Add(para(e.Lf("track.rated", tl.Rating.Rating.Label(e.lang))))
		case tl.CanRate:
			out.Add(para(e.L("track.rate_hint")))
		default:
			out.Add(para(e.L("track.rate_later")))
		}
	}
	return container.NewBorder(head, nil, nil, nil, e.scrollPages(out))
}

// caseHeading names a case on its timeline: its kind, what it is about
// (service, the service item's name; an appeal's type and category) and
// its reference.
func (e *env) caseHeading(tl data.Timeline, service string) string {
	parts := []string{tl.Kind.Label(e.lang)}
	switch {
	case service != "":
		parts = append(parts, service)
	case tl.AppealType != "":
		parts = append(parts, tl.AppealType.Label(e.lang))
		if key := "appeal.cat." + tl.Category; tl.Category != "" && e.L(key) != key {
			parts = append(parts, e.L(key))
		}
	}
	return strings.Join(parts, " · ") + "  " + data.FormatReference(tl.Ref)
}

// statusBadge is a case's status as a badge: the warning colour while the
// case waits for the resident (待补正), grey once refused, green otherwise.
func statusBadge(e *env, s data.Status) fyne.CanvasObject {
	if s == data.StatusCorrection {
		return warnBadge(s.Label(e.lang))
	}
	return badge(s.Label(e.lang), s != data.StatusRefused)
}

// ratingLevels are the five levels, best first, as a resident reads them.
var ratingLevels = []data.Rating{data.RatingVerySatisfied, data.RatingSatisfied, data.RatingBasic, data.RatingUnsatisfied, data.RatingVeryUnsatisfied}

func (e *env) ratingPart(t Tracker, res *trackResult, r *ratingForm) fyne.CanvasObject {
	labels := make([]string, len(ratingLevels))
	chosen := -1
	for i, lv := range ratingLevels {
		labels[i] = lv.Label(e.lang)
		if lv == r.rating {
			chosen = i
		}
	}
	levels := e.choices(5, labels, chosen, func(i int) {
		e.kb.Commit()
		r.rating, r.problem = ratingLevels[i], ""
		e.refresh()
	})
	comment := e.entry(e.L("track.comment"))
	comment.Last = true
	comment.SetText(r.comment)
	comment.OnChanged = func(s string) {
		e.touch()
		if n := []rune(s); len(n) > MaxRatingComment {
			comment.SetText(string(n[:MaxRatingComment]))
			return
		}
		r.comment = s
	}
	submit := func() {
		e.kb.Commit()
		if r.rating == 0 {
			r.problem = e.L("track.rate_need")
			e.refresh()
			return
		}
		rating, text, now, caseID := r.rating, strings.TrimSpace(r.comment), e.now(), res.id
		load(e, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, t.Rate(ctx, caseID, rating, text, now)
		}, func(_ struct{}, err error) {
			if err != nil && !errors.Is(err, store.ErrRated) {
				r.problem = e.L("track.rate_failed") + "\n" + e.errText(err)
				e.refresh()
				return
			}
			// Shown at once as waiting for the district; the comment is
			// not kept on screen.
			res.tl.CanRate = false
			res.tl.Rating = &data.TimelineRating{Rating: rating, Label: rating.Label(e.lang), Pending: true, At: now}
			*r = ratingForm{}
			e.back()
		})
	}
	btn := e.primary(e.L("track.rate_submit"), theme.ConfirmIcon(), submit)
	// The comment first: at the top it stays where it was touched when
	// the on-screen keyboard comes up.
	box := container.NewVBox(fields2(e.L("track.comment"), comment, nil), para(e.L("track.rate_ask")), levels)
	if r.problem != "" {
		box.Add(e.problemText(r.problem))
	}
	box.Add(container.NewHBox(btn))
	if e.street.Figures != nil {
		box.Add(widget.NewSeparator())
		box.Add(container.NewHBox(e.button(e.L("figures.open"), theme.InfoIcon(), func() { openFigures(e) })))
	}
	return box
}

func replyType(e *env, t data.ReplyType) string {
	if t == "" {
		return ""
	}
	return t.Label(e.lang)
}
