package ime

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// rankOf is the 1-based position of word among the first n candidates of
// input, or 0.
func rankOf(d *Dict, input, word string, n int) int {
	for i, c := range d.Lookup(input, 0, n) {
		if c.Text == word && c.Letters == len(input) {
			return i + 1
		}
	}
	return 0
}

func texts(cs []Candidate) string {
	var b []string
	for _, c := range cs {
		b = append(b, c.Text)
	}
	return strings.Join(b, " ")
}

// Words residents type at a street kiosk, with their full pinyin: each
// must be among the first five candidates.
var kioskWords = []struct{ pinyin, word string }{
	{"banshi", "办事"},
	{"shenfenzheng", "身份证"},
	{"juzhuzheng", "居住证"},
	{"yibao", "医保"},
	{"tousu", "投诉"},
	{"jianyi", "建议"},
	{"shequ", "社区"},
	{"laonianren", "老年人"},
	{"butie", "补贴"},
	{"weixiu", "维修"},
	{"juweihui", "居委会"},
	{"jiedao", "街道"},
	{"hukou", "户口"},
	{"shebao", "社保"},
	{"dibao", "低保"},
	{"canjiren", "残疾人"},
	{"yanglao", "养老"},
	{"zixun", "咨询"},
	{"qiuzhu", "求助"},
	{"jubao", "举报"},
	{"yijian", "意见"},
	{"yuyue", "预约"},
	{"dengji", "登记"},
	{"zhengming", "证明"},
	{"kuaidi", "快递"},
	{"jiazheng", "家政"},
	{"tuoyu", "托育"},
	{"yiyuan", "医院"},
	{"yaodian", "药店"},
	{"tingche", "停车"},
	{"banli", "办理"},
	{"shenqing", "申请"},
	{"huji", "户籍"},
	{"zhanghu", "账户"},
	{"shouji", "手机"},
	{"dianhua", "电话"},
	{"dizhi", "地址"},
	{"xingming", "姓名"},
	{"chuzuwu", "出租屋"},
	{"wuye", "物业"},
	{"zhangzhe", "长者"},
	{"jiuye", "就业"},
	{"yinhang", "银行"},
	{"jiaotong", "交通"},
	{"lajifenlei", "垃圾分类"},
	{"hunyindengji", "婚姻登记"},
	{"loushui", "漏水"},
	{"haizhu", "海珠"},
	{"panyu", "番禺"},
	{"yiwangtongban", "一网通办"},
	{"zhangzhefantang", "长者饭堂"},
	{"gongjijin", "公积金"},
	{"paichusuo", "派出所"},
}

func TestKioskWordsRankInFirstFive(t *testing.T) {
	d := Default()
	for _, tc := range kioskWords {
		if r := rankOf(d, tc.pinyin, tc.word, 5); r == 0 {
			t.Errorf("%s: %s not in the first five: %s", tc.pinyin, tc.word, texts(d.Lookup(tc.pinyin, 0, 5)))
		}
	}
}

func TestFirstCandidate(t *testing.T) {
	d := Default()
	for _, tc := range []struct{ input, want string }{
		{"banshi", "办事"},
		{"shenfenzheng", "身份证"},
		{"sfz", "身份证"},
		{"jwh", "居委会"},
		{"lnr", "老年人"},
		{"shenf", "身份"},
		{"xi'an", "西安"},
		{"fangan", "方案"},
		{"banshizhinan", "办事指南"},
		{"woyaobanli", "我要办理"},
		{"lue", "略"},
		{"lve", "略"},
		{"zhon", "中"},
		{"ban", "办"},
	} {
		got := d.Lookup(tc.input, 0, 1)
		if len(got) == 0 || got[0].Text != tc.want {
			t.Errorf("%s: first candidate %q, want %s (first ten: %s)", tc.input, texts(got), tc.want, texts(d.Lookup(tc.input, 0, 10)))
		}
	}
}

func TestInitialsRankInFirstFive(t *testing.T) {
	d := Default()
	for _, tc := range []struct{ input, word string }{
		{"sfz", "身份证"},
		{"jzz", "居住证"},
		{"jwh", "居委会"},
		{"lnr", "老年人"},
		{"cjr", "残疾人"},
		{"yb", "医保"},
		{"sq", "社区"},
		{"jy", "建议"},
		{"bszn", "办事指南"},
	} {
		if r := rankOf(d, tc.input, tc.word, 5); r == 0 {
			t.Errorf("%s: %s not in the first five: %s", tc.input, tc.word, texts(d.Lookup(tc.input, 0, 5)))
		}
	}
}

func TestCommitPartLeavesTheRest(t *testing.T) {
	d := Default()
	in := "banshizhinan"
	var banshi *Candidate
	for page := 0; banshi == nil; page++ {
		cs := d.Lookup(in, page, 8)
		if cs == nil {
			t.Fatalf("办事 not among the candidates of %s", in)
		}
		for i := range cs {
			if cs[i].Text == "办事" {
				banshi = &cs[i]
				break
			}
		}
	}
	rest := Rest(in, *banshi)
	if rest != "zhinan" {
		t.Fatalf("rest after 办事 = %q, want zhinan", rest)
	}
	if got := d.Lookup(rest, 0, 1); len(got) != 1 || got[0].Text != "指南" {
		t.Errorf("first candidate of %s = %s, want 指南", rest, texts(got))
	}
	if got := Rest("xi'an", Candidate{Text: "西", Letters: 2}); got != "an" {
		t.Errorf("rest of xi'an after 西 = %q, want an", got)
	}
}

func TestPaging(t *testing.T) {
	d := Default()
	const per = 6
	total := d.Total("shi")
	if total < 3*per {
		t.Fatalf("shi has only %d candidates", total)
	}
	seen := map[string]bool{}
	n := 0
	for page := 0; ; page++ {
		cs := d.Lookup("shi", page, per)
		if cs == nil {
			break
		}
		if len(cs) > per {
			t.Fatalf("page %d has %d candidates", page, len(cs))
		}
		for _, c := range cs {
			if seen[c.Text] {
				t.Errorf("%s on two pages", c.Text)
			}
			seen[c.Text] = true
			n++
		}
	}
	if n != total {
		t.Errorf("pages held %d candidates, Total says %d", n, total)
	}
	if d.Lookup("shi", -1, per) != nil || d.Lookup("shi", 0, 0) != nil {
		t.Error("a negative page or an empty page size gave candidates")
	}
}

func TestOddInput(t *testing.T) {
	d := Default()
	for _, in := range []string{"", "Ban", "ban shi", "办事", "ban1"} {
		if got := d.Lookup(in, 0, 5); got != nil {
			t.Errorf("%q gave %s", in, texts(got))
		}
	}
	// Letters that are not pinyin are offered as typed.
	if got := d.Lookup("iphone", 0, 5); len(got) != 1 || got[0].Text != "iphone" {
		t.Errorf("iphone gave %s", texts(got))
	}
	if got := d.Segment("banshizhinan"); got != "ban'shi'zhi'nan" {
		t.Errorf("Segment(banshizhinan) = %s", got)
	}
	if got := d.Segment("sfz"); got != "s'f'z" {
		t.Errorf("Segment(sfz) = %s", got)
	}
}

func TestLoadRejectsBadIndex(t *testing.T) {
	if _, err := Load([]byte("not gzip")); err == nil {
		t.Error("Load accepted a file that is not gzip")
	}
}

// TestDictionaryMemory measures the heap the loaded dictionary keeps
// (issue 8: at most 30 MB).
func TestDictionaryMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := Load(dictGz)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	t.Logf("dictionary: %d syllables, %d entries, %.1f MB of heap, index file %.2f MB",
		d.Syllables(), d.Entries(), mb, float64(len(dictGz))/(1<<20))
	if mb > 30 {
		t.Errorf("dictionary holds %.1f MB, more than 30", mb)
	}
	runtime.KeepAlive(d)
}

// BenchmarkPinyinLookup is one keystroke: the first page of candidates for
// a new input, typed letter by letter over kiosk words, abbreviations and a
// sentence.
func BenchmarkPinyinLookup(b *testing.B) {
	d := Default()
	var inputs []string
	for _, s := range []string{"shenfenzheng", "banshizhinan", "sfz", "laonianrenbutie", "woxiangbanlijuzhuzheng", "jwh", "s"} {
		for i := 1; i <= len(s); i++ {
			inputs = append(inputs, s[:i])
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		in := inputs[i%len(inputs)]
		d.mu.Lock()
		d.lastInput = "" // every keystroke is a new input
		d.mu.Unlock()
		if d.Lookup(in, 0, 8) == nil {
			b.Fatalf("no candidates for %s", in)
		}
	}
}

// BenchmarkWorstKeystroke times the slowest inputs alone.
func BenchmarkWorstKeystroke(b *testing.B) {
	d := Default()
	for _, in := range []string{"s", "sh", "zzzzzz", "woxiangbanlijuzhuzheng"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				d.mu.Lock()
				d.lastInput = ""
				d.mu.Unlock()
				d.Lookup(in, 0, 8)
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(dictGz); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleDict_Lookup() {
	d := Default()
	in := "banshizhinan"
	c := d.Lookup(in, 0, 3)
	fmt.Println(texts(c))
	fmt.Println(Rest(in, d.Lookup(in, 0, 2)[1]))
	// Output:
	// 办事指南 办事 班师
	// zhinan
}

// FuzzLookup: any input gives candidates that stand for a start of it,
// and never a panic.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"banshi", "sfz", "xi'an", "''", "a'", "'a", "zzzzzzzzzzzzzz", "lve", "nvxu", "iphone", "shenfenzhengbanshizhinanjuweihui"} {
		f.Add(s)
	}
	d := Default()
	f.Fuzz(func(t *testing.T, in string) {
		for _, c := range d.Lookup(in, 0, 10) {
			if c.Letters <= 0 || c.Letters > len(in) || c.Text == "" {
				t.Fatalf("%q: candidate %+v", in, c)
			}
			if rest := Rest(in, c); len(rest) >= len(in) {
				t.Fatalf("%q: committing %s leaves %q", in, c.Text, rest)
			}
		}
		_ = d.Segment(in)
	})
}

// TestFuzzy: the confusions of southern speakers find the word, below
// the exact readings, and can be turned off.
func TestFuzzy(t *testing.T) {
	d, err := Load(dictGz)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ input, want string }{
		{"senfenzen", "身份证"},          // s/sh, en/eng
		{"yanlao", "养老"},              // an/ang
		{"censi", "沉思"},               // c/ch
		{"suazi", "刷子"},               // sua is no syllable, shua is
		{"linju", "邻居"},               // exact
		{"laolianren", "老年人"},         // n/l
		{"huli", "护理"},                // exact before fuzzy 福利
		{"shequ", "社区"},               // exact
		{"sequ", "社区"},                // s/sh
		{"jumin", "居民"},               // exact
		{"jumingweiyuanhui", "居民委员会"}, // in/ing
	} {
		if got := d.Lookup(tc.input, 0, 1); len(got) == 0 || got[0].Text != tc.want {
			t.Errorf("%s: first %s, want %s", tc.input, texts(d.Lookup(tc.input, 0, 5)), tc.want)
		}
	}
	if got := d.Lookup("lan", 0, 1); len(got) == 0 || got[0].Text != "蓝" {
		t.Errorf("lan: exact 蓝 not first: %s", texts(d.Lookup("lan", 0, 5)))
	}
	d.SetFuzzy(false)
	for _, c := range d.Lookup("senfenzen", 0, 20) {
		if c.Text == "身份证" {
			t.Error("fuzzy off, senfenzen still gives 身份证")
		}
	}
}
