package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// openConsultationRow opens the consultation list from home and taps its
// row i (latest closing first: zj-2026-03 open, zj-2026-04 not started,
// zj-2026-02 closed with feedback).
func openConsultationRow(t *testing.T, k *Kiosk, i int) {
	t.Helper()
	tap(t, k.win, "民意征集")
	firstList(t, k.win).Select(i)
}

func TestOpinionOnOpenConsultationByTouch(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	openConsultationRow(t, k, 0)
	assertShows(t, w, "六运小区公共空间微改造方案（征求意见稿）意见征集", "征集中")
	tap(t, w, "我要提意见")
	assertShows(t, w, "提出意见", "口袋公园选址和设施", "无障碍和适老化设施")
	tap(t, w, "下一步")
	assertShows(t, w, "请选择一个议题")
	tap(t, w, "无障碍和适老化设施")
	tap(t, w, "下一步")
	tap(t, w, "下一步")
	assertShows(t, w, "请填写您的意见")
	focusEntry(t, w, "您的意见")
	typeKeys(t, w, "jianyi")
	tapKey(t, w, "建议")
	tap(t, w, "下一步")
	assertShows(t, w, "第 3 步，共 3 步")
	tap(t, w, "提交")
	assertShows(t, w, "请填写姓名")
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "wang")
	tapKey(t, w, "王")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "1391234")
	tap(t, w, "提交")
	assertShows(t, w, "请按提示修改本页标红的内容")
	focusEntry(t, w, "手机号码")
	tapKey(t, w, "清空")
	typeDigits(t, w, "13912345678")
	tap(t, w, "提交")
	assertShows(t, w, "感谢您的意见", "无障碍和适老化设施", "2026年12月31日")
	if txt := screenText(w); strings.Contains(txt, "13912345678") || strings.Contains(txt, "王") {
		t.Errorf("the receipt shows personal data:\n%s", txt)
	}

	items, err := s.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != wire.ItemOpinion {
		t.Fatalf("outbox %+v, want one opinion", items)
	}
	var o data.Opinion
	if err := json.Unmarshal(items[0].Body, &o); err != nil {
		t.Fatal(err)
	}
	if o.ID != items[0].ID || o.Consultation != "zj-2026-03" || o.Topic != "t3" || o.Text != "建议" || o.Anonymous ||
		o.Name != "王" || o.Mobile != "13912345678" || !o.At.Equal(testNow) {
		t.Errorf("opinion %+v", o)
	}
	tap(t, w, "完成")
	if len(k.stack) != 0 {
		t.Error("完成 did not go home")
	}
}

func TestAnonymousOpinion(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	openConsultationRow(t, k, 0)
	tap(t, w, "我要提意见")
	tap(t, w, "口袋公园选址和设施")
	tap(t, w, "下一步")
	focusEntry(t, w, "您的意见")
	typeKeys(t, w, "jianyi")
	tapKey(t, w, "建议")
	tap(t, w, "下一步")
	tap(t, w, "匿名提出")
	if strings.Contains(screenText(w), "手机号码") {
		t.Error("an anonymous opinion asks for a mobile")
	}
	tap(t, w, "提交")
	assertShows(t, w, "感谢您的意见")
	items, _ := s.Pending(context.Background(), 0)
	var o data.Opinion
	if len(items) != 1 || json.Unmarshal(items[0].Body, &o) != nil || !o.Anonymous || o.Name != "" || o.Mobile != "" || o.Topic != "t1" {
		t.Errorf("outbox %+v", items)
	}
}

func TestClosedConsultationShowsFeedbackAndTakesNoOpinion(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	openConsultationRow(t, k, 2)
	assertShows(t, w, "天河南街生活垃圾分类投放点优化方案意见征集", "已结束", "意见采纳情况",
		"晚间投放时间调整", "部分采纳", "投放点迁移和设施改善", "采纳", "督导方式调整", "不予采纳", "理由")
	if strings.Contains(screenText(w), "我要提意见") {
		t.Error("a closed consultation offers to take an opinion")
	}
	tap(t, w, "返回")
	firstList(t, w).Select(1) // not started
	assertShows(t, w, "未开始")
	if strings.Contains(screenText(w), "我要提意见") {
		t.Error("a consultation not yet open offers to take an opinion")
	}
}

func demoConsultation(t testing.TB, id string) data.Consultation {
	t.Helper()
	c, err := openDemo(t).Consultation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
