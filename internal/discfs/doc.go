// Package discfs is the code the two disc readers, iso9660view and
// udfview, share: everything about a read-only tree of entries that does
// not depend on how a disc format records it. Neither reader may import
// the other (each stands alone, and a bridge disc is read by both), so
// what they have in common lives here, once.
//
// # The node interface
//
// The shared code is generic over a reader's entry type E (its *Entry),
// through the Node constraint: the exported accessors both Entry types
// have (Name, Mode, Size, Target, Parent, Lookup, Open, ...). Nothing is
// added to an entry for it: a kept listing holds every entry in memory,
// and entries are packed to stay small. What a reader keeps
// unexported (a directory's cached listing, an entry's damage) it hands
// over as functions in an FS.
//
// # What lives here
//
//   - Resolve walks a path from the root, following symlinks inside the
//     tree only: an absolute target starts again at the root, ".." stops
//     at the root, and more than MaxSymlinkHops symlinks is
//     ErrTooManyLinks. No path, whatever the disc's symlinks say, leads
//     out of the image. Path, Find and SortByName are the other tree
//     accessors: entries keep no path, and a directory's listing is a
//     slice sorted by name searched by binary search, not a map.
//   - Dir is a directory's listing, read on first use under a lock; a
//     malformed directory's error is kept, an I/O error is not (the next
//     use reads again). Children, Child, ReadDir, Lookup and DirNlink
//     answer an entry's questions from it. SetChildren sorts a parsed
//     listing by name and gives each entry its index in it: names are
//     unique, so a directory parsed again lists the same entries in the
//     same order, and (parent, index) names an entry for good.
//   - Cache keeps an image's parsed listings within a bound of estimated
//     bytes, dropping the least recently used (their Dirs go back to
//     "not loaded" and parse again on next use), and keeps the image's
//     Budget, which bounds the entries live at once: a listing's entries
//     are counted while it is parsed and kept, and given back when it is
//     dropped.
//   - HardLinks and Nlinks count the names of each inode over the whole
//     tree, once, keeping only the inodes with several.
//   - FS is the io/fs glue (Open, ReadDir, ReadFile, Stat, Lstat,
//     ReadLink, and Lookup), with the open-file and open-directory types
//     and Info, an entry seen as an fs.FileInfo.
//   - UniqueNames makes one directory's names legal (never "", "." or
//     "..", no "/" or NUL, at most MaxNameLen bytes) and unique, renaming
//     deterministically with "~2", "~3" suffixes, so that both views of
//     a bridge disc rename alike.
//   - Stamps packs an entry's three times into 36 bytes.
//   - ReadPieces is the ReadAt of a file whose data lies in pieces
//     (extents, runs of blocks, holes): the clamping to the file size and
//     the io.EOF rules, around a reader's own function for one piece.
//   - FormatMessage and WithPath format and decorate a reader's
//     FormatError; QuotePath quotes a path for a message.
//
// # Errors
//
// The shared code has no package name in its errors and no sentinels of
// a reader's: it returns ErrNotDir, ErrTooManyLinks, ErrNegativeOffset or
// the standard fs errors, and the readers return them inside their own
// (an *fs.PathError, a *FormatError from the reader's package), so that
// callers test a reader's errors with errors.Is and errors.As exactly as
// before.
package discfs
