package ui

import (
	"context"
	"strings"
	"testing"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

func TestDisclosureRequestedByTouch(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	tap(t, w, "政府信息公开")
	tap(t, w, "申请公开政府信息")
	assertShows(t, w, "依申请公开", "申请人姓名", "身份证号码")

	focusEntry(t, w, "申请人姓名")
	typeKeys(t, w, "li")
	tapKey(t, w, "李")
	focusEntry(t, w, "身份证号码")
	typeDigits(t, w, badID)
	idMsg := data.ReasonIDCheckChar.Message(data.ZH)
	if n := noteOf(t, w, "身份证号码"); n != idMsg {
		t.Errorf("next to the ID number: %q, want %q", n, idMsg)
	}
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13812345678")
	tap(t, w, "下一步")
	assertShows(t, w, "请按提示修改本页标红的内容", idMsg)
	focusEntry(t, w, "身份证号码")
	tapKey(t, w, "清空")
	typeDigits(t, w, goodID)

	for page := 0; !strings.Contains(screenText(w), "请核对以下内容"); page++ {
		if page > 5 {
			t.Fatalf("no review page after 5 pages; the screen shows:\n%s", screenText(w))
		}
		text := screenText(w)
		if strings.Contains(text, "所需信息的内容描述") && entryText(t, w, "所需信息的内容描述") == "" {
			focusEntry(t, w, "所需信息的内容描述")
			typeKeys(t, w, "yusuan")
			tapKey(t, w, "预算")
		}
		if strings.Contains(text, "获取方式") {
			tap(t, w, "邮寄")
		}
		if strings.Contains(text, "邮寄地址") {
			// Post needs an address: 下一步 says so next to it.
			tap(t, w, "下一步")
			if n := noteOf(t, w, "邮寄地址"); n != data.ReasonRequired.Message(data.ZH) {
				t.Errorf("next to the empty address: %q", n)
			}
			focusEntry(t, w, "邮寄地址")
			typeKeys(t, w, "tianhe")
			tapKey(t, w, "天河")
		}
		tap(t, w, "下一步")
	}
	assertShows(t, w, "李", "4401**********1235", "138****5678", "预算", "邮寄", "天河", "20 个工作日内", "政府信息公开条例")
	tap(t, w, "提交")

	ctx := context.Background()
	items, err := s.Pending(ctx, 0)
	if err != nil || len(items) != 1 || items[0].Kind != data.ItemCase {
		t.Fatalf("outbox: %v, %+v", err, items)
	}
	c, err := s.Case(ctx, items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := demoCalendar(t).AddWorkdays(data.DateOf(testNow), data.DisclosureDays)
	if c.Kind != data.CaseDisclosure || c.Request == nil || c.Request.Information != "预算" ||
		c.Request.Delivery != data.DeliveryPost || c.Deadline != want || c.Applicant == nil ||
		c.Applicant.IDNumber != goodID || c.Applicant.Address != "天河" || c.Street != k.street.Code {
		t.Errorf("filed %+v (%+v, %+v), want a request by post due %s", c, c.Request, c.Applicant, want)
	}
	assertShows(t, w, "您的信息公开申请已提交", spacedRef(c.Ref), k.date(want)+"前答复", "以“邮寄”方式答复")
	tap(t, w, "完成")
	if len(k.stack) != 0 {
		t.Error("完成 left the receipt")
	}
}

// A catalogue entry's 申请公开此信息 opens the request about it: an entry
// disclosed on request (依申请公开).
func TestDisclosureFromCatalogEntry(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	c, err := s.CatalogEntry(context.Background(), "cat-gz-2012-16")
	if err != nil {
		t.Fatal(err)
	}
	c.ID, c.Disclosure, c.Body = "cat-on-request", "依申请公开", ""
	addCatalogEntry(t, s, c)
	openCatalogEntry(k.env, s, c.ID)
	tap(t, w, "申请公开此信息")
	assertShows(t, w, "依申请公开")
	tap(t, w, "下一步") // the applicant is still empty
	assertShows(t, w, "请按提示修改本页标红的内容")
	focusEntry(t, w, "申请人姓名")
	typeKeys(t, w, "li")
	tapKey(t, w, "李")
	focusEntry(t, w, "身份证号码")
	typeDigits(t, w, goodID)
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13812345678")
	var got string
	for page := 0; page < 5 && got == ""; page++ {
		if strings.Contains(screenText(w), "所需信息的内容描述") {
			got = entryText(t, w, "所需信息的内容描述")
			break
		}
		tap(t, w, "下一步")
	}
	if !strings.Contains(got, "《") || !strings.Contains(got, "穗府办〔2012〕16号") {
		t.Errorf("the request is prefilled with %q", got)
	}
}

// disclosureValues are the answers of a complete request by email.
var disclosureValues = data.FormValues{
	"applicant_name": "李小红", "id_number": goodID, "mobile": "13812345678",
	"information": "《天河南街道2026年老旧小区微改造项目实施方案》及其招标文件", "purpose": "了解本小区改造安排",
	"delivery": "email", "email": "lixiaohong@example.com",
}

// openDisclosureForm opens the request at page, filled when asked.
func openDisclosureForm(k *Kiosk, page int, filled bool) *formState {
	return openFilledForm(k, disclosureSpec(k.env), disclosureValues, page, filled)
}

// disclosureReceipt opens the receipt of a filed request.
func disclosureReceipt(k *Kiosk) {
	ref, _ := data.NewReference(7, testNow, 3)
	openFiled(k, disclosureSpec(k.env), data.Case{Ref: ref, Kind: data.CaseDisclosure, Deadline: data.MustDate("2026-12-23"),
		Request: &data.DisclosureRequest{Information: "x", Delivery: data.DeliveryEmail}})
}

// The district takes what the kiosk's forms file: an application with
// its applicant and the values of the item's own form, and a disclosure
// request.
func TestFormsAcceptedByDistrict(t *testing.T) {
	k, _, s := newAppealKiosk(t, Options{})
	st := openReliefForm(t, k, 99, true)
	k.env.submitForm(k.cases, applicationSpec(k.env, mustService(t, k, "svc-linshi-jiuzhu")), st)
	st = openDisclosureForm(k, 99, true)
	k.env.submitForm(k.cases, disclosureSpec(k.env), st)
	res := pushAll(t, s)
	if len(res) != 2 {
		t.Fatalf("district answered %+v", res)
	}
	for _, r := range res {
		if r.Outcome != wire.Accepted || r.Ref == "" {
			t.Errorf("district answered %+v", r)
		}
	}
}

func mustService(t testing.TB, k *Kiosk, id string) data.ServiceItem {
	t.Helper()
	svc, err := k.src.Service(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
