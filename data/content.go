// Package data holds Jiezhen's domain: the content a street publishes, the
// cases residents file, their lifecycles, validation and the working-day
// calendar. It imports only the standard library.
package data

import (
	"net/url"
	"strings"
)

// Kind names a kind of content that flows from the district to a kiosk.
// The values are stable: they appear in the database, the change feed and
// bundle files.
type Kind string

const (
	KindNotice       Kind = "notice"       // 通知公告
	KindCatalog      Kind = "catalog"      // 政府信息公开目录
	KindService      Kind = "service"      // 权责事项与办事指南
	KindProvider     Kind = "provider"     // 便民服务 listings
	KindConsultation Kind = "consultation" // 民意征集
	KindCalendar     Kind = "calendar"     // working-day calendar, one year per item
	KindStreet       Kind = "street"       // the street (街/镇) itself
	// KindStaff is a street's staff accounts. They travel in that street's
	// feed and bundles only, and are never shown to residents or searched.
	KindStaff Kind = "staff"
)

// ContentKinds lists every content kind in display order.
// Staff accounts come last: they flow like content but are not for
// residents.
var ContentKinds = []Kind{KindNotice, KindCatalog, KindService, KindProvider, KindConsultation, KindCalendar, KindStreet, KindStaff}

// Valid reports whether k is a known content kind.
func (k Kind) Valid() bool {
	for _, c := range ContentKinds {
		if c == k {
			return true
		}
	}
	return false
}

// Label returns the kind's name in the given language.
func (k Kind) Label(l Lang) string {
	return pick(l, map[Kind][2]string{
		KindNotice:       {"通知公告", "Notices"},
		KindCatalog:      {"政府信息公开", "Government information"},
		KindService:      {"办事指南", "Service guides"},
		KindProvider:     {"便民服务", "Local services"},
		KindConsultation: {"民意征集", "Consultations"},
		KindCalendar:     {"工作日历", "Working-day calendar"},
		KindStreet:       {"街道", "Street"},
		KindStaff:        {"街道工作人员", "Street staff"},
	}, k, string(k))
}

// Lang is a UI language.
type Lang string

const (
	ZH Lang = "zh" // Simplified Chinese, the default
	EN Lang = "en"
)

func pick[K comparable](l Lang, m map[K][2]string, k K, fallback string) string {
	v, ok := m[k]
	if !ok {
		return fallback
	}
	if l == EN {
		return v[1]
	}
	return v[0]
}

// Street is a pilot street (街道) or town (镇).
type Street struct {
	Code     string `json:"code" limit:"id"`   // e.g. 440106011
	Name     string `json:"name" limit:"name"` // e.g. 天河南街道
	District string `json:"district" limit:"name"`
	Address  string `json:"address" limit:"title"` // the service centre's address
	Phone    string `json:"phone" limit:"name"`
	Hours    string `json:"hours" limit:"title"` // the service centre's opening hours, as text
	Demo     bool   `json:"demo,omitempty"`
	// Website is the street's page on the district's website
	// (districtd serve --public-url), set by the district, never by the
	// content files; empty when the district has no public address. A
	// receipt's QR code opens its tracking form (TrackURL).
	Website string `json:"website,omitempty" limit:"url"`
	// Figures are the street's last month for residents, set by the
	// district like Website (StreetFigures); nil when none were made.
	Figures *StreetFigures `json:"figures,omitempty"`
}

// TrackURL is the street's tracking form on its website with the
// reference filled in, "" when the street has no website. The reference
// is not personal data; nothing else goes in the address.
func (s Street) TrackURL(ref string) string {
	if s.Website == "" {
		return ""
	}
	return strings.TrimRight(s.Website, "/") + "/track?ref=" + url.QueryEscape(FormatReference(ref))
}

// Attachment is a file that belongs to a piece of content, such as a
// blank form. URL is what a QR code on the kiosk encodes. File, when set,
// is a copy the district ships in signed bundles: its path in the bundle
// ("files/" + SHA256 + extension, see AttachmentPath), its SHA-256 (lower
// hex), its size in bytes and its MIME type (one of AttachmentTypes). An
// attachment has a URL, a file or both; `districtd attach` prints the
// file fields to copy into the content.
type Attachment struct {
	Name   string `json:"name" limit:"title"`
	URL    string `json:"url,omitempty" limit:"url"`
	File   string `json:"file,omitempty" limit:"code"`
	SHA256 string `json:"sha256,omitempty" limit:"code"`
	Size   int64  `json:"size,omitempty"`
	Type   string `json:"type,omitempty" limit:"code"`
}

// Notice is a street or district notice (通知公告).
type Notice struct {
	ID        string `json:"id" limit:"id"`
	Street    string `json:"street,omitempty" limit:"id"` // empty: district-wide
	Title     string `json:"title" limit:"title"`
	Category  string `json:"category" limit:"name"` // 通知, 公告, 公示, 政策解读, ...
	Publisher string `json:"publisher" limit:"title"`
	Published Date   `json:"published"`
	Body      string `json:"body" limit:"doc"`
	Pinned    bool   `json:"pinned,omitempty"`
	// Until is the notice's end date (截止日期): the last day it is current.
	// Empty: it has none. The reports count live notices past it.
	Until       Date         `json:"until,omitzero"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// CatalogEntry is an entry of the government-information disclosure
// catalogue (政府信息公开目录).
type CatalogEntry struct {
	ID         string   `json:"id" limit:"id"`
	Street     string   `json:"street,omitempty" limit:"id"`
	IndexNo    string   `json:"index_no" limit:"name"`           // 索引号, e.g. 007482910/2012-00016
	Title      string   `json:"title" limit:"title"`             // 名称
	Publisher  string   `json:"publisher" limit:"title"`         // 发布机构
	Topic      string   `json:"topic" limit:"name"`              // 主题分类
	DocNo      string   `json:"doc_no" limit:"name"`             // 文号, e.g. 穗府办〔2012〕16号
	Written    Date     `json:"written,omitzero"`                // 成文日期: the day it was signed; not after Published
	Published  Date     `json:"published"`                       // 发布日期
	Validity   Validity `json:"validity,omitempty" limit:"code"` // 有效性; empty: not stated
	Keywords   []string `json:"keywords" limit:"name"`           // 主题词
	Summary    string   `json:"summary" limit:"text"`            // 内容概述
	Disclosure string   `json:"disclosure" limit:"name"`         // 公开方式, e.g. DisclosureProactive
	Timeframe  string   `json:"timeframe" limit:"name"`          // 公开时限, e.g. 常年公开
	Body       string   `json:"body" limit:"doc"`
}

// DisclosureProactive is the 公开方式 of a document the government
// publishes of its own accord (主动公开): anyone may read it, and nobody
// needs to ask for it.
const DisclosureProactive = "主动公开"

// IsPublic reports whether the entry's document is already public, so
// that a request to disclose it (依申请公开) would be pointless.
func (c CatalogEntry) IsPublic() bool {
	return strings.TrimSpace(c.Disclosure) == DisclosureProactive
}

// RequestDescription describes the entry's document for a disclosure
// request about it (所需信息的内容描述): its title in book-title marks,
// then its document and index numbers, as the street reads it in either
// language: 《名称》（文号 · 索引号）.
func (c CatalogEntry) RequestDescription() string {
	var ids []string
	for _, id := range []string{c.DocNo, c.IndexNo} {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	s := "《" + strings.TrimSpace(c.Title) + "》"
	if len(ids) > 0 {
		s += "（" + strings.Join(ids, " · ") + "）"
	}
	return s
}

// Validity says whether a catalogued document is in force (有效性).
type Validity string

const (
	ValidityInForce  Validity = "in_force" // 有效
	ValidityExpired  Validity = "expired"  // 失效: its term has run out
	ValidityRepealed Validity = "repealed" // 废止: withdrawn by a later document
)

// Validities lists the values a catalogue entry's validity may take.
var Validities = []Validity{ValidityInForce, ValidityExpired, ValidityRepealed}

// Label returns the validity in the given language.
func (v Validity) Label(l Lang) string {
	return pick(l, map[Validity][2]string{
		ValidityInForce:  {"有效", "In force"},
		ValidityExpired:  {"失效", "Expired"},
		ValidityRepealed: {"废止", "Repealed"},
	}, v, string(v))
}

// PowerCategory is one of the four categories of the catalogue of
// administrative powers.
type PowerCategory string

const (
	PowerApproval    PowerCategory = "approval"    // 审批服务
	PowerEnforcement PowerCategory = "enforcement" // 行政执法
	PowerSocial      PowerCategory = "social"      // 社会管理
	PowerPublic      PowerCategory = "public"      // 公共服务
)

// PowerCategories lists the four categories in display order.
var PowerCategories = []PowerCategory{PowerApproval, PowerEnforcement, PowerSocial, PowerPublic}

// ResidentsApply reports whether a resident applies for the category's
// items: an enforcement item (行政执法, such as 占道经营查处) is the
// street acting on someone, which a resident reports as an appeal
// rather than applies for.
func (c PowerCategory) ResidentsApply() bool { return c != PowerEnforcement }

// Label returns the category's name in the given language.
func (c PowerCategory) Label(l Lang) string {
	return pick(l, map[PowerCategory][2]string{
		PowerApproval:    {"审批服务", "Approvals"},
		PowerEnforcement: {"行政执法", "Enforcement"},
		PowerSocial:      {"社会管理", "Social management"},
		PowerPublic:      {"公共服务", "Public services"},
	}, c, string(c))
}

// MaterialForm says whether a material is brought as an original, a copy
// or both.
type MaterialForm string

const (
	FormOriginal        MaterialForm = "original"          // 原件
	FormCopy            MaterialForm = "copy"              // 复印件
	FormOriginalAndCopy MaterialForm = "original_and_copy" // 原件及复印件
)

// Label returns the material form in the given language.
func (f MaterialForm) Label(l Lang) string {
	return pick(l, map[MaterialForm][2]string{
		FormOriginal:        {"原件", "original"},
		FormCopy:            {"复印件", "copy"},
		FormOriginalAndCopy: {"原件及复印件", "original and copy"},
	}, f, string(f))
}

// Material is one item of a service's 申请材料 list.
type Material struct {
	Name     string       `json:"name" limit:"title"`
	Form     MaterialForm `json:"form" limit:"code"`
	Count    int          `json:"count"` // 份数
	Required bool         `json:"required"`
	Note     string       `json:"note,omitempty" limit:"text"`
	Template *Attachment  `json:"template,omitempty"` // blank form to download
}

// FAQ is one 常见问题 of a service guide.
type FAQ struct {
	Q string `json:"q" limit:"title"`
	A string `json:"a" limit:"text"`
}

// ServiceItem is an item of the catalogue of administrative powers with its
// complete service guide (办事指南) and the schema of its online form.
type ServiceItem struct {
	ID             string        `json:"id" limit:"id"`
	Street         string        `json:"street,omitempty" limit:"id"`
	Code           string        `json:"code" limit:"name"`            // 事项编码
	Name           string        `json:"name" limit:"name"`            // 事项名称
	Category       PowerCategory `json:"category" limit:"code"`        // 事项类别
	Department     string        `json:"department" limit:"title"`     // 实施主体 / 办理机构
	Audience       string        `json:"audience" limit:"title"`       // 服务对象
	Basis          []string      `json:"basis" limit:"title"`          // 设定依据 / 办事依据
	Conditions     []string      `json:"conditions" limit:"text"`      // 受理条件 / 办事条件
	Materials      []Material    `json:"materials"`                    // 申请材料
	Procedure      []string      `json:"procedure" limit:"text"`       // 办理流程, one step per entry
	Location       string        `json:"location" limit:"title"`       // 办理地点
	Hours          string        `json:"hours" limit:"title"`          // 受理时间
	OnTheSpot      bool          `json:"on_the_spot"`                  // 即办件: done on the spot
	LegalDays      int           `json:"legal_days"`                   // 法定办结时限, working days
	PromisedDays   int           `json:"promised_days"`                // 承诺办结时限, working days
	Fee            string        `json:"fee" limit:"title"`            // 收费标准, often 不收费
	FeeBasis       string        `json:"fee_basis" limit:"title"`      // 收费依据
	Phone          string        `json:"phone" limit:"name"`           // 咨询电话
	ComplaintPhone string        `json:"complaint_phone" limit:"name"` // 监督投诉电话
	Visits         int           `json:"visits"`                       // 到现场次数
	FAQ            []FAQ         `json:"faq,omitempty"`                // 常见问题
	URL            string        `json:"url,omitempty" limit:"url"`    // the guide online, for a QR code
	Online         bool          `json:"online"`                       // can be applied for on the kiosk
	Form           FormSchema    `json:"form"`
}

// AppliesOnline reports whether a resident may apply for the item online
// (在线申报, on a kiosk or the street's website): it is marked online, has
// a form, and its category is one residents apply for (ResidentsApply).
func (s ServiceItem) AppliesOnline() bool {
	return s.Online && len(s.Form.Fields) > 0 && s.Category.ResidentsApply()
}

// ProviderKind says what sort of provider a listing is.
type ProviderKind string

const (
	ProviderBusiness     ProviderKind = "business"     // 个体私营工商户
	ProviderOrganisation ProviderKind = "organisation" // 社区服务组织
	ProviderConvenience  ProviderKind = "convenience"  // 便民服务点
)

// Label returns the provider kind in the given language.
func (k ProviderKind) Label(l Lang) string {
	return pick(l, map[ProviderKind][2]string{
		ProviderBusiness:     {"个体私营工商户", "Local business"},
		ProviderOrganisation: {"社区服务组织", "Community organisation"},
		ProviderConvenience:  {"便民服务点", "Convenience service"},
	}, k, string(k))
}

// Provider is a listing of a local business, community organisation or
// convenience service.
type Provider struct {
	ID          string       `json:"id" limit:"id"`
	Street      string       `json:"street" limit:"id"`
	Name        string       `json:"name" limit:"name"`
	Kind        ProviderKind `json:"kind" limit:"code"`
	Category    string       `json:"category" limit:"name"` // 长者饭堂, 家政, 维修, ...
	Address     string       `json:"address" limit:"title"`
	Phone       string       `json:"phone" limit:"name"`
	Hours       WeekHours    `json:"hours"`
	Services    []string     `json:"services" limit:"title"`
	Description string       `json:"description,omitempty" limit:"text"`
}

// Outcome is what became of the opinions on one topic of a consultation.
type Outcome string

const (
	OutcomeAdopted    Outcome = "adopted"     // 采纳
	OutcomePartly     Outcome = "partly"      // 部分采纳
	OutcomeNotAdopted Outcome = "not_adopted" // 不予采纳
)

// Label returns the outcome in the given language.
func (o Outcome) Label(l Lang) string {
	return pick(l, map[Outcome][2]string{
		OutcomeAdopted:    {"采纳", "Adopted"},
		OutcomePartly:     {"部分采纳", "Partly adopted"},
		OutcomeNotAdopted: {"不予采纳", "Not adopted"},
	}, o, string(o))
}

// Topic is one part of a draft on which residents give opinions.
type Topic struct {
	ID      string `json:"id" limit:"id"`
	Title   string `json:"title" limit:"title"`
	Summary string `json:"summary,omitempty" limit:"text"`
}

// TopicFeedback is the published feedback on one topic after a
// consultation closed.
type TopicFeedback struct {
	Topic    string  `json:"topic" limit:"id"` // Topic.ID
	Outcome  Outcome `json:"outcome" limit:"code"`
	Reason   string  `json:"reason" limit:"text"`
	Opinions int     `json:"opinions"` // how many opinions were received on it
}

// Consultation is a solicitation of opinions on a draft decision (民意征集).
type Consultation struct {
	ID        string          `json:"id" limit:"id"`
	Street    string          `json:"street,omitempty" limit:"id"`
	Title     string          `json:"title" limit:"title"`
	Publisher string          `json:"publisher" limit:"title"`
	Draft     string          `json:"draft" limit:"doc"`
	Opens     Date            `json:"opens"`
	Closes    Date            `json:"closes"` // last day on which opinions are taken
	Topics    []Topic         `json:"topics"`
	Feedback  []TopicFeedback `json:"feedback,omitempty"`
}

// OpenOn reports whether opinions are taken on day d.
func (c *Consultation) OpenOn(d Date) bool {
	return !d.Before(c.Opens) && !c.Closes.Before(d)
}

// ClosedOn reports whether the consultation has closed by day d.
func (c *Consultation) ClosedOn(d Date) bool {
	return c.Closes.Before(d)
}
