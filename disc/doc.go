// Package disc is the one view of a disc's directory tree that iszmount's
// FUSE layer and the isz command browse, whichever file system the disc
// carries: ISO 9660 (with Rock Ridge, Joliet, zisofs; package iso9660view)
// or UDF (package udfview).
//
// The two readers have the same shape, an Image with a Root and Entries
// that list, look up and open, but their Entry types differ. [Entry] is the
// method set they share; [Open] picks a reader for an image and wraps its
// entries, so everything above this package is written once for both.
//
// # Choosing the file system
//
// Many discs carry both: a UDF bridge disc (DVD-Video, Windows install
// media) records the same files in an ISO 9660 tree and a UDF one, and the
// UDF side is usually the complete one (long Unicode names, files over
// 4 GiB; Windows media put only README.TXT on the ISO 9660 side). A disc
// authored on Unix with Rock Ridge is the other way round: its ISO 9660 side
// carries the POSIX modes, owners, symlinks and device nodes, and a UDF side,
// if any, is an afterthought. So [Auto] uses UDF when the disc has a
// readable UDF volume, unless the ISO 9660 side carries Rock Ridge; it
// falls back to whichever side can be read (Options.NoRock counts as "no
// Rock Ridge"). [Tree.Reason] says which was picked and why, for `isz
// info`. A side that is malformed gives way to the other; a read of the
// image that fails (a damaged ISZ chunk) is returned, never hidden behind
// the other side.
//
// # Paths
//
// [Tree.Lookup] resolves a slash-separated path with the reader's own
// lookup: symlinks in the middle of a path are followed inside the image
// (an absolute target starts at the image root, ".." stops at the root), so
// no path ever leaves the disc; a final symlink is followed on request.
// [Walk] visits a subtree parents first, in name order, and reports rather
// than follows what only a hostile image has: a directory that is its own
// ancestor, a directory reached twice, nesting past [MaxDepth].
package disc
