package ui

import (
	"strings"
	"testing"

	"jiezhen/data"
)

// wrongSync is a sync source whose district URL does not answer as the
// district, as the sync agent reports it.
type wrongSync struct {
	fakeSync
	url, use string
	status   int
}

func (w wrongSync) WrongAnswer() (string, int, string) { return w.url, w.status, w.use }

// The health screen says, in the kiosk's language, that the district's
// address answered something that is not the district, that the waiting
// items stay, and which address to use when the sync agent found one.
func TestHealthShowsWrongDistrictAddress(t *testing.T) {
	const asked, use = "http://district.example/api/v1/api/v1/push", "http://district.example"
	for _, lang := range []data.Lang{data.ZH, data.EN} {
		k, w, _ := newTestKiosk(t, Options{Lang: lang, KioskID: 7, Sync: wrongSync{url: asked, status: 404, use: use}})
		k.staffSignIn(sampleStaff)
		openHealth(k.env)
		if lang == data.ZH {
			assertShows(t, w, "区平台地址有误，或该地址现在不是区平台："+asked+" 返回 HTTP 404", "待发送的事项都保留在本机，没有被退回", "请把区平台地址改为："+use)
		} else {
			assertShows(t, w, "The district's address is wrong, or is not the district now: "+asked+" answered HTTP 404", "none was refused", "Set the district's address to: "+use)
		}
	}

	// Nothing wrong: nothing said.
	k, w, _ := newTestKiosk(t, Options{KioskID: 7, Sync: wrongSync{}})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	if got := screenText(w); strings.Contains(got, "区平台地址有误") {
		t.Errorf("the health screen reports a wrong address when none is:\n%s", got)
	}
}
