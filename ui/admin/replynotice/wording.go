package replynotice

import "jiezhen/data"

// Wording is what a 告知书 says for one reply type: the decision in the
// standard words of 《中华人民共和国政府信息公开条例》 (2019) 第三十六条 and
// the provisions it rests on.
type Wording struct {
	// Decision is the answer's paragraph, addressed to the applicant.
	Decision string
	// Basis cites the article and item of the regulations.
	Basis string
}

// regulation is how the 告知书 names the regulations.
const regulation = "《中华人民共和国政府信息公开条例》"

// wordings has one entry per data.ReplyType; a test checks every type
// has one.
var wordings = map[data.ReplyType]Wording{
	data.ReplyAlreadyPublic: {
		Decision: "您申请获取的政府信息已经主动公开，可以通过本告知书所列的方式、途径获取。",
		Basis:    regulation + "第三十六条第（一）项",
	},
	data.ReplyDisclosed: {
		Decision: "您申请获取的政府信息属于可以公开的范围，本机关予以公开，现按本告知书所列的方式、途径和时间向您提供。",
		Basis:    regulation + "第三十六条第（二）项",
	},
	data.ReplyNotDisclosed: {
		Decision: "您申请获取的政府信息依法不予公开，理由见本告知书。",
		Basis:    regulation + "第三十六条第（三）项，第十四条、第十五条、第十六条",
	},
	data.ReplyNotExist: {
		Decision: "经检索，本机关没有您申请公开的政府信息，该政府信息不存在。",
		Basis:    regulation + "第三十六条第（四）项",
	},
	data.ReplyNotHeld: {
		Decision: "您申请公开的政府信息不属于本机关负责公开，理由及负责公开的行政机关（能够确定的）见本告知书。",
		Basis:    regulation + "第三十六条第（五）项",
	},
	data.ReplyRepeat: {
		Decision: "本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同政府信息，本机关不予重复处理。",
		Basis:    regulation + "第三十六条第（六）项",
	},
	data.ReplyRegistration: {
		Decision: "您申请公开的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定，请依照有关法律、行政法规的规定办理。",
		Basis:    regulation + "第三十六条第（七）项",
	},
	// The reasons and cases the annual report's table counts apart
	// (data.ReplyType.Result).
	data.ReplyPartlyDisclosed: {
		Decision: "您申请获取的政府信息中含有依法不应当公开的内容，本机关对可以公开的部分予以公开，对不应当公开的部分作区分处理，理由见本告知书。",
		Basis:    regulation + "第三十六条第（二）项、第（三）项，第三十七条",
	},
	data.ReplyWithheldSecret: {
		Decision: "您申请获取的政府信息属于国家秘密，依法不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十四条",
	},
	data.ReplyWithheldLaw: {
		Decision: "您申请获取的政府信息属于法律、行政法规禁止公开的信息，依法不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十四条",
	},
	data.ReplyWithheldSafety: {
		Decision: "您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，依法不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十四条",
	},
	data.ReplyWithheldThirdParty: {
		Decision: "您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，依法不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十五条",
	},
	data.ReplyWithheldInternal: {
		Decision: "您申请获取的政府信息属于人事管理、后勤管理、内部工作流程等内部事务信息，本机关不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十六条第一款",
	},
	data.ReplyWithheldProcess: {
		Decision: "您申请获取的政府信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息，本机关不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十六条第二款",
	},
	data.ReplyWithheldEnforcement: {
		Decision: "您申请获取的政府信息属于行政执法案卷信息，本机关不予公开。",
		Basis:    regulation + "第三十六条第（三）项，第十六条第二款",
	},
	data.ReplyWithheldQuery: {
		Decision: "您申请获取的信息属于行政查询事项，有关法律、行政法规对信息的获取有特别规定，请依照有关法律、行政法规的规定办理。",
		Basis:    regulation + "第三十六条第（七）项",
	},
	data.ReplyNeedsMaking: {
		Decision: "本机关没有现成的您申请获取的政府信息，提供需要对现有政府信息进行加工、分析或者另行制作，本机关不予提供。",
		Basis:    regulation + "第三十六条，第三十八条",
	},
	data.ReplyUnclear: {
		Decision: "您的申请经补正后内容仍不明确，本机关无法确定您所需的政府信息，无法提供。",
		Basis:    regulation + "第三十六条，第二十九条、第三十条",
	},
	data.ReplyPetition: {
		Decision: "您的申请实为信访、投诉、举报等诉求，请通过相应渠道提出，本机关不作为政府信息公开申请处理。",
		Basis:    regulation + "第三十六条，第三十九条第一款",
	},
	data.ReplyPublication: {
		Decision: "您要求提供的是政府公报、报刊、书籍等公开出版物，请通过获取公开出版物的途径获取，本机关不作为政府信息公开申请处理。",
		Basis:    regulation + "第三十六条，第三十九条第二款",
	},
	data.ReplyExcessive: {
		Decision: "您申请公开政府信息的数量、频次明显超过合理范围，且未说明理由或者理由不合理，本机关不予处理。",
		Basis:    regulation + "第三十六条，第三十五条",
	},
	data.ReplyConfirm: {
		Decision: "您要求本机关确认或者重新出具已获取的信息，本机关不作为政府信息公开申请处理。",
		Basis:    regulation + "第三十六条，第三十九条第二款",
	},
	data.ReplyNoCorrection: {
		Decision: "您无正当理由逾期未补正申请，视为放弃申请，本机关不再处理您的政府信息公开申请。",
		Basis:    regulation + "第三十六条，第三十条",
	},
	data.ReplyUnpaid: {
		Decision: "您逾期未按收费通知要求缴纳信息处理费，视为放弃申请，本机关不再处理您的政府信息公开申请。",
		Basis:    regulation + "第三十六条，第四十二条",
	},
	data.ReplyOther: {
		Decision: "本机关对您的政府信息公开申请作出如下处理，理由见本告知书。",
		Basis:    regulation + "第三十六条",
	},
}

// WordingOf is the wording of a reply type; ok is false for a type
// without one.
func WordingOf(t data.ReplyType) (Wording, bool) {
	w, ok := wordings[t]
	return w, ok
}
