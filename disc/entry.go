package disc

import (
	"io"
	"io/fs"
	"time"
)

// readerEntry is the method set of a reader's entry type E (such as
// *iso9660view.Entry): Entry's methods, with E where Entry returns an Entry.
type readerEntry[E any] interface {
	comparable
	Name() string
	Path() string
	Parent() E
	Mode() fs.FileMode
	Size() int64
	Inode() uint64
	Nlink() uint32
	UID() uint32
	GID() uint32
	HasOwner() bool
	Rdev() uint64
	ModTime() time.Time
	AccessTime() time.Time
	ChangeTime() time.Time
	IsDir() bool
	Target() string
	Info() fs.FileInfo
	ReadDir() ([]E, error)
	Index() int
	Child(i int) (E, error)
	Lookup(name string) (E, error)
	Open() (io.ReaderAt, error)
}

// entry adapts a reader's entry to Entry. It is one pointer wide, so
// storing it in an Entry allocates nothing.
type entry[E readerEntry[E]] struct{ e E }

func wrap[E readerEntry[E]](e E) Entry { return entry[E]{e} }

func (w entry[E]) Name() string               { return w.e.Name() }
func (w entry[E]) Path() string               { return w.e.Path() }
func (w entry[E]) Mode() fs.FileMode          { return w.e.Mode() }
func (w entry[E]) Size() int64                { return w.e.Size() }
func (w entry[E]) Inode() uint64              { return w.e.Inode() }
func (w entry[E]) Nlink() uint32              { return w.e.Nlink() }
func (w entry[E]) UID() uint32                { return w.e.UID() }
func (w entry[E]) GID() uint32                { return w.e.GID() }
func (w entry[E]) HasOwner() bool             { return w.e.HasOwner() }
func (w entry[E]) Rdev() uint64               { return w.e.Rdev() }
func (w entry[E]) ModTime() time.Time         { return w.e.ModTime() }
func (w entry[E]) AccessTime() time.Time      { return w.e.AccessTime() }
func (w entry[E]) ChangeTime() time.Time      { return w.e.ChangeTime() }
func (w entry[E]) IsDir() bool                { return w.e.IsDir() }
func (w entry[E]) Target() string             { return w.e.Target() }
func (w entry[E]) Info() fs.FileInfo          { return w.e.Info() }
func (w entry[E]) Index() int                 { return w.e.Index() }
func (w entry[E]) Open() (io.ReaderAt, error) { return w.e.Open() }

func (w entry[E]) Parent() Entry {
	var none E
	if p := w.e.Parent(); p != none {
		return entry[E]{p}
	}
	return nil
}

func (w entry[E]) ReadDir() ([]Entry, error) {
	kids, err := w.e.ReadDir()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(kids))
	for i, k := range kids {
		out[i] = entry[E]{k}
	}
	return out, nil
}

func (w entry[E]) Lookup(name string) (Entry, error) {
	e, err := w.e.Lookup(name)
	if err != nil {
		return nil, err
	}
	return entry[E]{e}, nil
}

func (w entry[E]) Child(i int) (Entry, error) {
	e, err := w.e.Child(i)
	if err != nil {
		return nil, err
	}
	return entry[E]{e}, nil
}

// PermBits returns m's permission bits with setuid, setgid and sticky as
// chmod(2) and stat(2) encode them (04000, 02000, 01000), without the type.
func PermBits(m fs.FileMode) uint32 {
	mode := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}
