package web

import (
	"html/template"
	"net/http"

	"jiezhen/data"
	"jiezhen/ui/reportdoc"
)

// figuresData is a street's last month for residents (阳光审批).
type figuresData struct {
	F     data.StreetFigures
	Chart template.HTML
}

// figures shows the street's figures of last month (data.Street.Figures,
// set by the district), with the cases received in each of the last 12
// months as a chart drawn on the server.
func (s *Site) figures(w http.ResponseWriter, r *http.Request, st *data.Street) {
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("figures.title")
	p.crumbs(crumb{Label: p.Title})
	if st.Figures != nil {
		p.Data = figuresData{F: *st.Figures, Chart: reportdoc.ReceivedPerMonth(*st.Figures, p.Lang)}
	}
	s.render(w, r, http.StatusOK, "figures", p)
}
