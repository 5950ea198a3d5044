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
}

// WordingOf is the wording of a reply type; ok is false for a type
// without one.
func WordingOf(t data.ReplyType) (Wording, bool) {
	w, ok := wordings[t]
	return w, ok
}
