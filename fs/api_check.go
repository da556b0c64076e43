package fs

import fusefs "github.com/hanwen/go-fuse/v2/fs"

// The operations each node type answers, checked at compile time in one
// place: node's are shared by every node type. Everything else gets go-fuse's read-only defaults; the mount is
// read-only anyway.
var (
	_ fusefs.NodeGetattrer = (*node)(nil)
	_ fusefs.NodeAccesser  = (*node)(nil)
	_ fusefs.NodeOpener    = (*node)(nil)
	_ fusefs.NodeFlusher   = (*node)(nil)
	_ fusefs.NodeStatfser  = (*node)(nil)

	_ fusefs.NodeOnAdder   = (*rawRoot)(nil)
	_ fusefs.NodeLookuper  = (*rawRoot)(nil)
	_ fusefs.NodeOpendirer = (*rawRoot)(nil)
	_ fusefs.NodeReader    = (*rawFile)(nil)
	_ fusefs.NodeLseeker   = (*rawFile)(nil)

	_ fusefs.NodeLookuper       = (*treeNode)(nil)
	_ fusefs.NodeOpendirHandler = (*treeNode)(nil)
	_ fusefs.NodeReadlinker     = (*treeNode)(nil)
	_ fusefs.NodeReader         = (*treeNode)(nil)

	_ fusefs.FileReaddirenter = (*dirHandle)(nil)
	_ fusefs.FileSeekdirer    = (*dirHandle)(nil)
	_ fusefs.FileReleasedirer = (*dirHandle)(nil)
)
