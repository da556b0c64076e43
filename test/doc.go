// Package test holds iszmount's end-to-end tests: they build the iszmount
// binary, make images from a generated source tree (xorriso for the ISO,
// isz.Create for every ISZ variant), really mount them through /dev/fuse and
// compare what the kernel shows against the source.
//
// # Requirements
//
// Root, /dev/fuse, and the Debian packages fuse3 (mount.fuse3, fusermount3)
// and xorriso. The tests fail, never skip, when these are missing: CI runs
// them as root (see .ci/run).
//
// # What runs
//
//   - tree mode against the source tree (names, types, modes, owners, sizes,
//     times, symlink targets, device numbers, nlink, hard-link inode
//     equality, content hashes), and the raw node against the ISO's sha256,
//     for zlib, bzip2, stored, split and AES images and a plain .iso;
//   - daemon mode and -f (with READY=1 on $NOTIFY_SOCKET), mount -t
//     fuse.iszmount and an fstab line through mount.fuse3 (inside a private
//     mount namespace, where the binary is bound over /usr/local/sbin,
//     because mount(8) clears PATH);
//   - 32 concurrent readers checking every byte, against a -race build;
//   - faults: a corrupt chunk (EIO for its range only, one log line, daemon
//     alive), the image truncated or deleted under a live mount, SIGTERM
//     with a busy mount, idle=, a double mount, wrong and missing passwords,
//     and the exit codes.
//
// Every mount is unmounted by its test's cleanup, which fails the test if the
// mount or its daemon is still there; TestMain fails the run if any process
// of the built binaries outlives the tests. The test process makes itself a
// child subreaper, so daemons that detach from their parent are reaped here
// and their exit can be observed.
//
// Run with -v to see each daemon's log on failure.
package test
