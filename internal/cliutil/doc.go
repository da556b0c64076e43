// Package cliutil holds the small pieces of command-line handling that the
// two commands of this module, iszmount and isz, share: parsing sizes the way
// users type them, finding the image password, opening an image, wording
// errors, the version line and suggesting the word a user probably meant.
// (Exit codes have their own package, internal/exitcode.)
//
// # Sizes
//
// [ParseSize] reads "131072", "128K", "128KiB", "1M", "512MiB" or "2G".
// Every unit is binary: K, KB and KiB all mean 1024 bytes, as in dd(1)'s K,
// because block, cache and split sizes are naturally powers of two and a
// user typing "64KB" for a block size means 65536. The suffix is
// case-insensitive.
//
//	n, err := cliutil.ParseSize("128K") // 131072
//
// # Passwords
//
// [ReadPassword] implements the one rule both commands follow, so that a
// password never has to appear on the command line (where other users can
// read it in ps(1) output):
//
//  1. the value of --password, if given;
//  2. else the first line of --passfile (a trailing "\n" or "\r\n" removed;
//     "-" reads standard input);
//  3. else the ISZ_PASSWORD environment variable;
//  4. else "" (no password).
//
// [ImagePassword] adds a fifth step for an image that needs one: when the
// image is an encrypted ISZ and standard input is a terminal, it asks
// ("Password for IMAGE: ", not echoed).
//
// # Opening an image
//
// [OpenImage] is how both commands open the IMAGE argument: without
// blocking (a FIFO would hang open(2)), refusing what cannot be an image
// (directories, FIFOs, sockets, character devices, empty files), and
// sniffing whether it is an ISZ image. An ISZ image is then opened by name
// with isz.Open, which finds the other files of a split set.
//
// # Messages
//
// [Message] turns an error into the one line a command prints: the
// libraries' package-prefixed sentinel texts ("isz: wrong password")
// become words ("wrong password"), a file name said twice in a row is said
// once, the errors of an errors.Join are separated by "; ", and newlines
// inside names are shown as \n.
//
// [Version] is the "-V" line of both commands.
//
// # Suggestions
//
// [Suggest] picks, from the words a command knows, the one a mistyped word
// most likely meant ("extarct" -> "extract", "alow_other" -> "allow_other"),
// so that an error can end with "did you mean ...?".
package cliutil
