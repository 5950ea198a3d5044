// Package synth generates a deterministic synthetic set of street content
// (notices, catalogue entries, service guides, provider listings and
// consultations) with realistic Chinese text, for the store's benchmarks and
// for scale tests of the kiosk UI.
//
// The text is composed from vocabularies of Guangzhou streets, communities,
// roads, agencies and topics and from sentence templates, so that term and
// trigram statistics resemble real street content. Generation is
// deterministic for a seed and does not depend on the number of CPUs: the
// records are made in blocks of 100, each from its own random stream, and the
// blocks are spread over the available cores.
package synth

import (
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"math/rand/v2"

	"jiezhen/data"
)

// blockSize is the number of records made from one random stream. Within a
// block the kinds follow kindQuota exactly, in shuffled order.
const blockSize = 100

// kindQuota is the number of records of each kind in a block of blockSize.
var kindQuota = []struct {
	kind   data.Kind
	prefix byte
	count  int
}{
	{data.KindNotice, 'n', 35},
	{data.KindCatalog, 'c', 25},
	{data.KindService, 's', 10},
	{data.KindProvider, 'p', 28},
	{data.KindConsultation, 'q', 2},
}

// Changes returns n upsert changes with Seq 1..n, Version 1, a realistic mix of kinds
// (roughly: 35% notices, 25% catalog entries, 10% service items, 28% providers, 2% consultations),
// street codes spread over a few streets (most "440106005"), bodies ~100-300 Chinese characters.
func Changes(n int, seed int64) []data.Change {
	if n <= 0 {
		return nil
	}
	out := make([]data.Change, n)
	blocks := (n + blockSize - 1) / blockSize
	workers := min(runtime.GOMAXPROCS(0), blocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			g := newGen()
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				g.block(out, b, seed)
			}
		})
	}
	wg.Wait()
	return out
}

// Queries returns search terms that hit the generated set: long ones of 3+ characters
// (e.g. 居住登记, 长者饭堂, 垃圾分类, 老旧小区, 社区卫生) and short ones of 1-2 characters (e.g. 医, 社区, 补贴).
func Queries() (long, short []string) {
	long = []string{"居住登记", "长者饭堂", "垃圾分类", "老旧小区", "社区卫生", "高龄津贴", "消防安全", "医疗保险", "居委会", "天河南街道"}
	short = []string{"医", "社区", "补贴", "停水", "就业", "托育", "台风", "征兵", "饭", "药"}
	return long, short
}

// BroadQuery returns one 3+ character term that occurs in about a third of all generated records.
func BroadQuery() string { return broadTerm }

// gen makes records. Each worker has its own.
type gen struct {
	src *rand.PCG
	r   *rand.Rand
	b   strings.Builder
	ids []byte

	// The context of the record being made.
	st      *street
	comm    string
	road    string
	pub     data.Date
	date    data.Date // the event date of {date}
	date2   data.Date
	clock   int // minutes of {time}
	num     int
	bldg    int
	broad   bool
	here    string // {here}: the provider's address
	org     string // {org}: the publisher
	plan    string // {plan}
	kinds   [blockSize]int
	lineIdx [16]int
}

func newGen() *gen {
	src := rand.NewPCG(0, 0)
	g := &gen{src: src, r: rand.New(src)}
	g.b.Grow(1024)
	return g
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// block fills out[b*blockSize:] up to the block's end or len(out).
func (g *gen) block(out []data.Change, b int, seed int64) {
	s := splitmix(uint64(seed))
	g.src.Seed(s, splitmix(s^uint64(b)))
	k := 0
	for qi, q := range kindQuota {
		for range q.count {
			g.kinds[k] = qi
			k++
		}
	}
	g.r.Shuffle(blockSize, func(i, j int) { g.kinds[i], g.kinds[j] = g.kinds[j], g.kinds[i] })
	start := b * blockSize
	end := min(start+blockSize, len(out))
	for i := start; i < end; i++ {
		out[i] = g.record(int64(i+1), g.kinds[i-start])
	}
}

var pubBase = data.Date{Year: 2023, Month: 1, Day: 1}

func (g *gen) record(seq int64, qi int) data.Change {
	q := kindQuota[qi]
	g.ids = append(g.ids[:0], "syn-"...)
	g.ids = append(g.ids, q.prefix, '-')
	if seq < 1e6 {
		g.ids = appendPad(g.ids, int(seq), 6)
	} else {
		g.ids = strconv.AppendInt(g.ids, seq, 10)
	}
	id := string(g.ids)

	// The shared context.
	w := g.r.IntN(100)
	for i := range streets {
		if w < streets[i].weight || i == len(streets)-1 {
			g.st = &streets[i]
			break
		}
		w -= streets[i].weight
	}
	g.comm = pick(g.r, g.st.comms)
	g.road = pick(g.r, g.st.roads)
	g.pub = pubBase.AddDays(g.r.IntN(3 * 365))
	g.date = g.pub.AddDays(3 + g.r.IntN(18))
	g.date2 = g.date.AddDays(7 + g.r.IntN(24))
	g.clock = 8*60 + 30 + 30*g.r.IntN(18) // 8:30 to 17:00
	g.broad = g.r.Float64() < broadShare

	var v any
	switch q.kind {
	case data.KindNotice:
		v = g.notice(id)
	case data.KindCatalog:
		v = g.catalog(id)
	case data.KindService:
		v = g.service(id)
	case data.KindProvider:
		v = g.provider(id)
	case data.KindConsultation:
		v = g.consultation(id)
	}
	body, err := json.Marshal(v)
	if err != nil {
		panic("synth: " + err.Error())
	}
	return data.Change{Seq: seq, Kind: q.kind, ID: id, Op: data.OpUpsert, Version: 1, Body: body}
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// fill expands the template and returns it as a new string.
func (g *gen) fill(tpl string) string {
	g.write(tpl)
	return g.take()
}

// take returns what was written since the last take.
func (g *gen) take() string {
	s := g.b.String()
	g.b.Reset()
	return s
}

// write expands the template tpl into the builder. A placeholder is a name in
// braces, such as {street}; see slot.
func (g *gen) write(tpl string) {
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			g.b.WriteString(tpl)
			return
		}
		g.b.WriteString(tpl[:i])
		j := strings.IndexByte(tpl[i:], '}')
		g.slot(tpl[i+1 : i+j])
		tpl = tpl[i+j+1:]
	}
}

func (g *gen) slot(name string) {
	b, r := &g.b, g.r
	switch name {
	case "street":
		b.WriteString(g.st.name)
	case "community":
		b.WriteString(g.comm)
	case "road":
		b.WriteString(g.road)
	case "addr":
		b.WriteString(g.road)
		g.num = 1 + r.IntN(300)
		g.writeInt(g.num)
		b.WriteString("号")
	case "num":
		g.num = 1 + r.IntN(300)
		g.writeInt(g.num)
	case "num2":
		g.writeInt(g.num + 2*(1+r.IntN(40)))
	case "bldg":
		g.bldg = 1 + r.IntN(20)
		g.writeInt(g.bldg)
		b.WriteString("栋")
	case "bldg2":
		g.writeInt(g.bldg + 1 + r.IntN(8))
		b.WriteString("栋")
	case "date":
		g.writeDate(g.date)
	case "date2":
		g.writeDate(g.date2)
	case "md":
		g.writeInt(int(g.date.Month))
		b.WriteString("月")
		g.writeInt(g.date.Day)
		b.WriteString("日")
	case "month":
		g.writeInt(int(g.pub.Month))
		b.WriteString("月")
	case "year":
		g.writeInt(g.pub.Year)
	case "q":
		b.WriteString(quarters[(int(g.pub.Month)-1)/3])
	case "time":
		g.writeClock(g.clock)
	case "time2":
		g.writeClock(min(g.clock+120+30*r.IntN(12), 21*60))
	case "period":
		b.WriteString(pick(r, periods))
	case "phone":
		g.writePhone()
	case "mobile":
		g.writeMobile()
	case "hotline":
		b.WriteString(pick(r, hotlines))
	case "venue":
		g.write(pick(r, venues))
	case "count":
		g.writeInt(12 + r.IntN(300))
	case "n":
		g.writeInt(2 + r.IntN(18))
	case "months":
		g.writeInt(3 + r.IntN(10))
	case "meal":
		g.writeInt(10 + r.IntN(9))
	case "money":
		g.writeInt(800 + 100*r.IntN(20))
		b.WriteString("元")
	case "wan":
		g.writeInt(100 + r.IntN(9000))
		b.WriteByte('.')
		var buf [4]byte
		b.Write(appendPad(buf[:0], r.IntN(100), 2))
	case "pct":
		g.writeInt(1 + r.IntN(15))
	case "typhoon":
		b.WriteString(pick(r, typhoons))
	case "surname":
		b.WriteString(pick(r, surnames))
	case "brand":
		b.WriteString(pick(r, brands))
	case "here":
		b.WriteString(g.here)
	case "org":
		b.WriteString(g.org)
	case "plan":
		b.WriteString(g.plan)
	default:
		panic("synth: unknown placeholder {" + name + "}")
	}
}

func (g *gen) writeInt(v int) {
	var buf [20]byte
	g.b.Write(strconv.AppendInt(buf[:0], int64(v), 10))
}

func appendPad(dst []byte, v, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func (g *gen) writeDate(d data.Date) {
	g.writeInt(d.Year)
	g.b.WriteString("年")
	g.writeInt(int(d.Month))
	g.b.WriteString("月")
	g.writeInt(d.Day)
	g.b.WriteString("日")
}

// writeClock writes minutes after midnight the way notices do: 上午9:30.
func (g *gen) writeClock(m int) {
	h := m / 60
	switch {
	case h < 12:
		g.b.WriteString("上午")
	case h == 12:
		g.b.WriteString("中午")
	case h < 18:
		g.b.WriteString("下午")
		h -= 12
	default:
		g.b.WriteString("晚上")
		h -= 12
	}
	g.writeInt(h)
	g.b.WriteByte(':')
	var buf [4]byte
	g.b.Write(appendPad(buf[:0], m%60, 2))
}

var phonePrefixes = []string{"3862", "3847", "3881", "8751", "8755", "2282", "3820", "8523"}

func (g *gen) writePhone() {
	g.b.WriteString("020-")
	g.b.WriteString(pick(g.r, phonePrefixes))
	var buf [8]byte
	g.b.Write(appendPad(buf[:0], g.r.IntN(10000), 4))
}

var mobilePrefixes = []string{"135", "136", "137", "138", "139", "150", "158", "159", "186", "188", "189", "199"}

func (g *gen) writeMobile() {
	g.b.WriteString(pick(g.r, mobilePrefixes))
	var buf [8]byte
	g.b.Write(appendPad(buf[:0], g.r.IntN(100000000), 8))
}

// compose writes sentences until the text written since the last take is at
// least target characters long: one of opens, then the sentences of each
// pool in turn, in random order without repeats. It stops early when the
// pools run dry.
func (g *gen) compose(target int, opens []string, pools ...[]string) {
	// Count the characters incrementally: recounting the builder after every
	// sentence was a quarter of the generation time.
	seen := len(g.b.String())
	n := utf8.RuneCountInString(g.b.String())
	if len(opens) > 0 {
		g.write(pick(g.r, opens))
	}
	for _, pool := range pools {
		idx := g.lineIdx[:min(len(pool), len(g.lineIdx))]
		for i := range idx {
			idx[i] = i
		}
		for i := range idx {
			s := g.b.String()
			n += utf8.RuneCountInString(s[seen:])
			seen = len(s)
			if n >= target {
				return
			}
			j := i + g.r.IntN(len(idx)-i)
			idx[i], idx[j] = idx[j], idx[i]
			g.write(pool[idx[i]])
		}
	}
}

// pickN returns k distinct elements of s in random order, as a new slice.
func (g *gen) pickN(s []string, k int) []string {
	k = min(k, len(s))
	idx := g.lineIdx[:min(len(s), len(g.lineIdx))]
	for i := range idx {
		idx[i] = i
	}
	out := make([]string, k)
	for i := range k {
		j := i + g.r.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
		out[i] = s[idx[i]]
	}
	return out
}
