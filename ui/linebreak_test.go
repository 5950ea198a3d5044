package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	kioskTheme "jiezhen/ui/theme"
)

// cells measures a text as one unit per character, so a width is a
// number of characters.
func cells(s string) float32 { return float32(utf8.RuneCountInString(s)) }

func TestBreakLinesKinsoku(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float32
		want  []string
	}{
		// A plain break between two Chinese characters.
		{"一二三四五六七八", 4, []string{"一二三四", "五六七八"}},
		// 。 would start the second line: the character before it goes
		// down with it.
		{"请携带身份证。然后排队", 6, []string{"请携带身份", "证。然后排队"}},
		{"请携带身份证，然后排队", 6, []string{"请携带身份", "证，然后排队"}},
		{"办理时间：工作日", 4, []string{"办理时", "间：工作", "日"}},
		// A closing bracket and a closing quote stay with their text.
		{"身份证（原件）复印件", 6, []string{"身份证（原", "件）复印件"}},
		{"他说“好的”然后", 4, []string{"他说“好", "的”然后"}},
		// An opening bracket or quote never ends a line.
		{"请阅读《办事指南》", 3, []string{"请阅读", "《办事", "指南》"}},
		{"材料清单（一）", 5, []string{"材料清单", "（一）"}},
		{"三个字「引号」", 4, []string{"三个字", "「引号」"}},
		// …… is not split, and does not start a line.
		{"稍候片刻……再来", 4, []string{"稍候片", "刻……再", "来"}},
		// Latin words break at spaces only, and the spaces go.
		{"call 12345 now", 8, []string{"call", "12345", "now"}},
		// A Latin word beside Chinese breaks at the change of script.
		{"电话020-8888", 9, []string{"电话", "020-8888"}},
		// Too long a word breaks where it must.
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		// The text's own line breaks stay.
		{"第一行\n第二行", 10, []string{"第一行", "第二行"}},
	} {
		got := breakLines(c.text, c.width, cells)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("breakLines(%q, %v) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
}

// TestBreakLinesNeverStartsWithClosingMark breaks a long text with marks
// everywhere at every width, and checks each line.
func TestBreakLinesNeverStartsWithClosingMark(t *testing.T) {
	text := "根据《广州市政府信息公开规定》（2024年修订），居民可以申请公开：" +
		"本街道的预算、决算、“三公”经费……以及其他信息。如有疑问，请致电（020）8888-1234！"
	for width := float32(3); width <= 30; width++ {
		lines := breakLines(text, width, cells)
		if strings.Join(lines, "") != text {
			t.Fatalf("width %v: the lines %q lose or add text", width, lines)
		}
		for i, l := range lines {
			r, _ := utf8.DecodeRuneInString(l)
			last, _ := utf8.DecodeLastRuneInString(l)
			if i > 0 && isNoStart(r) {
				t.Errorf("width %v: line %d %q starts with %q", width, i, l, r)
			}
			if i < len(lines)-1 && isNoEnd(last) {
				t.Errorf("width %v: line %d %q ends with %q", width, i, l, last)
			}
			if cells(l) > width {
				t.Errorf("width %v: line %d %q is too wide", width, i, l)
			}
		}
	}
}

// TestWrappedTextKeepsPunctuation draws the kiosk's paragraphs and headings
// at widths where the edge falls just before a closing mark, or just after
// an opening one, and reads the lines they draw.
func TestWrappedTextKeepsPunctuation(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(&kioskTheme.Theme{})
	for _, c := range []struct {
		text string
		edge int // characters that fit on the first line
	}{
		{"天河南街道办事处今天开放。欢迎居民前来办理业务", 12},
		{"请带上户口簿和身份证，到一楼窗口办理", 10},
		{"所需材料：户口簿（原件）、身份证复印件", 12},
		{"详见本街道发布的《长者饭堂管理办法》", 8},
	} {
		for _, kind := range []struct {
			make func(string) fyne.Widget
			size fyne.ThemeSizeName
			bold bool
		}{
			{func(s string) fyne.Widget { return para(s) }, theme.SizeNameText, false},
			{func(s string) fyne.Widget { return heading(s) }, theme.SizeNameHeadingText, true},
		} {
			w := kind.make(c.text)
			size, style := theme.Size(kind.size), fyne.TextStyle{Bold: kind.bold}
			head := string([]rune(c.text)[:c.edge])
			width := fyne.MeasureText(head, size, style).Width + 2*theme.Size(theme.SizeNameInnerPadding) + 1
			win := a.NewWindow("")
			win.SetContent(w)
			win.Resize(fyne.NewSize(width, 600))
			w.Resize(fyne.NewSize(width, 600))
			lines := drawnLines(w)
			if strings.Join(lines, "") != c.text {
				t.Fatalf("%q at %.0f px draws %q", c.text, width, lines)
			}
			if len(lines) < 2 {
				t.Fatalf("%q at %.0f px draws one line %q", c.text, width, lines)
			}
			for i, l := range lines {
				first, _ := utf8.DecodeRuneInString(l)
				last, _ := utf8.DecodeLastRuneInString(l)
				if i > 0 && isNoStart(first) {
					t.Errorf("%q at %.0f px: line %q starts with %q (lines %q)", c.text, width, l, first, lines)
				}
				if i < len(lines)-1 && isNoEnd(last) {
					t.Errorf("%q at %.0f px: line %q ends with %q (lines %q)", c.text, width, l, last, lines)
				}
			}
			win.Close()
		}
	}
}

// drawnLines returns the lines of text o draws, top to bottom.
func drawnLines(o fyne.CanvasObject) []string {
	var lines []string
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			if x.Text != "" {
				lines = append(lines, x.Text)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				visit(c)
			}
		}
	}
	visit(o)
	return lines
}
