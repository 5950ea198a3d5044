package main

import (
	_ "github.com/hashicorp/go-retryablehttp"
	_ "modernc.org/sqlite"
)

func main() {}
