package manual

// Flags shared by several isz commands.
var (
	passwordFlags = []Flag{
		{Long: "password", Arg: "P", Text: "password of an encrypted image (visible to other users in ps; prefer --passfile or $ISZ_PASSWORD)"},
		{Long: "passfile", Arg: "FILE", Files: true, Text: "read the password from the first line of FILE (\"-\" = standard input)"},
	}
	fsFlag    = Flag{Long: "fs", Arg: "FS", Values: []string{"auto", "udf", "iso9660"}, Text: "which file system to read on a disc that has both: auto (UDF, unless the ISO 9660 side has Rock Ridge), udf or iso9660 (default auto)"}
	treeFlags = append(passwordFlags[:len(passwordFlags):len(passwordFlags)], fsFlag,
		Flag{Long: "norock", Text: "ignore Rock Ridge (POSIX names, modes, symlinks)"},
		Flag{Long: "nojoliet", Text: "ignore Joliet (Windows long names)"},
	)
)

// Isz is isz(1) and the text of "isz help" and "isz COMMAND -h". Its Flags
// are the ones every command takes, before or after the command name.
var Isz = &Page{
	Name:     "isz",
	Summary:  "create, inspect, verify, list and extract ISZ images",
	Synopsis: []string{"COMMAND [FLAGS] ARGS...", "help [COMMAND]", "version"},
	Description: []Block{
		{Text: "isz creates, inspects, verifies, lists and extracts ISZ images (UltraISO's compressed ISO format) without mounting them. ls, cat, info and extract --files read plain .iso files too. \"isz COMMAND -h\" describes a command, \"isz version\" (or -V anywhere) prints the version of this build."},
		{Text: "Flags follow the GNU conventions: they may come before or after the other arguments, short ones combine and take attached values (\"-lR\", \"-j2\"), long ones take \"--split=SIZE\" or \"--split SIZE\", every short flag has a long name, and \"--\" ends the flags (so that a file name may start with a dash). A mistyped command or flag is answered with the nearest known one."},
	},
	Flags: []Flag{
		{Short: "h", Long: "help", Text: "print the help of isz, or after a command, of that command"},
		{Short: "V", Long: "version", Text: "print the version of isz"},
	},
	Commands: []Command{
		{
			Name:     "create",
			Synopsis: []string{"[-f] [-b SIZE] [-c zlib|bzip2|store] [-l LEVEL] [--split SIZE] [--aes 128|192|256] [--password P|--passfile F] [--zero-chunks] [-j N] IN.iso OUT.isz"},
			Summary:  "compress an ISO image into an ISZ image",
			Body: []Block{
				{Text: "Compresses IN.iso (a file or block device) into OUT.isz, on all cores. Each block is stored compressed, or as is when compressing does not make it smaller. The output is deterministic: the same input file and options give the same bytes (the volume serial number is the input's modification time)."},
				{Text: "With --split SIZE the image is cut into files of at most SIZE bytes: OUT.isz, OUT.i01, OUT.i02, ... (UltraISO's naming)."},
				{Text: "Encryption (AES, UltraISO's scheme) is switched on by --aes, --password or --passfile; --aes alone takes the password from --passfile, $ISZ_PASSWORD or the terminal, and a password without --aes means AES-256. ISZ_PASSWORD alone does not encrypt. ISZ encryption is weak (ECB mode, the password is the key): do not rely on it for secrets."},
				{Text: "An existing OUT.isz is replaced only with --force, and so are the .i01, .i02, ... files of an earlier split set of the same name, which would otherwise be taken for part of the new image (see OUTPUTS)."},
			},
			Flags: append([]Flag{
				{Short: "f", Long: "force", Text: "replace an existing OUT.isz and remove the other files of an earlier split set of that name"},
				{Short: "b", Long: "block-size", Arg: "SIZE", Text: "block (chunk) size, a multiple of 2048 (default 128K)"},
				{Short: "c", Long: "codec", Arg: "CODEC", Values: []string{"zlib", "bzip2", "store"}, Text: "compression: zlib, bzip2 or store (default zlib)"},
				{Short: "l", Long: "level", Arg: "LEVEL", Values: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, Text: "compression level 1 (fast) to 9 (small); 0 = the codec's default (zlib 6, bzip2 9)"},
				{Long: "split", Arg: "SIZE", Text: "split the output into files of at most SIZE bytes"},
				{Long: "aes", Arg: "BITS", Values: []string{"128", "192", "256"}, Text: "encrypt with AES of this many bits (128, 192 or 256)"},
				{Long: "zero-chunks", Text: "store all-zero blocks as ZERO chunks (smaller; older readers may not support them)"},
				{Short: "j", Long: "jobs", Arg: "N", Text: "compress with N parallel workers (0: one per core)"},
			}, passwordFlags...),
		},
		{
			Name:     "info",
			Synopsis: []string{"[--json] [--fs FS] [--password P|--passfile F] IMAGE"},
			Summary:  "describe an ISZ image (header, chunks, segments, encryption) and its ISO 9660 and UDF volumes",
			Body: []Block{
				{Text: "For an ISZ image, prints the header fields, the number and stored size of the chunks of each type, the compression ratio, the segment files of a split image, the encryption and the checksums. Then, for ISZ and plain ISO images alike, the ISO 9660 volume: identifiers, dates, size, the name extensions present (Rock Ridge, Joliet, zisofs), the El Torito boot entries; then the UDF volume: identifiers, UDF revision, partition map types (physical, sparable, virtual, metadata), block size, file and directory counts when recorded, and whether the reserve descriptor sequence, a VAT or the metadata mirror was used. Last, which tree ls, cat, extract and iszmount show (see --fs) and why."},
				{Text: "An encrypted image's header is shown without a password; its volume needs the password. info reads no chunk data beyond the volume descriptors: use verify to check the checksums."},
				{Text: "With --json the same facts are printed as one JSON object for scripts: image, format (\"isz\" or \"plain\"), size, isz (the header, chunk types, encryption, checksums and segments; null for a plain image), file_system (of the ISO 9660 side: \"iso9660\", \"udf-only\", \"none\", \"encrypted\" or \"error\"), volume (null unless file_system is \"iso9660\"), udf (the UDF volume, null if none is readable), udf_error, view (the tree shown: \"udf\", \"iso9660\" or null), view_reason and error. The fields keep their names and meanings; new ones may be added. The README lists them in full."},
			},
			Flags: append([]Flag{
				{Long: "json", Text: "print one JSON object instead of text"},
				fsFlag,
			}, passwordFlags...),
		},
		{
			Name:     "verify",
			Synopsis: []string{"[--password P|--passfile F] IMAGE.isz"},
			Summary:  "check an ISZ image's checksums (exit code 0 good, 4 bad)",
			Body: []Block{
				{Text: "Decodes every chunk and checks the image's two checksums: the CRC-32 of the decompressed image and of the stored chunk data. On success it prints \"IMAGE.isz: OK\" and exits 0 (an old 48-byte header has no checksums: then every chunk decoding is all verify can say, and does). A checksum mismatch or a chunk that does not decode exits 4 and names the first bad chunk; a malformed or truncated image exits 3, a missing segment file too. An encrypted image needs its password."},
			},
			Flags: passwordFlags,
		},
		{
			Name: "extract",
			Synopsis: []string{
				"[-f] [-j N] [--password P|--passfile F] IMAGE.isz OUT.iso|-",
				"[-p] [--fs FS] [--norock] [--nojoliet] [--password P|--passfile F] IMAGE --files DESTDIR [PATH...]",
			},
			Summary: "decompress an ISZ image to an ISO, or copy files out of an ISZ/ISO",
			Body: []Block{
				{Text: "The first form writes the whole decompressed image to OUT.iso (\"-\" writes to standard output, unless that is a terminal). Chunks are decoded in parallel ahead of the writer. When OUT.iso is a regular file, runs of ZERO chunks become holes (a sparse file); the bytes read back are the same. The CRC-32 of the output is checked against the header as it streams: a mismatch exits 4 (on standard output, after the bytes went out). An existing OUT.iso is replaced only with --force (see OUTPUTS)."},
				{Text: "The second form (--files) copies files out of the tree (UDF or ISO 9660, see --fs) of an ISZ image or a plain .iso into DESTDIR, creating it if needed: the whole tree, or only the given PATHs (files or directories, with their contents). Modes, modification and access times, symlinks, hard links and FIFOs are restored; ownership is not, and device nodes and sockets are skipped with a warning. Setuid and setgid bits are dropped unless -p is given: the files belong to whoever extracts them, and a setuid program from an untrusted disc extracted by root would otherwise run as root. A directory that cannot be read is named on standard error and skipped, the rest extracted, and the exit code says the image is bad."},
				{Text: "Nothing is ever written outside DESTDIR: symlinks already in DESTDIR or made by the extraction are never followed to outside it, and an existing file is replaced rather than written through."},
			},
			Flags: append([]Flag{
				{Long: "files", Arg: "DESTDIR", Files: true, Text: "copy files out of the image's tree into DESTDIR instead of writing the raw image"},
				{Short: "f", Long: "force", Text: "replace an existing OUT.iso"},
				{Short: "j", Long: "jobs", Arg: "N", Text: "decode with N parallel workers (0: one per core); with --files, also write up to N files at once"},
				{Short: "p", Long: "preserve-setid", Text: "with --files: keep setuid and setgid bits (dropped by default: the files are owned by you, not by their owner on the disc)"},
			}, treeFlags...),
		},
		{
			Name:     "ls",
			Synopsis: []string{"[-l] [-R] [--fs FS] [--norock] [--nojoliet] IMAGE [PATH]"},
			Summary:  "list files in the UDF or ISO 9660 tree of an ISZ or ISO image",
			Body: []Block{
				{Text: "Lists the directory PATH (default: the root) of the image's tree, sorted by name: the UDF tree when the disc has one and its ISO 9660 side has no Rock Ridge, else the ISO 9660 tree (--fs chooses). When PATH is not a directory, or is a symlink, ls shows that one entry. Symlinks in the middle of PATH are followed inside the image."},
				{Text: "With -R, every entry below PATH is listed as its path relative to PATH, parents before their contents, like find(1); a directory that cannot be read is named on standard error and skipped. With -l, each line shows the mode, link count, owner, group, size, modification time (local time zone) and name, and \"-> TARGET\" for symlinks. Names holding control characters are printed in Go's double-quoted form so that each entry stays on one line."},
			},
			Flags: append([]Flag{
				{Short: "l", Long: "long", Text: "long listing: mode, links, owner, group, size, time"},
				{Short: "R", Long: "recursive", Text: "list the whole subtree, one relative path per line"},
			}, treeFlags...),
		},
		{
			Name:     "cat",
			Synopsis: []string{"[--fs FS] [--norock] [--nojoliet] IMAGE PATH..."},
			Summary:  "write files of an ISZ or ISO image to standard output",
			Body: []Block{
				{Text: "Writes the contents of the regular files PATH... in the image's tree (see ls and --fs) to standard output, one after the other (zisofs files decoded). Symlinks are followed inside the image. Every PATH is looked up before anything is written, so a mistyped one writes nothing."},
			},
			Flags: treeFlags,
		},
	},
	Sections: []Section{
		{Title: "SIZES", Help: true, Body: []Block{
			{Text: "Sizes (--block-size, --split) take binary units: 131072, 128K, 128KiB, 4M, 2G (K, KB and KiB all mean 1024 bytes)."},
		}},
		{Title: "PASSWORDS", Help: true, Body: []Block{
			{Text: "Passwords of encrypted images come from --password P, else the first line of --passfile FILE (\"-\" = standard input), else the ISZ_PASSWORD environment variable, else, when standard input is a terminal, a prompt (not echoed). Prefer the last three: other users can see command lines."},
		}},
		{Title: "OUTPUTS", Help: true, Body: []Block{
			{Text: "create and extract never replace an existing output without --force. They write through a temporary file next to the output, renamed into place only when complete: a failure, a full disk or an interrupt leaves whatever was there before as it was, and a symlink at the output path is replaced, never written through. Character devices and FIFOs (/dev/null, a pipe) are written in place; a block device needs --force. extract --files writes each file under a temporary name and renames it when complete; an interrupt says how many files were written."},
		}},
		{Title: "PROGRESS", Help: true, Body: []Block{
			{Text: "create, verify, extract and cat draw a progress bar on standard error when it is a terminal (for cat: and standard output is not), fitted to the terminal's width; nothing is drawn otherwise."},
		}},
		{Title: "ENVIRONMENT", Body: []Block{{Items: []Item{
			{Term: "ISZ_PASSWORD", Text: "the password of an encrypted image, when neither --password nor --passfile is given"},
		}}}},
		{Title: "EXAMPLES", Body: []Block{
			{Code: "isz create -c bzip2 --split 700M disc.iso disc.isz\nisz info disc.isz\nisz info --json disc.isz\nisz verify disc.isz && echo good\nisz extract disc.isz disc.iso\nisz ls -lR disc.isz /boot\nisz cat disc.isz docs/README.txt | less\nisz extract disc.isz --files ./out docs bin/tool"},
		}},
	},
	Exits:   exits(),
	SeeAlso: []string{"iszmount(1)", "xorriso(1)"},
}
