package fs

import fusefs "github.com/hanwen/go-fuse/v2/fs"

// The operations each node type answers, checked at compile time in one
// place. Everything else gets go-fuse's read-only defaults; the mount is
// read-only anyway.
var (
	_ fusefs.NodeOnAdder        = (*rawRoot)(nil)
	_ fusefs.NodeGetattrer      = (*rawRoot)(nil)
	_ fusefs.NodeLookuper       = (*rawRoot)(nil)
	_ fusefs.NodeOpendirer      = (*rawRoot)(nil)
	_ fusefs.NodeStatfser       = (*rawRoot)(nil)
	_ fusefs.NodeGetattrer      = (*rawFile)(nil)
	_ fusefs.NodeOpener         = (*rawFile)(nil)
	_ fusefs.NodeReader         = (*rawFile)(nil)
	_ fusefs.NodeFlusher        = (*rawFile)(nil)
	_ fusefs.NodeLseeker        = (*rawFile)(nil)
	_ fusefs.NodeStatfser       = (*rawFile)(nil)
	_ fusefs.NodeGetattrer      = (*treeNode)(nil)
	_ fusefs.NodeLookuper       = (*treeNode)(nil)
	_ fusefs.NodeOpendirHandler = (*treeNode)(nil)
	_ fusefs.NodeReadlinker     = (*treeNode)(nil)
	_ fusefs.NodeOpener         = (*treeNode)(nil)
	_ fusefs.NodeReader         = (*treeNode)(nil)
	_ fusefs.NodeFlusher        = (*treeNode)(nil)
	_ fusefs.NodeStatfser       = (*treeNode)(nil)

	_ fusefs.FileReaddirenter = (*dirHandle)(nil)
	_ fusefs.FileSeekdirer    = (*dirHandle)(nil)
	_ fusefs.FileReleasedirer = (*dirHandle)(nil)
)
