package data

import (
	"errors"
	"testing"
)

// An appeal's answers are checked by its form; an anonymous one keeps no
// contact, and Public is the consent given.
func TestNewAppeal(t *testing.T) {
	today := MustDate("2026-12-08")
	good := FormValues{CodeAppealType: "complaint", CodeCategory: "noise", CodeDescription: " 夜间施工 ",
		CodeApplicantName: "王小明", CodeMobile: "13912345678"}
	c, err := NewAppeal(good, false, true, today)
	if err != nil || c.Kind != CaseAppeal || c.AppealType != AppealComplaint || c.Description != "夜间施工" || !c.Public || c.Applicant.Mobile != "13912345678" {
		t.Fatalf("a good appeal: %+v %v", c, err)
	}
	c, err = NewAppeal(FormValues{CodeAppealType: "help", CodeCategory: "other", CodeDescription: "求助", CodeMobile: "1"}, true, false, today)
	if err != nil || c.Applicant != nil || !c.Anonymous || c.Public {
		t.Fatalf("an anonymous appeal: %+v %v", c, err)
	}
	_, err = NewAppeal(FormValues{CodeAppealType: "praise", CodeDescription: "好", CodeMobile: "123"}, false, false, today)
	var fe FieldErrors
	if !errors.As(err, &fe) || len(fe) != 4 || fe[0].Field != CodeAppealType || fe[0].Reason != ReasonChoice ||
		fe.For(CodeCategory) == nil || fe.For(CodeApplicantName) == nil || fe.For(CodeMobile).Reason != ReasonMobile {
		t.Fatalf("a bad appeal: %v", err)
	}
}

// An opinion is taken only while its consultation is open, on one of its
// topics.
func TestNewOpinion(t *testing.T) {
	c := Consultation{ID: "zj", Opens: MustDate("2026-12-01"), Closes: MustDate("2026-12-20"), Topics: []Topic{{ID: "t1", Title: "议题一"}}}
	o, err := NewOpinion(c, FormValues{CodeTopic: "t1", CodeOpinion: "同意"}, true, MustDate("2026-12-08"))
	if err != nil || o.Consultation != "zj" || o.Topic != "t1" || o.Text != "同意" || o.Name != "" {
		t.Fatalf("a good opinion: %+v %v", o, err)
	}
	if _, err := NewOpinion(c, FormValues{CodeTopic: "t1", CodeOpinion: "同意"}, true, MustDate("2026-12-21")); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("after it closed: %v", err)
	}
	_, err = NewOpinion(c, FormValues{CodeTopic: "t2", CodeOpinion: "同意"}, false, MustDate("2026-12-08"))
	var fe FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != CodeTopic || fe.For(CodeApplicantName) == nil {
		t.Fatalf("another topic, no contact: %v", err)
	}
}

// A disclosure request records who asks: a natural person unless the
// resident says otherwise; anything else is refused.
func TestDisclosureRequester(t *testing.T) {
	today := MustDate("2026-12-08")
	v := FormValues{CodeApplicantName: "王小明", CodeIDNumber: "440106199001011235", CodeMobile: "13912345678",
		CodeInformation: "某文件", CodeDelivery: "pickup"}
	c, err := NewDisclosure(v, today)
	if err != nil || c.Request.Requester != RequesterPerson {
		t.Fatalf("no requester given: %+v %v", c.Request, err)
	}
	v[CodeRequester] = "organisation"
	if c, err = NewDisclosure(v, today); err != nil || c.Request.Requester != RequesterOrganisation {
		t.Fatalf("an organisation: %+v %v", c.Request, err)
	}
	for _, r := range []Requester{RequesterCompany, RequesterResearch, RequesterNonprofit, RequesterLegalService} {
		v[CodeRequester] = string(r)
		if c, err = NewDisclosure(v, today); err != nil || c.Request.Requester != r || !r.Organisation() {
			t.Fatalf("%s: %+v %v", r, c.Request, err)
		}
	}
	v[CodeRequester] = "corporation"
	var fe FieldErrors
	if _, err = NewDisclosure(v, today); !errors.As(err, &fe) || fe[0].Field != CodeRequester {
		t.Fatalf("an unknown requester: %v", err)
	}
}
