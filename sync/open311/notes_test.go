package open311

import (
	"context"
	"strings"
	"testing"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// What the back office's staff record on a case (an internal note, a
// hand-over's reason) never appears in the Open311 answers of a public
// appeal, whose reply does.
func TestStaffNotesNeverShown(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	ref := fileByKiosk(t, a.p, data.Case{ID: "appeal-public", AppealType: data.AppealComplaint, Category: "楼道堆物", Public: true})
	// A handler of the intake department, which has the cases not
	// dispatched to a department.
	if _, err := a.p.AddDepartment(ctx, server.Department{Name: "综合受理", Intake: true}); err != nil {
		t.Fatal(err)
	}
	staff := server.User{ID: 1, Name: "承办甲", Roles: []server.Role{server.RoleHandler}, Department: "综合受理"}
	const note, reason = "内部：反映人系物业前员工", "内部：转区级协调"
	if _, err := a.p.AddCaseNote(ctx, staff, ref, note); err != nil {
		t.Fatal(err)
	}
	if _, err := a.p.HandleCase(ctx, staff, server.CaseMove{Ref: ref, To: data.StatusReplied, Reason: "已联系物业清理。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.p.HandOver(ctx, staff, ref, server.AssignedDistrict, reason); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"requests.json", "requests/" + ref + ".json"} {
		status, body := a.get(path)
		if status != 200 || !strings.Contains(body, "已联系物业清理。") {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		if strings.Contains(body, "内部") {
			t.Errorf("%s shows a staff note: %s", path, body)
		}
	}
}
