package synth

import "jiezhen/data"

// svcDef is one service of the catalogue of administrative powers.
type svcDef struct {
	name       string
	cat        data.PowerCategory
	dept       string
	audience   string
	basis      []string
	conds      []string
	mats       []data.Material
	steps      []string // between "submit" and "notify"
	legal      int
	promised   int
	onSpot     bool
	extra      []data.FormField
	faq        []data.FAQ
	onlineable bool
}

func mat(name string, form data.MaterialForm, req bool) data.Material {
	return data.Material{Name: name, Form: form, Count: 1, Required: req}
}

var (
	matID      = mat("申请人居民身份证", data.FormOriginal, true)
	matHukou   = mat("户口簿", data.FormOriginalAndCopy, true)
	matPhoto   = mat("近期一寸免冠彩色照片", data.FormOriginal, false)
	matBank    = mat("本人银行卡或社保卡", data.FormCopy, true)
	matAgent   = mat("委托书及代办人身份证", data.FormOriginal, false)
	matIncome  = mat("家庭成员收入证明", data.FormOriginal, true)
	matLease   = mat("房屋租赁合同或房屋权属证明", data.FormOriginalAndCopy, true)
	matLabour  = mat("劳动合同或用工证明", data.FormCopy, true)
	matDisable = mat("第二代残疾人证", data.FormOriginalAndCopy, true)
	matDiploma = mat("学历证明或学生证", data.FormOriginalAndCopy, true)
)

var (
	fldReason  = data.FormField{Code: "reason", Label: "申请理由", Type: data.FieldLongText, Required: true, MaxLen: 500, Help: "请简要说明家庭情况和申请理由"}
	fldMembers = data.FormField{Code: "household_size", Label: "家庭人口数", Type: data.FieldNumber, Required: true}
	fldIncome  = data.FormField{Code: "monthly_income", Label: "家庭月收入（元）", Type: data.FieldNumber, Required: true}
	fldBirth   = data.FormField{Code: "birth_date", Label: "出生日期", Type: data.FieldDate, Required: true}
	fldStart   = data.FormField{Code: "start_date", Label: "起始日期", Type: data.FieldDate, Required: true}
	fldMeals   = data.FormField{Code: "meals", Label: "用餐时段", Type: data.FieldMultiChoice, Required: true, Choices: []string{"午餐", "晚餐"}}
	fldDeliver = data.FormField{Code: "delivery", Label: "是否需要送餐上门", Type: data.FieldChoice, Required: true, Choices: []string{"是", "否"}}
	fldCare    = data.FormField{Code: "care_type", Label: "托育类型", Type: data.FieldChoice, Required: true, Choices: []string{"全日托", "半日托", "临时托"}}
	fldEdu     = data.FormField{Code: "education", Label: "学历", Type: data.FieldChoice, Required: true, Choices: []string{"高中", "中专", "大专", "本科", "研究生"}}
	fldJob     = data.FormField{Code: "employer", Label: "用人单位名称", Type: data.FieldText, Required: true, MaxLen: 100}
	fldServ    = data.FormField{Code: "services", Label: "需要的服务", Type: data.FieldMultiChoice, Required: true, Choices: []string{"助餐", "助浴", "助洁", "助医", "康复护理"}}
	fldDisable = data.FormField{Code: "disability_level", Label: "残疾等级", Type: data.FieldChoice, Required: true, Choices: []string{"一级", "二级", "三级", "四级"}}
)

var svcDefs = []svcDef{
	{
		name: "居住登记（申领居住证）", cat: data.PowerSocial, dept: "天河区来穗人员服务管理局", audience: "来穗人员",
		basis: []string{"《居住证暂行条例》", "《广东省流动人口服务管理条例》"},
		conds: []string{"在{street}辖区内居住的非本市户籍人员", "已办理居住登记，居住满半年的可申领居住证"},
		mats:  []data.Material{matID, matLease, matPhoto},
		steps: []string{"核对居住信息并录入系统", "居住证制证"},
		legal: 15, promised: 10, extra: []data.FormField{fldStart},
		faq:        []data.FAQ{{Q: "居住证有效期多久？", A: "居住证有效期为三年，到期前30日内可申请签注。"}},
		onlineable: true,
	},
	{
		name: "高龄老人津贴申请", cat: data.PowerPublic, dept: "天河区民政局", audience: "年满80周岁的本市户籍老年人",
		basis: []string{"《广州市高龄老人津贴发放办法》"},
		conds: []string{"具有本市户籍且户籍在{street}辖区内", "年满80周岁"},
		mats:  []data.Material{matID, matHukou, matBank, matAgent},
		steps: []string{"社区居委会初审", "街道审核", "区民政局审批"},
		legal: 20, promised: 10, extra: []data.FormField{fldBirth},
		faq:        []data.FAQ{{Q: "高龄津贴从什么时候开始发放？", A: "自申请获批的次月起发放，按月发放至本人社保卡账户。"}},
		onlineable: true,
	},
	{
		name: "城乡居民基本医疗保险参保登记", cat: data.PowerPublic, dept: "天河区医疗保障局", audience: "未参加职工医保的城乡居民",
		basis: []string{"《中华人民共和国社会保险法》", "《广州市城乡居民社会医疗保险办法》"},
		conds: []string{"具有本市户籍或持有本市居住证", "未参加职工基本医疗保险"},
		mats:  []data.Material{matID, matHukou},
		steps: []string{"录入参保信息"},
		legal: 5, promised: 1, onSpot: true,
		faq:        []data.FAQ{{Q: "医疗保险什么时候开始享受待遇？", A: "集中参保期内缴费的，自次年1月1日起享受待遇。"}},
		onlineable: true,
	},
	{
		name: "就业登记", cat: data.PowerPublic, dept: "天河区人力资源和社会保障局", audience: "在本市就业的劳动者",
		basis: []string{"《中华人民共和国就业促进法》", "《就业服务与就业管理规定》"},
		conds: []string{"法定劳动年龄内、已实现就业的劳动者"},
		mats:  []data.Material{matID, matLabour},
		steps: []string{"核验就业信息"},
		legal: 5, promised: 1, onSpot: true, extra: []data.FormField{fldJob, fldStart},
		onlineable: true,
	},
	{
		name: "失业登记", cat: data.PowerPublic, dept: "天河区人力资源和社会保障局", audience: "有劳动能力和就业要求的失业人员",
		basis: []string{"《中华人民共和国就业促进法》"},
		conds: []string{"法定劳动年龄内、有劳动能力和就业要求", "处于无业状态"},
		mats:  []data.Material{matID, mat("解除或终止劳动关系证明", data.FormCopy, false)},
		steps: []string{"核验失业状态"},
		legal: 5, promised: 1, onSpot: true, extra: []data.FormField{fldEdu},
		faq:        []data.FAQ{{Q: "失业登记后可以享受哪些服务？", A: "可免费享受职业介绍、职业指导和职业技能培训，符合条件的可领取失业保险金。"}},
		onlineable: true,
	},
	{
		name: "最低生活保障申请", cat: data.PowerApproval, dept: "天河区民政局", audience: "家庭人均收入低于本市低保标准的居民家庭",
		basis: []string{"《社会救助暂行办法》", "《广东省最低生活保障制度实施办法》"},
		conds: []string{"申请人具有本市户籍且户籍在{street}辖区内", "家庭人均月收入低于本市最低生活保障标准", "家庭财产符合规定"},
		mats:  []data.Material{matID, matHukou, matIncome, mat("家庭经济状况核对授权书", data.FormOriginal, true)},
		steps: []string{"入户调查和家庭经济状况核对", "民主评议并公示7天", "区民政局审批"},
		legal: 30, promised: 20, extra: []data.FormField{fldMembers, fldIncome, fldReason},
	},
	{
		name: "临时救助申请", cat: data.PowerApproval, dept: "天河区民政局", audience: "基本生活暂时出现严重困难的家庭或个人",
		basis: []string{"《社会救助暂行办法》"},
		conds: []string{"因突发事件、意外事故或重大疾病导致基本生活暂时困难", "在{street}辖区内居住"},
		mats:  []data.Material{matID, matHukou, mat("困难情况证明材料", data.FormCopy, true)},
		steps: []string{"街道审核", "区民政局审批"},
		legal: 15, promised: 7, extra: []data.FormField{fldMembers, fldReason},
	},
	{
		name: "困难残疾人生活补贴和重度残疾人护理补贴申请", cat: data.PowerApproval, dept: "天河区残疾人联合会", audience: "持有第二代残疾人证的本市户籍残疾人",
		basis: []string{"《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"},
		conds: []string{"具有本市户籍并持有第二代残疾人证", "属于低保家庭或残疾等级为一、二级"},
		mats:  []data.Material{matID, matDisable, matBank},
		steps: []string{"街道审核", "区残联审批"},
		legal: 20, promised: 15, extra: []data.FormField{fldDisable},
		onlineable: true,
	},
	{
		name: "长者饭堂助餐配餐服务申请", cat: data.PowerPublic, dept: "天河区民政局", audience: "年满60周岁的老年人",
		basis: []string{"《广州市社区居家养老服务管理办法》"},
		conds: []string{"年满60周岁，在{street}辖区内居住"},
		mats:  []data.Material{matID, mat("长者卡", data.FormOriginal, false)},
		steps: []string{"核定助餐补贴类别"},
		legal: 5, promised: 1, onSpot: true, extra: []data.FormField{fldMeals, fldDeliver},
		faq:        []data.FAQ{{Q: "长者饭堂可以送餐上门吗？", A: "行动不便的长者可申请送餐上门，需提前一天预约。"}},
		onlineable: true,
	},
	{
		name: "居家养老服务资助申请", cat: data.PowerPublic, dept: "天河区民政局", audience: "有居家养老服务需求的老年人",
		basis: []string{"《广州市社区居家养老服务管理办法》"},
		conds: []string{"具有本市户籍且在{street}辖区内居住", "经照顾需求等级评估符合资助条件"},
		mats:  []data.Material{matID, matHukou, mat("照顾需求等级评估报告", data.FormCopy, true)},
		steps: []string{"照顾需求等级评估", "街道审核", "区民政局审批"},
		legal: 20, promised: 15, extra: []data.FormField{fldServ},
		onlineable: true,
	},
	{
		name: "普惠托育服务报名", cat: data.PowerPublic, dept: "天河区卫生健康局", audience: "3岁以下婴幼儿家庭",
		basis: []string{"《国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见》"},
		conds: []string{"婴幼儿年龄在6个月至3周岁之间", "家庭在{street}辖区内居住"},
		mats:  []data.Material{matHukou, mat("婴幼儿预防接种证", data.FormCopy, true), mat("婴幼儿体检表", data.FormCopy, true)},
		steps: []string{"托育服务点审核并安排入托"},
		legal: 10, promised: 5, extra: []data.FormField{fldBirth, fldCare},
		onlineable: true,
	},
	{
		name: "征兵报名初审", cat: data.PowerSocial, dept: "天河区人民武装部", audience: "适龄青年",
		basis: []string{"《中华人民共和国兵役法》", "《征兵工作条例》"},
		conds: []string{"年满18至22周岁，大学毕业生可放宽至24周岁", "已在全国征兵网完成网上报名"},
		mats:  []data.Material{matID, matHukou, matDiploma},
		steps: []string{"街道武装部初审", "参加体检和政治考核"},
		legal: 10, promised: 5, extra: []data.FormField{fldBirth, fldEdu},
	},
	{
		name: "对违反生活垃圾分类投放规定行为的处罚", cat: data.PowerEnforcement, dept: "{street}综合行政执法队", audience: "单位和个人",
		basis: []string{"《广州市生活垃圾分类管理条例》"},
		conds: []string{"在{street}辖区内违反生活垃圾分类投放规定"},
		mats:  []data.Material{mat("现场检查笔录", data.FormOriginal, true)},
		steps: []string{"立案调查", "告知陈述申辩权利", "作出处罚决定"},
		legal: 90, promised: 60,
	},
	{
		name: "对占道经营行为的查处", cat: data.PowerEnforcement, dept: "{street}综合行政执法队", audience: "单位和个人",
		basis: []string{"《广州市市容环境卫生管理规定》"},
		conds: []string{"在{street}辖区道路、桥梁、广场等公共场所擅自摆卖"},
		mats:  []data.Material{mat("现场检查笔录", data.FormOriginal, true)},
		steps: []string{"责令改正", "立案调查", "作出处罚决定"},
		legal: 90, promised: 30,
	},
}

var svcHours = []string{
	"周一至周五上午9:00-12:00，下午14:00-17:30（法定节假日除外）",
	"周一至周五上午8:30-12:00，下午14:00-17:30；周六上午9:00-12:00",
	"工作日9:00-18:00，中午不休息",
}

var svcLocations = []string{
	"{street}政务服务中心{n}号窗口",
	"{street}政务服务中心一楼综合窗口",
	"{street}便民服务站",
	"{community}服务站",
}

var svcBroadLocations = []string{
	"{street}党群服务中心一楼政务服务窗口",
	"{community}党群服务中心",
}

// Opening-hours patterns. Spans are minutes after midnight; index 0 is Sunday.
var (
	allDay       = []data.Span{{Start: 0, End: 1440}}
	lunchBreak   = []data.Span{{Start: 540, End: 720}, {Start: 840, End: 1050}}
	satMorning   = []data.Span{{Start: 540, End: 720}}
	mealTimes    = []data.Span{{Start: 660, End: 780}, {Start: 1020, End: 1110}}
	dropOffTimes = []data.Span{{Start: 420, End: 540}, {Start: 1080, End: 1260}}
	clinic       = []data.Span{{Start: 480, End: 720}, {Start: 870, End: 1050}}
)

func daily(start, end int) data.WeekHours {
	s := []data.Span{{Start: start, End: end}}
	return data.WeekHours{s, s, s, s, s, s, s}
}

func weekdays(spans []data.Span, sat []data.Span) data.WeekHours {
	return data.WeekHours{nil, spans, spans, spans, spans, spans, sat}
}

var (
	hours24       = data.WeekHours{allDay, allDay, allDay, allDay, allDay, allDay, allDay}
	hoursShop     = daily(8*60, 21*60)
	hoursLate     = daily(10*60, 22*60)
	hoursBreakfst = daily(6*60+30, 14*60)
	hoursNight    = daily(17*60, 2*60) // runs past midnight
	hoursOffice   = weekdays(lunchBreak, nil)
	hoursOfficeSa = weekdays(lunchBreak, satMorning)
	hoursCanteen  = weekdays(mealTimes, mealTimes)
	hoursNursery  = weekdays([]data.Span{{Start: 450, End: 1080}}, nil)
	hoursCare     = daily(8*60, 18*60)
	hoursClinic   = data.WeekHours{clinic, clinic, clinic, clinic, clinic, clinic, clinic}
	hoursDropOff  = data.WeekHours{dropOffTimes, dropOffTimes, dropOffTimes, dropOffTimes, dropOffTimes, dropOffTimes, dropOffTimes}
	hoursWeekend  = data.WeekHours{{{Start: 540, End: 1020}}, nil, nil, nil, nil, nil, {{Start: 540, End: 1020}}}
)

// provCat is a category of provider listing.
type provCat struct {
	kind     data.ProviderKind
	cat      string
	weight   int
	names    []string
	services []string
	lines    []string
	hours    []data.WeekHours
}

var provCats = []provCat{
	{kind: data.ProviderBusiness, cat: "家政", weight: 8,
		names:    []string{"{surname}记家政服务部", "{brand}家政（{road}店）"},
		services: []string{"日常保洁", "深度保洁", "月嫂育婴", "钟点工", "长者陪护", "开荒保洁", "家电清洗"},
		lines:    []string{"本店提供日常保洁、育婴、护老等家政服务，服务人员均持证上岗并购买意外保险。", "可按小时或按月预约，{road}周边上门免收交通费。", "长者家庭预约陪护服务可享九折优惠。"},
		hours:    []data.WeekHours{hoursShop, hoursCare}},
	{kind: data.ProviderBusiness, cat: "维修", weight: 8,
		names:    []string{"{surname}师傅家电维修", "{brand}水电维修部"},
		services: []string{"空调清洗", "洗衣机维修", "热水器维修", "冰箱维修", "水电安装", "管道疏通", "防水补漏"},
		lines:    []string{"从事家电和水电维修二十余年，明码标价，维修后保修三个月。", "接到报修后一小时内上门，{road}一带随叫随到。", "更换配件均提供正规发票和配件包装。"},
		hours:    []data.WeekHours{hoursShop, hoursLate}},
	{kind: data.ProviderBusiness, cat: "开锁配匙", weight: 4,
		names:    []string{"{road}开锁配匙店", "{surname}记开锁"},
		services: []string{"开锁", "配钥匙", "换锁芯", "安装智能门锁", "汽车钥匙"},
		lines:    []string{"本店已在公安机关备案，开锁须出示身份证明并登记。", "二十四小时上门开锁服务，夜间加收少量上门费。"},
		hours:    []data.WeekHours{hours24}},
	{kind: data.ProviderBusiness, cat: "洗衣", weight: 4,
		names:    []string{"{brand}洗衣（{road}店）", "{surname}记干洗店"},
		services: []string{"干洗", "水洗", "皮具护理", "窗帘清洗", "上门收送"},
		lines:    []string{"提供衣物干洗、水洗和皮具护理，三天取件，加急当天可取。", "满三件可免费上门收送，覆盖{community}及周边小区。"},
		hours:    []data.WeekHours{hoursShop}},
	{kind: data.ProviderBusiness, cat: "理发", weight: 5,
		names:    []string{"{surname}记理发店", "{brand}发型屋"},
		services: []string{"剪发", "长者优惠理发", "上门理发", "染发", "儿童理发"},
		lines:    []string{"六十岁以上长者理发每次优惠五元，每月第一个周三为长者义剪日。", "卧床长者可预约师傅上门理发。"},
		hours:    []data.WeekHours{hoursLate}},
	{kind: data.ProviderBusiness, cat: "药店", weight: 6,
		names:    []string{"{brand}大药房（{road}店）", "{brand}医药连锁{community}店"},
		services: []string{"处方药", "非处方药", "医保刷卡", "血压测量", "中药代煎", "送药上门"},
		lines:    []string{"本店为医保定点零售药店，支持医保电子凭证结算。", "执业药师全天在岗，提供用药咨询和免费测量血压。", "慢性病患者可预约送药上门。"},
		hours:    []data.WeekHours{hours24, hoursShop, hoursLate}},
	{kind: data.ProviderBusiness, cat: "餐饮", weight: 8,
		names:    []string{"{surname}记肠粉", "{surname}记粥粉面", "{surname}记宵夜", "{brand}茶餐厅"},
		services: []string{"肠粉", "艇仔粥", "云吞面", "烧腊饭", "早茶", "外卖配送"},
		lines:    []string{"街坊老字号，每日新鲜现做，肠粉、艇仔粥是招牌。", "店内已通过食品安全量化分级评定，后厨明厨亮灶。", "支持外卖平台下单，{road}周边三公里内配送。"},
		hours:    []data.WeekHours{hoursBreakfst, hoursNight, hoursLate}},
	{kind: data.ProviderBusiness, cat: "便利店", weight: 6,
		names:    []string{"{brand}便利店（{road}店）", "{surname}记士多"},
		services: []string{"日用百货", "饮料零食", "快递代收", "充值缴费", "鲜食热饮"},
		lines:    []string{"二十四小时营业，提供日用百货、鲜食和代收快递服务。", "可代缴水电燃气费和手机话费。"},
		hours:    []data.WeekHours{hours24, hoursShop}},
	{kind: data.ProviderBusiness, cat: "打印复印", weight: 3,
		names:    []string{"{brand}图文快印", "{surname}记复印店"},
		services: []string{"复印", "打印", "证件照", "过塑", "扫描"},
		lines:    []string{"提供办事材料复印打印、证件照拍摄，现场立等可取。", "身份证、户口本复印每张五角。"},
		hours:    []data.WeekHours{hoursShop, hoursOfficeSa}},
	{kind: data.ProviderOrganisation, cat: "长者饭堂", weight: 7,
		names:    []string{"{community}长者饭堂", "{street}长者饭堂（{road}点）"},
		services: []string{"午餐", "晚餐", "送餐上门", "助餐补贴", "节日加餐"},
		lines:    []string{"面向辖区60岁以上长者提供午餐和晚餐，每餐两荤一素一汤。", "低保、特困和高龄长者按规定享受助餐补贴，凭长者卡刷卡就餐。", "行动不便的长者可预约送餐上门。"},
		hours:    []data.WeekHours{hoursCanteen}},
	{kind: data.ProviderOrganisation, cat: "社工服务", weight: 5,
		names:    []string{"{street}社会工作服务站", "{community}社工服务点"},
		services: []string{"个案辅导", "长者关爱", "青少年成长", "家庭支援", "志愿者培训", "残障人士支援"},
		lines:    []string{"由专业社工团队运营，为辖区长者、青少年、困难家庭提供个案辅导和小组活动。", "每月举办亲子活动和长者生日会，欢迎居民报名参加。"},
		hours:    []data.WeekHours{hoursOffice, hoursOfficeSa}},
	{kind: data.ProviderOrganisation, cat: "托育", weight: 4,
		names:    []string{"{community}普惠托育服务点", "{brand}托育中心（{road}园）"},
		services: []string{"全日托", "半日托", "临时托", "亲子活动", "育儿指导"},
		lines:    []string{"面向3岁以下婴幼儿提供普惠托育服务，保育人员均持证上岗。", "园内设有独立的睡眠室、盥洗室和户外活动场地。"},
		hours:    []data.WeekHours{hoursNursery}},
	{kind: data.ProviderOrganisation, cat: "居家养老", weight: 4,
		names:    []string{"{street}颐康中心", "{community}颐康服务站"},
		services: []string{"日间照料", "康复护理", "助浴", "上门探访", "家庭养老床位", "助医陪诊"},
		lines:    []string{"提供日间照料、康复护理和上门探访服务，为失能长者设置家庭养老床位。", "康复室配备理疗设备，由专业康复师指导训练。"},
		hours:    []data.WeekHours{hoursCare}},
	{kind: data.ProviderOrganisation, cat: "志愿服务", weight: 3,
		names:    []string{"{community}志愿服务队", "{street}青年志愿者协会"},
		services: []string{"长者探访", "义务维修", "垃圾分类督导", "文明交通劝导", "义诊"},
		lines:    []string{"每周末组织志愿者开展长者探访、义务维修和社区清洁活动。", "欢迎居民加入志愿服务队，服务时长可记入个人志愿服务记录。"},
		hours:    []data.WeekHours{hoursWeekend}},
	{kind: data.ProviderConvenience, cat: "社区卫生", weight: 6,
		names:    []string{"{community}社区卫生服务站", "{street}社区卫生服务中心"},
		services: []string{"全科门诊", "预防接种", "慢病管理", "家庭医生签约", "老年人体检", "中医理疗"},
		lines:    []string{"提供全科门诊、预防接种、慢病管理和家庭医生签约服务，看病可使用医保。", "65岁以上老年人每年可免费体检一次。"},
		hours:    []data.WeekHours{hoursClinic, hoursOfficeSa}},
	{kind: data.ProviderConvenience, cat: "便民服务站", weight: 5,
		names:    []string{"{community}便民服务站", "{road}政务自助服务点"},
		services: []string{"居住登记", "社保查询", "证明开具", "政务自助", "医保参保", "高龄津贴申请"},
		lines:    []string{"可办理居住登记、社保医保查询和各类证明开具，部分事项可即来即办。", "设有政务自助服务机，可打印社保缴费证明和个人信用报告。"},
		hours:    []data.WeekHours{hoursOffice, hoursOfficeSa}},
	{kind: data.ProviderConvenience, cat: "垃圾分类回收点", weight: 4,
		names:    []string{"{community}垃圾分类回收站", "{road}{num}号定时定点投放点"},
		services: []string{"可回收物回收", "有害垃圾收集", "大件垃圾预约", "积分兑换"},
		lines:    []string{"按垃圾分类要求设置四类收集容器，投放时段有督导员值守。", "可回收物按重量积分，积分可兑换日用品。"},
		hours:    []data.WeekHours{hoursDropOff}},
	{kind: data.ProviderConvenience, cat: "自助图书馆", weight: 2,
		names:    []string{"{road}自助图书馆", "{community}城市书房"},
		services: []string{"借书", "还书", "阅读空间", "电子书下载"},
		lines:    []string{"凭读者证或社保卡即可自助借还图书，与区图书馆通借通还。"},
		hours:    []data.WeekHours{hours24}},
	{kind: data.ProviderConvenience, cat: "充电点", weight: 3,
		names:    []string{"{road}电动自行车集中充电点", "{community}智能充电站"},
		services: []string{"电动自行车充电", "扫码支付", "充满自停"},
		lines:    []string{"配备充满自停和过载保护装置，设有视频监控和灭火器材。", "请勿将电池带回家中充电，规范充电人人有责。"},
		hours:    []data.WeekHours{hours24}},
}

var provLines = []string{
	"地址：{here}，联系电话{phone}。",
	"欢迎{community}及周边居民前来咨询。",
	"已在{street}登记备案，接受居民监督。",
	"如对服务有意见，可向{community}居委会反映或拨打12345热线。",
	"节假日营业时间如有调整，将在门口提前公告。",
}

var provBroadLines = []string{
	"本服务点设在{community}党群服务中心一楼，进门右转即到。",
	"已加入{street}党群服务中心便民服务联盟，持居民服务卡可享优惠。",
}

// consSubject is the subject of a consultation.
type consSubject struct {
	name   string // completes "关于{community}…的意见征集"
	intro  []string
	lines  []string
	topics [][2]string // title, summary
}

var consSubjects = []consSubject{
	{name: "老旧小区改造方案",
		intro:  []string{"为改善居住环境，{street}拟对{community}实施老旧小区改造，现将改造方案向居民公开征求意见。"},
		lines:  []string{"改造范围涉及{road}{num}号至{num2}号共{n}栋住宅。", "方案包括外立面整治、雨污分流、增设停车位和无障碍通道。", "改造资金由政府投入为主，业主可自愿出资提升改造内容。"},
		topics: [][2]string{{"外立面整治", "外墙翻新和空调机位规范"}, {"停车位设置", "小区内新增停车位的位置和数量"}, {"绿化提升", "拆除违建后的绿化和休闲空间"}, {"加装电梯", "具备条件楼栋加装电梯的方式"}}},
	{name: "长者饭堂选址",
		intro:  []string{"为解决辖区长者就餐难问题，{street}拟在{community}新设长者饭堂，现就选址和服务内容征求意见。"},
		lines:  []string{"初步选址为{road}{num}号首层，面积约{count}平方米。", "饭堂拟提供午餐和晚餐，并为行动不便长者提供送餐上门服务。", "餐标拟定为每餐{meal}元，符合条件的长者享受助餐补贴。"},
		topics: [][2]string{{"饭堂选址", "首层铺位的位置是否方便长者"}, {"开餐时段", "午餐和晚餐的供应时间"}, {"餐标与菜式", "每餐价格和菜式搭配"}}},
	{name: "垃圾分类投放点设置",
		intro:  []string{"为推进定时定点分类投放，{community}拟调整生活垃圾分类投放点，现征求居民意见。"},
		lines:  []string{"拟将{road}{num}号楼下投放点迁移至小区东门，并增设洗手池和除臭设施。", "投放时段拟定为早上7:00至9:00、晚上18:00至21:00。", "大件垃圾拟每周六集中清运一次。"},
		topics: [][2]string{{"投放点位置", "新投放点的位置和数量"}, {"投放时段", "早晚投放时间安排"}, {"误时投放", "错过时段时的投放办法"}}},
	{name: "电动自行车充电点建设",
		intro:  []string{"为消除电动自行车入户充电的消防安全隐患，{community}拟建设集中充电点，现征求意见。"},
		lines:  []string{"拟在{road}{num}号旁空地建设充电车棚，设{count}个充电位。", "充电点配备充满自停、烟感报警和视频监控设施。", "收费标准拟参照全市同类充电点价格执行。"},
		topics: [][2]string{{"选址", "充电车棚的位置"}, {"收费标准", "充电收费方式和价格"}, {"管理方式", "日常管理和安全巡查安排"}}},
	{name: "口袋公园建设",
		intro:  []string{"为增加居民休闲空间，{street}拟利用{road}沿线闲置地块建设口袋公园，现公开征求意见。"},
		lines:  []string{"公园面积约{count}平方米，拟设置儿童游乐区、长者健身区和休憩座椅。", "建成后由{street}负责日常养护。", "施工期预计{months}个月。"},
		topics: [][2]string{{"功能分区", "儿童、长者活动区的布局"}, {"健身器材", "健身器材的种类"}, {"开放时间", "夜间照明和开放时间"}}},
}

var consLines = []string{
	"居民可通过街镇通自助终端、“{street}”微信公众号或书面形式提出意见。",
	"书面意见请投递至{community}居委会意见箱，并注明联系方式。",
	"征集结束后，街道将对意见进行汇总研究，并公开采纳情况。",
	"征集期间，{community}居委会将组织居民代表座谈会，时间另行通知。",
}

var consBroadLines = []string{
	"书面意见也可交到{community}党群服务中心前台，工作人员代为登记。",
	"方案展板在{street}党群服务中心一楼展出，欢迎居民现场查看。",
}

var feedbackReasons = map[data.Outcome][]string{
	data.OutcomeAdopted:    {"意见合理可行，已纳入实施方案。", "多数居民支持，按意见调整方案。"},
	data.OutcomePartly:     {"部分意见已采纳，其余受场地条件限制暂不实施。", "综合考虑资金和工期，分期落实。"},
	data.OutcomeNotAdopted: {"经评估不符合消防和规划要求，不予采纳。", "与多数居民意见不一致，维持原方案。"},
}
