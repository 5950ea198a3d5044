module jiezhen/ui/ime/gen

go 1.26.8

require (
	github.com/go-ego/gse v0.80.3
	github.com/mozillazg/go-pinyin v0.21.0
)

require github.com/vcaesar/cedar v0.20.2 // indirect
