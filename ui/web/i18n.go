package web

import (
	"embed"
	"encoding/json"
	"fmt"

	"jiezhen/data"
)

// The website's interface strings: zh-CN is the default, en the switch.
// Content is shown as published (in Chinese) in both.

//go:embed translations/*.json
var translationFS embed.FS

var translations = map[data.Lang]map[string]string{
	data.ZH: mustLoad("translations/zh-CN.json"),
	data.EN: mustLoad("translations/en.json"),
}

func mustLoad(name string) map[string]string {
	b, err := translationFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	return m
}

// translate returns the string for key; a missing key shows as itself,
// which the translations test catches.
func translate(l data.Lang, key string) string {
	if s, ok := translations[l][key]; ok {
		return s
	}
	return key
}
