// Command emptywindow is the floor of the kiosk's start-up measurement: a
// Fyne window of the kiosk's size with nothing in it but the same
// first-frame marker, printing "first-frame <unix ns>" to stderr when the
// first frame is painted, then quitting.
package main

import (
	"fmt"
	"image"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
)

func main() {
	a := app.NewWithID("org.jiezhen.emptywindow")
	w := a.NewWindow("empty")
	w.Resize(fyne.NewSize(1280, 800))
	var once sync.Once
	w.SetContent(canvas.NewRaster(func(int, int) image.Image {
		once.Do(func() {
			go func() {
				fmt.Fprintf(os.Stderr, "first-frame %d\n", time.Now().UnixNano())
				fyne.Do(a.Quit)
			}()
		})
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}))
	w.ShowAndRun()
}
