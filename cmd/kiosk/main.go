package main

import (
	_ "fyne.io/fyne/v2/app"
)

func main() {}
