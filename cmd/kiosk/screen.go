package main

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// fitScreen sizes the window to the screen, the primary monitor's work
// area, rather than a fixed 1280x800, so a portrait screen or a larger one
// is filled rather than cut off or left mostly empty (the layouts follow
// the window; docs/ARCHITECTURE.md, "Every screen shape"); 1280x800 when
// the screen cannot be asked. With --fullscreen the window manager's full
// screen applies instead. It runs on the main goroutine before the app
// does, which Fyne's driver keeps on the main thread, where GLFW may be
// asked; GLFW allows the driver to initialise it again.
func fitScreen(_ fyne.App, w fyne.Window) {
	size := fyne.NewSize(1280, 800)
	if glfw.Init() == nil {
		if m := glfw.GetPrimaryMonitor(); m != nil {
			_, _, width, height := m.GetWorkarea()
			sx, sy := m.GetContentScale()
			if width > 0 && height > 0 && sx > 0 && sy > 0 {
				size = fyne.NewSize(float32(width)/sx, float32(height)/sy)
			}
		}
	}
	w.Resize(size)
}
