package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"jiezhen/data"
)

// A small local generator of realistic content for the benchmarks: mixed
// kinds with bodies of about 150 Chinese characters drawn from phrases a
// street's notices and guides use.

var phrases = []string{
	"为进一步做好辖区居民服务工作", "根据区政府统一部署", "现将有关事项通知如下", "请广大居民相互转告",
	"因市政管道维修施工", "届时将暂停供水", "请各户提前做好储水准备", "给您带来不便敬请谅解",
	"街道办事处将组织开展", "环境卫生整治行动", "垃圾分类宣传进社区活动", "欢迎居民踊跃参加",
	"申请人应当提交身份证原件及复印件", "户口簿原件", "居住证明材料", "办理时限为五个工作日",
	"老年人优待证办理", "残疾人两项补贴申请", "城乡居民医疗保险参保登记", "计划生育家庭奖励扶助",
	"长者饭堂提供午餐及送餐上门服务", "家政维修便民服务点", "周一至周五上午八点半至十二点",
	"下午两点至五点半", "节假日照常开放", "咨询电话详见窗口公示", "消防安全隐患排查",
	"出租屋安全管理", "流动人口信息登记", "征兵报名工作", "义务献血活动安排",
	"政府信息公开工作年度报告", "财政预算执行情况", "重大行政决策事项目录", "民生实事项目进展",
	"公园升级改造方案公开征求意见", "停车位规划设置", "加装电梯补贴申请指引", "防汛防风应急预案",
}

// specific are the rarer terms: every record carries two, so each hits
// about one record in twenty, like a real service or place name.
var specific = []string{
	"居住证签注", "独生子女父母光荣证", "高龄津贴", "临时救助金", "最低生活保障", "退役军人优待",
	"生育登记服务", "犬只登记", "占道经营许可", "户外广告设置", "燃气安全检查", "电动自行车充电桩",
	"二次供水清洗", "化粪池清掏", "白蚁防治", "无障碍通道", "社区食堂", "儿童之家",
	"法律援助工作站", "调解委员会", "新就业形态", "职业技能培训", "公共租赁住房", "危房改造",
	"门前三包责任", "违法建设查处", "噪声扰民投诉", "油烟污染治理", "古树名木保护", "河涌整治",
	"老旧小区微改造", "适老化改造", "家庭医生签约", "疫苗接种点", "心理援助热线", "志愿服务时长",
	"党群服务中心", "妇女儿童维权", "青少年托管", "地名标志更新",
}

// broadTerm appears in every third record's text and nowhere else, for the
// benchmark of a query matching a third of everything.
const broadTerm = "网格化管理服务"

var (
	providerCats = []string{"长者饭堂", "家政", "维修", "餐饮", "医疗", "教育培训", "理发", "快递驿站"}
	noticeCats   = []string{"通知", "公告", "公示", "政策解读"}
	topics       = []string{"财政", "规划", "民政", "卫生", "城市管理", "公共安全"}
	surnames     = []string{"陈记", "李氏", "和顺", "康乐", "安心", "邻里", "福满", "利民"}
)

func genText(r *rand.Rand, runes int, broad bool) string {
	var b strings.Builder
	n := 0
	for range 2 {
		p := specific[r.IntN(len(specific))]
		b.WriteString(p)
		b.WriteString("。")
		n += len([]rune(p)) + 1
	}
	for n < runes {
		p := phrases[r.IntN(len(phrases))]
		b.WriteString(p)
		b.WriteString("，")
		n += len([]rune(p)) + 1
		if broad && n > runes/2 {
			b.WriteString(broadTerm)
			b.WriteString("。")
			n += len([]rune(broadTerm)) + 1
			broad = false
		}
	}
	return b.String()
}

// genChanges returns n upserts of mixed kinds with Seq 1..n.
func genChanges(n int, seed int64) []data.Change {
	r := rand.New(rand.NewPCG(uint64(seed), 42))
	base := data.MustDate("2020-01-01")
	out := make([]data.Change, n)
	for i := range n {
		seq := int64(i + 1)
		broad := i%3 == 0
		text := genText(r, 150, broad)
		var kind data.Kind
		var id string
		var v any
		switch k := r.IntN(100); {
		case k < 30:
			kind, id = data.KindNotice, fmt.Sprintf("n%d", seq)
			v = data.Notice{ID: id, Title: phrases[r.IntN(len(phrases))] + "的通知", Category: noticeCats[r.IntN(len(noticeCats))],
				Publisher: "天河南街道办事处", Published: base.AddDays(r.IntN(2400)), Body: text}
		case k < 50:
			kind, id = data.KindCatalog, fmt.Sprintf("c%d", seq)
			v = data.CatalogEntry{ID: id, IndexNo: fmt.Sprintf("007482910/2026-%05d", seq), Title: phrases[r.IntN(len(phrases))],
				Publisher: "天河南街道办事处", Topic: topics[r.IntN(len(topics))], DocNo: fmt.Sprintf("穗天街〔2026〕%d号", seq),
				Published: base.AddDays(r.IntN(2400)), Keywords: []string{"信息公开"}, Summary: cut(text, 0, 2), Body: text,
				Disclosure: "主动公开", Timeframe: "常年公开"}
		case k < 60:
			kind, id = data.KindService, fmt.Sprintf("s%d", seq)
			v = data.ServiceItem{ID: id, Code: fmt.Sprintf("44010601%06d", seq), Name: phrases[r.IntN(len(phrases))],
				Category: data.PowerCategories[r.IntN(4)], Department: "街道政务服务中心",
				Conditions: []string{cut(text, 0, 3)}, Procedure: []string{"提交申请", "窗口受理", "审核办结"},
				Materials: []data.Material{{Name: "身份证", Form: data.FormOriginalAndCopy, Count: 1, Required: true}},
				Fee:       "不收费", LegalDays: 20, PromisedDays: 5, FAQ: []data.FAQ{{Q: "需要本人到场吗？", A: cut(text, 1, 3)}}}
		case k < 95:
			kind, id = data.KindProvider, fmt.Sprintf("p%d", seq)
			var h data.WeekHours
			for d := time.Monday; d <= time.Saturday; d++ {
				h[d] = []data.Span{{Start: 8*60 + r.IntN(4)*30, End: 17*60 + r.IntN(10)*30}}
			}
			if r.IntN(10) == 0 {
				h[time.Friday] = []data.Span{{Start: 20 * 60, End: 2 * 60}}
			}
			cat := providerCats[r.IntN(len(providerCats))]
			v = data.Provider{ID: id, Street: "440106011", Name: surnames[r.IntN(len(surnames))] + cat + fmt.Sprintf("%d号店", seq%97),
				Kind: data.ProviderBusiness, Category: cat, Address: fmt.Sprintf("天河南二路%d号", seq%300),
				Phone: "020-38880000", Hours: h, Services: []string{cat, "上门服务"}, Description: text}
		default:
			kind, id = data.KindConsultation, fmt.Sprintf("q%d", seq)
			open := base.AddDays(r.IntN(2400))
			v = data.Consultation{ID: id, Title: phrases[r.IntN(len(phrases))], Publisher: "天河南街道办事处", Draft: text,
				Opens: open, Closes: open.AddDays(30), Topics: []data.Topic{{ID: "t1", Title: "总体方案"}}}
		}
		body, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		out[i] = data.Change{Seq: seq, Kind: kind, ID: id, Op: data.OpUpsert, Version: 1, Body: body}
	}
	return out
}

// genQueries returns terms of three or more characters and of one or two
// that hit the generated content.
func genQueries() (long, short []string) {
	long = []string{"居住证签注", "高龄津贴", "犬只登记", "河涌整治", "家庭医生签约", "儿童之家", "社区食堂 工作日", "心理援助热线"}
	short = []string{"水", "电梯", "饭", "消防", "证", "献血", "犬只"}
	return long, short
}

// cut returns the first 1/d of s (from 0) or the rest after it (from 1),
// on a character boundary.
func cut(s string, from, d int) string {
	r := []rune(s)
	if from == 0 {
		return string(r[:len(r)/d])
	}
	return string(r[len(r)/d:])
}
