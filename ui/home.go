package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
)

// homeTiles are the home screen's entry points, in reading order.
var homeTiles = []data.Kind{data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation}

func (k *Kiosk) showHome() {
	counts := map[data.Kind]int{}
	if st, err := k.store.Status(context.Background()); err == nil {
		counts = st.Counts
	}
	var tiles []fyne.CanvasObject
	for _, kind := range homeTiles {
		b := widget.NewButton(fmt.Sprintf("%s\n%d", kind.Label(k.lang), counts[kind]), nil)
		b.Importance = widget.HighImportance
		tiles = append(tiles, b)
	}
	title := widget.NewLabelWithStyle(k.street.Name+" · "+k.tr("街镇通", "Jiezhen"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	date := widget.NewLabel(k.now().Format("2006-01-02 15:04"))
	state := widget.NewLabel(k.tr("离线", "Offline"))
	header := container.NewBorder(nil, nil, title, container.NewHBox(date, state))
	k.show(container.NewBorder(header, nil, nil, nil, container.NewGridWithColumns(3, tiles...)))
}
