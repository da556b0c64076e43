#!/usr/bin/python3
"""Make a UDF 2.60 image with pycdlib from a source tree (the udfview tests
run this at test time).

usage: mkpycdlib.py MODE SRC OUT [BIGSIZE]

MODE "bridge": ISO 9660 and UDF both carry the files (the ISO 9660 side
flat, under generated 8.3 names). MODE "windows": like a Windows install
disc, the ISO 9660 side holds only README.TXT and UDF holds the files; with
BIGSIZE, UDF also holds /big/sparse.bin of BIGSIZE bytes, zeros except
its last 16 bytes "END-OF-BIG-FILE\n". Symlinks and hard links of SRC are
recorded as UDF symlinks and hard links. The image is written sparse
(zero blocks are skipped), so a file over 4 GiB costs no disk space.
"""
import io
import os
import sys

import pycdlib

TAIL = b"END-OF-BIG-FILE\n"


class BigZero(io.RawIOBase):
    """A readable file of size bytes: zeros, then TAIL."""

    def __init__(self, size):
        self.size, self.pos = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, off, whence=0):
        self.pos = off if whence == 0 else (self.pos + off if whence == 1 else self.size + off)
        return self.pos

    def tell(self):
        return self.pos

    def readinto(self, b):
        n = min(len(b), self.size - self.pos)
        if n <= 0:
            return 0
        b[:n] = bytes(n)
        tail0 = self.size - len(TAIL)
        for i in range(max(self.pos, tail0), self.pos + n):
            b[i - self.pos] = TAIL[i - tail0]
        self.pos += n
        return n


class SparseOut(io.RawIOBase):
    """A writable file that seeks over all-zero writes."""

    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def seekable(self):
        return True

    def seek(self, off, whence=0):
        return self.f.seek(off, whence)

    def tell(self):
        return self.f.tell()

    def write(self, b):
        b = bytes(b)
        if b.count(0) == len(b):
            self.f.seek(len(b), 1)
        else:
            self.f.write(b)
        return len(b)


def main():
    mode, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
    big = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, vol_ident="UDFTEST", udf="2.60")
    keep = []
    if mode == "windows":
        readme = b"This disc contains a \"UDF\" file system and requires an operating system\r\nthat supports the ISO-13346 \"UDF\" file system specification.\r\n"
        keep.append(io.BytesIO(readme))
        iso.add_fp(keep[-1], len(readme), iso_path="/README.TXT;1")
    inodes = {}
    n = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel = os.path.relpath(dirpath, src)
        base = "" if rel == "." else "/" + rel.replace(os.sep, "/")
        if base:
            iso.add_directory(udf_path=base)
        for name in sorted(filenames) + sorted(d for d in dirnames if os.path.islink(os.path.join(dirpath, d))):
            p = os.path.join(dirpath, name)
            up = base + "/" + name
            st = os.lstat(p)
            if os.path.islink(p):
                iso.add_symlink(udf_symlink_path=up, udf_target=os.readlink(p))
                continue
            if st.st_ino in inodes:
                iso.add_hard_link(udf_old_path=inodes[st.st_ino], udf_new_path=up)
                continue
            inodes[st.st_ino] = up
            f = open(p, "rb")
            keep.append(f)
            if mode == "bridge":
                n += 1
                iso.add_fp(f, st.st_size, iso_path="/F%05d.;1" % n, udf_path=up)
            else:
                iso.add_fp(f, st.st_size, udf_path=up)
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
    if big:
        iso.add_directory(udf_path="/big")
        keep.append(BigZero(big))
        iso.add_fp(keep[-1], big, udf_path="/big/sparse.bin")
    with open(out, "wb") as f:
        iso.write_fp(SparseOut(f))
        f.truncate()
    iso.close()


main()
