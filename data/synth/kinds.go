package synth

import (
	"strings"

	"jiezhen/data"
)

// bodyTarget returns a body length in characters, 100 to 280; sentences are
// appended until it is reached, so bodies run to about 300.
func (g *gen) bodyTarget() int { return 100 + g.r.IntN(181) }

// streetPublisher names one of the street's offices or a community's
// residents' committee.
func (g *gen) streetPublisher() string {
	if g.r.IntN(10) == 0 {
		return g.comm + "居委会"
	}
	return g.st.name + pick(g.r, streetOffices)
}

func noticeCategory(title string) (category, closing string) {
	switch {
	case strings.Contains(title, "公示"):
		return "公示", "特此公示。"
	case strings.Contains(title, "公告"), strings.Contains(title, "通告"):
		return "公告", "特此公告。"
	case strings.Contains(title, "政策解读"), strings.Contains(title, "指引"), strings.Contains(title, "指南"):
		return "政策解读", ""
	case strings.Contains(title, "提示"), strings.Contains(title, "提醒"):
		return "温馨提示", ""
	}
	return "通知", "特此通知。"
}

func (g *gen) notice(id string) *data.Notice {
	t := &topics[g.r.IntN(len(topics))]
	n := &data.Notice{ID: id, Published: g.pub}
	if g.r.IntN(100) < 8 {
		n.Publisher = t.dept // district-wide
	} else {
		n.Street = g.st.code
		n.Publisher = g.streetPublisher()
	}
	n.Title = g.fill(pick(g.r, t.titles))
	var closing string
	n.Category, closing = noticeCategory(n.Title)

	g.compose(g.bodyTarget(), t.opens, t.lines, genericLines)
	if g.broad {
		g.write(pick(g.r, broadLines))
	}
	g.b.WriteString(closing)
	n.Body = g.take()

	n.Pinned = g.r.IntN(40) == 0
	if g.r.IntN(10) == 0 {
		n.Attachments = []data.Attachment{{
			Name: "附件：" + t.key + "有关事项说明.pdf",
			URL:  "https://jiezhen.example/files/" + id + "-1.pdf",
		}}
	}
	return n
}

func (g *gen) catalog(id string) *data.CatalogEntry {
	e := &data.CatalogEntry{ID: id, Published: g.pub}
	t := &topics[g.r.IntN(len(topics))]
	g.plan = t.plan
	if g.r.IntN(100) < 8 {
		e.Publisher = t.dept
		e.IndexNo = "006939756/"
		e.DocNo = "穗天" + firstRune(strings.TrimPrefix(t.dept, "天河区"))
	} else {
		e.Street = g.st.code
		e.Publisher = g.st.name + "办事处"
		e.IndexNo = g.st.org + "/"
		e.DocNo = g.st.abbr
	}
	g.org = e.Publisher
	var buf [24]byte
	seq := appendPad(append(appendPad(buf[:0], g.pub.Year, 4), '-'), 1+g.r.IntN(200), 5)
	e.IndexNo += string(seq) // e.g. 007482910/2024-00016
	e.DocNo += "〔" + itoa(g.pub.Year) + "〕" + itoa(1+g.r.IntN(60)) + "号"

	target := g.bodyTarget()
	if g.r.IntN(5) == 0 {
		p := &plainDocs[g.r.IntN(len(plainDocs))]
		e.Title = g.fill(p.title)
		e.Topic = p.ctopic
		e.Summary = g.fill(p.summary)
		e.Keywords = []string{firstTerm(p.ctopic), e.Publisher}
		g.write(p.lines[0])
		g.compose(target, nil, p.lines[1:])
		if g.broad {
			g.write(pick(g.r, broadLines))
		}
	} else {
		f := &docForms[g.r.IntN(len(docForms))]
		e.Title = g.fill(f.title)
		e.Topic = t.ctopic
		e.Summary = g.fill(f.summary)
		e.Keywords = g.pickN(t.keywords, 2+g.r.IntN(2))
		g.write(pick(g.r, catalogOpens))
		g.write(f.purpose)
		g.compose(target, nil, t.lines, genericLines)
		if g.broad {
			g.write(pick(g.r, broadLines))
		}
		g.write(f.closing)
	}
	e.Body = g.take()
	if g.r.IntN(10) == 0 {
		e.Disclosure = "依申请公开"
	} else {
		e.Disclosure = "主动公开"
	}
	e.Timeframe = pick(g.r, timeframes)
	return e
}

var timeframes = []string{"常年公开", "常年公开", "限时公开", "长期公开"}

// firstTerm returns the first term of a 、-separated list.
func firstTerm(s string) string {
	if i := strings.Index(s, "、"); i >= 0 {
		return s[:i]
	}
	return s
}

func firstRune(s string) string {
	for i := range s {
		if i > 0 {
			return s[:i]
		}
	}
	return s
}

func itoa(v int) string {
	var buf [20]byte
	return string(appendPad(buf[:0], v, 1))
}

var genericFAQ = []data.FAQ{
	{Q: "可以委托他人代办吗？", A: "可以，代办人需携带委托书、申请人和代办人的身份证原件。"},
	{Q: "可以在街镇通自助终端上申请吗？", A: "标注可网上申请的事项可在终端上填写表单并提交，材料原件在领取结果时核验。"},
	{Q: "如何查询办理进度？", A: "可凭受理回执上的编号在街镇通终端或“穗好办”App查询。"},
}

var catCodes = map[data.PowerCategory]string{
	data.PowerApproval: "SP", data.PowerEnforcement: "ZF", data.PowerSocial: "SH", data.PowerPublic: "GG",
}

func (g *gen) service(id string) *data.ServiceItem {
	di := g.r.IntN(len(svcDefs))
	d := &svcDefs[di]
	var buf [32]byte
	code := append(buf[:0], g.st.code...)
	code = append(code, catCodes[d.cat]...)
	code = appendPad(code, di+1, 3)
	s := &data.ServiceItem{
		ID:             id,
		Street:         g.st.code,
		Code:           string(appendPad(code, g.r.IntN(100000), 5)),
		Name:           d.name,
		Category:       d.cat,
		Department:     g.fill(d.dept),
		Audience:       d.audience,
		Basis:          d.basis,
		OnTheSpot:      d.onSpot,
		LegalDays:      d.legal,
		PromisedDays:   d.promised,
		Fee:            "不收费",
		FeeBasis:       "无",
		ComplaintPhone: "12345",
		URL:            "https://jiezhen.example/guide/" + id,
		Online:         d.onlineable && g.r.IntN(5) > 0,
	}
	s.Conditions = make([]string, len(d.conds))
	for i, c := range d.conds {
		s.Conditions[i] = g.fill(c)
	}
	s.Materials = d.mats
	if g.r.IntN(3) == 0 {
		s.Materials = append([]data.Material(nil), d.mats...)
		s.Materials[0].Template = &data.Attachment{Name: d.name + "申请表.docx", URL: "https://jiezhen.example/files/" + id + "-form.docx"}
	}
	if g.broad {
		s.Location = g.fill(pick(g.r, svcBroadLocations))
	} else {
		s.Location = g.fill(pick(g.r, svcLocations))
	}
	s.Hours = pick(g.r, svcHours)
	s.Phone = g.fill("{phone}")
	if s.Online {
		s.Visits = 0
	} else {
		s.Visits = 1
	}
	if d.cat == data.PowerEnforcement {
		// A case opened by the authority: no application and no form.
		s.Online = false
		s.Procedure = make([]string, 0, len(d.steps)+1)
		for _, st := range d.steps {
			s.Procedure = append(s.Procedure, g.fill(st))
		}
		s.Procedure = append(s.Procedure, "送达行政处罚决定书，当事人可依法申请行政复议或提起行政诉讼")
		s.FAQ = d.faq
		s.Form.Fields = []data.FormField{}
		return s
	}
	s.Procedure = make([]string, 0, len(d.steps)+3)
	s.Procedure = append(s.Procedure, "申请人通过街镇通自助终端在线申请，或到"+s.Location+"提交申请材料", "窗口工作人员核验材料，材料齐全的当场受理，不齐全的一次性告知需补正的内容")
	for _, st := range d.steps {
		s.Procedure = append(s.Procedure, g.fill(st))
	}
	s.Procedure = append(s.Procedure, "办结后通过短信通知申请人，结果可在窗口领取或邮寄送达")
	s.FAQ = append(append(s.FAQ, d.faq...), pick(g.r, genericFAQ))

	fields := make([]data.FormField, 0, 5+len(d.extra))
	fields = append(fields,
		data.FormField{Code: "applicant_name", Label: "申请人姓名", Type: data.FieldText, Required: true, MaxLen: 30},
		data.FormField{Code: "id_number", Label: "身份证号码", Type: data.FieldIDNumber, Required: true},
		data.FormField{Code: "mobile", Label: "手机号码", Type: data.FieldMobile, Required: true, Help: "用于接收办理进度短信"},
		data.FormField{Code: "community", Label: "所在社区", Type: data.FieldChoice, Required: true, Choices: g.st.comms},
		data.FormField{Code: "address", Label: "详细住址", Type: data.FieldText, Required: true, MaxLen: 100},
	)
	s.Form.Fields = append(fields, d.extra...)
	return s
}

// provCatCum holds the cumulative weights of provCats.
var provCatCum, provCatTotal = func() ([]int, int) {
	cum := make([]int, len(provCats))
	t := 0
	for i, c := range provCats {
		t += c.weight
		cum[i] = t
	}
	return cum, t
}()

var addrSuffixes = []string{"", "", "首层", "之一", "101铺", "二楼", "{bldg}首层"}

func (g *gen) provider(id string) *data.Provider {
	w := g.r.IntN(provCatTotal)
	ci := 0
	for provCatCum[ci] <= w {
		ci++
	}
	c := &provCats[ci]
	p := &data.Provider{ID: id, Street: g.st.code, Kind: c.kind, Category: c.cat}
	p.Name = g.fill(pick(g.r, c.names))
	g.write("{addr}")
	g.write(pick(g.r, addrSuffixes))
	p.Address = g.take()
	g.here = p.Address
	if c.kind == data.ProviderBusiness && g.r.IntN(2) == 0 {
		p.Phone = g.fill("{mobile}")
	} else {
		p.Phone = g.fill("{phone}")
	}
	p.Hours = pick(g.r, c.hours)
	p.Services = g.pickN(c.services, 3+g.r.IntN(3))

	g.compose(60+g.r.IntN(181), nil, c.lines, provLines)
	if g.broad {
		g.write(pick(g.r, provBroadLines))
	}
	p.Description = g.take()
	return p
}

var consCutoff = data.Date{Year: 2025, Month: 9, Day: 1}

var outcomes = []data.Outcome{data.OutcomeAdopted, data.OutcomeAdopted, data.OutcomePartly, data.OutcomeNotAdopted}

func (g *gen) consultation(id string) *data.Consultation {
	s := &consSubjects[g.r.IntN(len(consSubjects))]
	c := &data.Consultation{
		ID:        id,
		Street:    g.st.code,
		Title:     g.fill("关于" + g.comm + s.name + "的意见征集"),
		Publisher: g.st.name + "办事处",
		Opens:     g.pub,
		Closes:    g.pub.AddDays(14 + g.r.IntN(17)),
	}
	g.compose(120+g.r.IntN(161), s.intro, s.lines, consLines)
	if g.broad {
		g.write(pick(g.r, consBroadLines))
	}
	g.write("征集时间为")
	g.writeDate(c.Opens)
	g.write("至")
	g.writeDate(c.Closes)
	g.write("。")
	c.Draft = g.take()

	k := 2 + g.r.IntN(len(s.topics)-1)
	c.Topics = make([]data.Topic, k)
	for i := range k {
		c.Topics[i] = data.Topic{ID: "t" + itoa(i+1), Title: s.topics[i][0], Summary: s.topics[i][1]}
	}
	if c.Closes.Before(consCutoff) {
		c.Feedback = make([]data.TopicFeedback, k)
		for i := range k {
			o := pick(g.r, outcomes)
			c.Feedback[i] = data.TopicFeedback{Topic: c.Topics[i].ID, Outcome: o, Reason: pick(g.r, feedbackReasons[o]), Opinions: 3 + g.r.IntN(120)}
		}
	}
	return c
}
