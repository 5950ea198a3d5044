package web

import "os"

// sourceFS is the package's own source, which the translations test reads.
var sourceFS = os.DirFS(".")
