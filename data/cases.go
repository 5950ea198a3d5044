package data

import (
	"slices"
	"time"
)

// CaseKind is the kind of a resident's case.
type CaseKind string

const (
	CaseApplication CaseKind = "application" // 网上申报
	CaseAppeal      CaseKind = "appeal"      // 诉求
	CaseDisclosure  CaseKind = "disclosure"  // 依申请公开
)

// Label returns the case kind in the given language.
func (k CaseKind) Label(l Lang) string {
	return pick(l, map[CaseKind][2]string{
		CaseApplication: {"办事申请", "Application"},
		CaseAppeal:      {"诉求", "Appeal"},
		CaseDisclosure:  {"依申请公开", "Information request"},
	}, k, string(k))
}

// Status is where a case stands in its lifecycle. Which statuses a kind
// uses, and the moves between them, are in lifecycle.go.
type Status string

const (
	StatusSubmitted  Status = "submitted"   // 已提交: queued on the kiosk
	StatusReceived   Status = "received"    // 已接收: the district has it
	StatusAccepted   Status = "accepted"    // 已受理
	StatusCorrection Status = "correction"  // 待补正: returned for correction
	StatusRefused    Status = "refused"     // 不予受理
	StatusDispatched Status = "dispatched"  // 已派单: sent to a department
	StatusInProgress Status = "in_progress" // 办理中
	StatusExtended   Status = "extended"    // 已延期: deadline extended, with reason
	StatusReplied    Status = "replied"     // 已答复
	StatusCompleted  Status = "completed"   // 已办结
	StatusMerged     Status = "merged"      // 已合并: merged into another appeal on the same matter
	StatusRated      Status = "rated"       // 已评价
)

// Label returns the status in the given language.
func (s Status) Label(l Lang) string {
	return pick(l, map[Status][2]string{
		StatusSubmitted:  {"已提交", "Submitted"},
		StatusReceived:   {"已接收", "Received"},
		StatusAccepted:   {"已受理", "Accepted"},
		StatusCorrection: {"待补正", "Needs correction"},
		StatusRefused:    {"不予受理", "Not accepted"},
		StatusDispatched: {"已派单", "Dispatched"},
		StatusInProgress: {"办理中", "In progress"},
		StatusExtended:   {"已延期", "Extended"},
		StatusReplied:    {"已答复", "Replied"},
		StatusCompleted:  {"已办结", "Completed"},
		StatusMerged:     {"已合并", "Merged"},
		StatusRated:      {"已评价", "Rated"},
	}, s, string(s))
}

// AppealType is one of the six types of 诉求.
type AppealType string

const (
	AppealConsult    AppealType = "consult"    // 咨询
	AppealHelp       AppealType = "help"       // 求助
	AppealComplaint  AppealType = "complaint"  // 投诉
	AppealReport     AppealType = "report"     // 举报
	AppealSuggestion AppealType = "suggestion" // 建议
	AppealOpinion    AppealType = "opinion"    // 意见
)

// AppealTypes lists the six types in display order.
var AppealTypes = []AppealType{AppealConsult, AppealHelp, AppealComplaint, AppealReport, AppealSuggestion, AppealOpinion}

// Label returns the appeal type in the given language.
func (t AppealType) Label(l Lang) string {
	return pick(l, map[AppealType][2]string{
		AppealConsult:    {"咨询", "Enquiry"},
		AppealHelp:       {"求助", "Seek help"},
		AppealComplaint:  {"投诉", "Complaint"},
		AppealReport:     {"举报", "Report"},
		AppealSuggestion: {"建议", "Suggestion"},
		AppealOpinion:    {"意见", "Opinion"},
	}, t, string(t))
}

// DefaultAppealDays are the working days within which each appeal type is
// answered, after one local practice (咨询/求助 3, 投诉/建议 13). A district
// may configure its own.
var DefaultAppealDays = map[AppealType]int{
	AppealConsult:    3,
	AppealHelp:       3,
	AppealComplaint:  13,
	AppealReport:     13,
	AppealSuggestion: 13,
	AppealOpinion:    13,
}

// Deadlines for disclosure requests under the 2019 regulations, in working days.
const (
	DisclosureDays        = 20 // answer within 20 working days
	DisclosureExtendDays  = 20 // extendable once by 20, with notice and reason
	DisclosureCorrectDays = 7  // a one-time correction notice within 7
)

// ReplyType is the kind of answer to a disclosure request. The first
// seven are the kinds of answer the 2019 regulations name; the rest give
// the reason or case of each result the annual report's table counts
// apart (国办公开办函〔2021〕30号), so that every reply falls in exactly one
// row of it (ReplyType.Result). docs/REPORTS.md maps the seven to the rows.
type ReplyType string

const (
	ReplyAlreadyPublic ReplyType = "already_public" // 已主动公开: where to find it
	ReplyDisclosed     ReplyType = "disclosed"      // 予以公开: how and when
	ReplyNotDisclosed  ReplyType = "not_disclosed"  // 不予公开: reasons (no reason recorded; prefer the reasons below)
	ReplyNotExist      ReplyType = "not_exist"      // 信息不存在
	ReplyNotHeld       ReplyType = "not_held"       // 非本机关掌握: the right organ if known
	ReplyRepeat        ReplyType = "repeat"         // 重复申请: not processed again
	ReplyRegistration  ReplyType = "registration"   // 工商/不动产登记资料: special rules

	ReplyPartlyDisclosed ReplyType = "partly_disclosed" // 部分公开（区分处理）

	// 不予公开, by reason.
	ReplyWithheldSecret      ReplyType = "withheld_secret"      // 属于国家秘密
	ReplyWithheldLaw         ReplyType = "withheld_law"         // 其他法律行政法规禁止公开
	ReplyWithheldSafety      ReplyType = "withheld_safety"      // 危及“三安全一稳定”
	ReplyWithheldThirdParty  ReplyType = "withheld_third_party" // 保护第三方合法权益
	ReplyWithheldInternal    ReplyType = "withheld_internal"    // 属于三类内部事务信息
	ReplyWithheldProcess     ReplyType = "withheld_process"     // 属于四类过程性信息
	ReplyWithheldEnforcement ReplyType = "withheld_enforcement" // 属于行政执法案卷
	ReplyWithheldQuery       ReplyType = "withheld_query"       // 属于行政查询事项

	// 无法提供 (besides ReplyNotHeld and ReplyNotExist: 本机关不掌握相关政府信息).
	ReplyNeedsMaking ReplyType = "needs_making" // 没有现成信息需要另行制作
	ReplyUnclear     ReplyType = "unclear"      // 补正后申请内容仍不明确

	// 不予处理 (besides ReplyRepeat: 重复申请).
	ReplyPetition    ReplyType = "petition"    // 信访举报投诉类申请
	ReplyPublication ReplyType = "publication" // 要求提供公开出版物
	ReplyExcessive   ReplyType = "excessive"   // 无正当理由大量反复申请
	ReplyConfirm     ReplyType = "confirm"     // 要求行政机关确认或重新出具已获取信息

	// 其他处理.
	ReplyNoCorrection ReplyType = "no_correction" // 申请人无正当理由逾期不补正，不再处理
	ReplyUnpaid       ReplyType = "unpaid"        // 申请人逾期未按收费通知缴纳费用，不再处理
	ReplyOther        ReplyType = "other"         // 其他
)

// ReplyTypes lists the reply types: the seven of the regulations first,
// then the annual report's reasons.
var ReplyTypes = []ReplyType{ReplyAlreadyPublic, ReplyDisclosed, ReplyNotDisclosed, ReplyNotExist, ReplyNotHeld, ReplyRepeat, ReplyRegistration,
	ReplyPartlyDisclosed,
	ReplyWithheldSecret, ReplyWithheldLaw, ReplyWithheldSafety, ReplyWithheldThirdParty, ReplyWithheldInternal, ReplyWithheldProcess, ReplyWithheldEnforcement, ReplyWithheldQuery,
	ReplyNeedsMaking, ReplyUnclear,
	ReplyPetition, ReplyPublication, ReplyExcessive, ReplyConfirm,
	ReplyNoCorrection, ReplyUnpaid, ReplyOther}

// Label returns the reply type in the given language.
func (t ReplyType) Label(l Lang) string {
	return pick(l, map[ReplyType][2]string{
		ReplyAlreadyPublic: {"已主动公开", "Already public"},
		ReplyDisclosed:     {"予以公开", "Disclosed"},
		ReplyNotDisclosed:  {"不予公开", "Not disclosed"},
		ReplyNotExist:      {"信息不存在", "Does not exist"},
		ReplyNotHeld:       {"非本机关掌握", "Not held by this office"},
		ReplyRepeat:        {"重复申请", "Repeat request"},
		ReplyRegistration:  {"登记资料查询", "Registration records"},

		ReplyPartlyDisclosed: {"部分公开", "Partly disclosed"},

		ReplyWithheldSecret:      {"不予公开：属于国家秘密", "Not disclosed: state secret"},
		ReplyWithheldLaw:         {"不予公开：其他法律行政法规禁止公开", "Not disclosed: forbidden by other laws"},
		ReplyWithheldSafety:      {"不予公开：危及“三安全一稳定”", "Not disclosed: endangers security or stability"},
		ReplyWithheldThirdParty:  {"不予公开：保护第三方合法权益", "Not disclosed: third parties' rights"},
		ReplyWithheldInternal:    {"不予公开：属于三类内部事务信息", "Not disclosed: internal affairs"},
		ReplyWithheldProcess:     {"不予公开：属于四类过程性信息", "Not disclosed: process information"},
		ReplyWithheldEnforcement: {"不予公开：属于行政执法案卷", "Not disclosed: enforcement file"},
		ReplyWithheldQuery:       {"不予公开：属于行政查询事项", "Not disclosed: administrative query"},

		ReplyNeedsMaking: {"无法提供：没有现成信息需要另行制作", "Cannot provide: would have to be made"},
		ReplyUnclear:     {"无法提供：补正后申请内容仍不明确", "Cannot provide: still unclear after correction"},

		ReplyPetition:    {"不予处理：信访举报投诉类申请", "Not processed: petition, report or complaint"},
		ReplyPublication: {"不予处理：要求提供公开出版物", "Not processed: a publication"},
		ReplyExcessive:   {"不予处理：无正当理由大量反复申请", "Not processed: excessive repeated requests"},
		ReplyConfirm:     {"不予处理：要求确认或重新出具已获取信息", "Not processed: confirm or reissue"},

		ReplyNoCorrection: {"其他处理：逾期不补正", "Other: not corrected in time"},
		ReplyUnpaid:       {"其他处理：逾期未缴费", "Other: fee not paid in time"},
		ReplyOther:        {"其他处理：其他", "Other"},
	}, t, string(t))
}

// ReplyResult is a 办理结果 of the annual report's table.
type ReplyResult string

const (
	ResultDisclosed    ReplyResult = "disclosed"     // （一）予以公开
	ResultPartly       ReplyResult = "partly"        // （二）部分公开
	ResultWithheld     ReplyResult = "withheld"      // （三）不予公开
	ResultUnavailable  ReplyResult = "unavailable"   // （四）无法提供
	ResultNotProcessed ReplyResult = "not_processed" // （五）不予处理
	ResultOther        ReplyResult = "other"         // （六）其他处理
)

// replyReasons are the reply types of each result split by reason, in
// the order of the reasons' numbers ("" where an older type holds the
// number).
var replyReasons = map[ReplyResult][]ReplyType{
	ResultWithheld:     {ReplyWithheldSecret, ReplyWithheldLaw, ReplyWithheldSafety, ReplyWithheldThirdParty, ReplyWithheldInternal, ReplyWithheldProcess, ReplyWithheldEnforcement, ReplyWithheldQuery},
	ResultUnavailable:  {"", ReplyNeedsMaking, ReplyUnclear},
	ResultNotProcessed: {ReplyPetition, "", ReplyPublication, ReplyExcessive, ReplyConfirm},
	ResultOther:        {ReplyNoCorrection, ReplyUnpaid, ReplyOther},
}

// Result is the row of the annual report's table a reply counts in: the
// result and, for those split by reason, the reason's number (1-based;
// 0 for ReplyNotDisclosed, which records no reason). ok is false for an
// unknown type.
func (t ReplyType) Result() (r ReplyResult, reason int, ok bool) {
	switch t {
	case ReplyDisclosed, ReplyAlreadyPublic:
		return ResultDisclosed, 0, true
	case ReplyPartlyDisclosed:
		return ResultPartly, 0, true
	case ReplyNotDisclosed:
		return ResultWithheld, 0, true
	case ReplyRegistration:
		return ResultWithheld, 8, true
	case ReplyNotHeld, ReplyNotExist:
		return ResultUnavailable, 1, true
	case ReplyRepeat:
		return ResultNotProcessed, 2, true
	}
	for r, list := range replyReasons {
		if i := slices.Index(list, t); i >= 0 && t != "" {
			return r, i + 1, true
		}
	}
	return "", 0, false
}

// Rating is one of the five levels of 好差评.
type Rating int

const (
	RatingVeryUnsatisfied Rating = 1 // 非常不满意
	RatingUnsatisfied     Rating = 2 // 不满意
	RatingBasic           Rating = 3 // 基本满意: also the default after 7 calendar days unrated
	RatingSatisfied       Rating = 4 // 满意
	RatingVerySatisfied   Rating = 5 // 非常满意
)

// DefaultRatingDays is how many calendar days after completion an unrated
// case counts as RatingBasic (Guangdong practice).
const DefaultRatingDays = 7

// Label returns the rating in the given language.
func (r Rating) Label(l Lang) string {
	return pick(l, map[Rating][2]string{
		RatingVeryUnsatisfied: {"非常不满意", "Very unsatisfied"},
		RatingUnsatisfied:     {"不满意", "Unsatisfied"},
		RatingBasic:           {"基本满意", "Fairly satisfied"},
		RatingSatisfied:       {"满意", "Satisfied"},
		RatingVerySatisfied:   {"非常满意", "Very satisfied"},
	}, r, "")
}

// Delivery is how a disclosure request's answer reaches the resident.
type Delivery string

const (
	DeliveryPickup Delivery = "pickup" // 当面领取
	DeliveryPost   Delivery = "post"   // 邮寄
	DeliveryEmail  Delivery = "email"  // 电子邮件
)

// Person is the resident behind a case. It is personal information: it
// leaves the kiosk as soon as the district acknowledges the case, and is
// shown only masked.
type Person struct {
	Name     string `json:"name" limit:"name"`
	IDNumber string `json:"id_number,omitempty" limit:"code"`
	Mobile   string `json:"mobile,omitempty" limit:"code"`
	Address  string `json:"address,omitempty" limit:"title"`
	Email    string `json:"email,omitempty" limit:"title"`
}

// DisclosureRequest is what a resident asks for under 依申请公开.
type DisclosureRequest struct {
	// Requester is who asks: a natural person or a legal person or other
	// organisation, which the annual report counts apart.
	Requester   Requester `json:"requester,omitempty" limit:"code"`
	Information string    `json:"information" limit:"text"` // what information is asked for
	Purpose     string    `json:"purpose" limit:"title"`
	Delivery    Delivery  `json:"delivery" limit:"code"`
}

// Reply is the district's answer on a case: for a disclosure request it
// has one of the ReplyTypes; for other cases Type is empty.
type Reply struct {
	Type ReplyType `json:"type,omitempty" limit:"code"`
	Text string    `json:"text" limit:"text"`
	At   time.Time `json:"at"`
}

// Transition is one recorded move of a case, with its reason. The district
// records them; At is the district's clock.
type Transition struct {
	From   Status    `json:"from" limit:"code"`
	To     Status    `json:"to" limit:"code"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty" limit:"text"`
}

// Channel is how a case reached the district.
type Channel string

const (
	ChannelKiosk   Channel = "kiosk"   // pushed by a kiosk over HTTP
	ChannelUSB     Channel = "usb"     // a kiosk's outbox carried on a USB drive
	ChannelWeb     Channel = "web"     // filed on the street's website
	ChannelOpen311 Channel = "open311" // posted through the Open311 API
)

// Case is a resident's application, appeal or disclosure request.
type Case struct {
	ID          string    `json:"id" limit:"id"`    // client-generated; doubles as the idempotency key
	Ref         string    `json:"ref" limit:"code"` // reference number shown on the receipt
	Kind        CaseKind  `json:"kind" limit:"code"`
	Street      string    `json:"street" limit:"id"`
	Kiosk       string    `json:"kiosk,omitempty" limit:"code"`
	Status      Status    `json:"status" limit:"code"`
	SubmittedAt time.Time `json:"submitted_at"` // the kiosk's clock: for display only
	Deadline    Date      `json:"deadline,omitempty"`
	Anonymous   bool      `json:"anonymous,omitempty"`
	Applicant   *Person   `json:"applicant,omitempty"`
	// Channel is how the case reached the district (ChannelKiosk, ...);
	// the district sets it on receipt, whatever a client sent.
	Channel Channel `json:"channel,omitempty" limit:"code"`
	// Public: the resident agreed, when filing an appeal, that its
	// subject, type, place in words, the public reply and the dates may be
	// shown on the street's public list of answered appeals. Never the
	// resident's personal data, whatever this says.
	Public bool `json:"public,omitempty"`

	// Applications.
	Service string     `json:"service,omitempty" limit:"id"` // ServiceItem.ID
	Values  FormValues `json:"values,omitempty" limit:"text"`

	// Appeals.
	AppealType AppealType `json:"appeal_type,omitempty" limit:"code"`
	// Department is the department the district dispatched the appeal to
	// (派单); the resident sees it.
	Department  string `json:"department,omitempty" limit:"title"`
	Category    string `json:"category,omitempty" limit:"name"`
	Description string `json:"description,omitempty" limit:"text"`
	Location    string `json:"location,omitempty" limit:"title"`

	// Disclosure requests.
	Request *DisclosureRequest `json:"request,omitempty"`

	// Corrections are what the resident supplied after the case was
	// returned for correction (补正), as the district received them.
	Corrections []Correction `json:"corrections,omitempty"`

	History []Transition `json:"history,omitempty"`
	Reply   *Reply       `json:"reply,omitempty"`
	Rating  Rating       `json:"rating,omitempty"`
	// RatingDefault: the case was not rated within DefaultRatingDays of
	// its completion and counts as RatingBasic.
	RatingDefault bool   `json:"rating_default,omitempty"`
	MergedInto    string `json:"merged_into,omitempty" limit:"code"` // Ref of the case it was merged into
}

// Correction is what a resident supplies for a case returned for
// correction (补正, StatusCorrection): the body of an outbox item of kind
// "correction", and the district's record of it. It may hold personal
// data, so it never goes back down to a kiosk.
type Correction struct {
	Case string `json:"case" limit:"id"` // the case's client-generated id
	// Values are an application's corrected or added form values; they
	// replace the values of the same codes.
	Values FormValues `json:"values,omitempty" limit:"text"`
	// Information restates what a disclosure request asks for.
	Information string `json:"information,omitempty" limit:"text"`
	// Note is what the resident says they supplied (e.g. a document
	// handed in at the service centre).
	Note string    `json:"note,omitempty" limit:"text"`
	At   time.Time `json:"at,omitzero"` // set by the district: its clock
}

// MaxCorrectionNote is the longest note a correction takes, in characters.
const MaxCorrectionNote = 500

// Opinion is a resident's opinion on one topic of a consultation.
type Opinion struct {
	ID           string    `json:"id" limit:"id"` // client-generated
	Consultation string    `json:"consultation" limit:"id"`
	Topic        string    `json:"topic" limit:"id"`
	Text         string    `json:"text" limit:"text"`
	Anonymous    bool      `json:"anonymous,omitempty"`
	Name         string    `json:"name,omitempty" limit:"name"`
	Mobile       string    `json:"mobile,omitempty" limit:"code"`
	At           time.Time `json:"at"`
}
