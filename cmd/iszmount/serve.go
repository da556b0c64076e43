package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"log/syslog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	ifs "github.com/iszmount/iszmount/fs"
	"github.com/iszmount/iszmount/internal/cliutil"
	"github.com/iszmount/iszmount/internal/mountinfo"
	"github.com/iszmount/iszmount/isz"
)

// session is one mount from setup to unmount.
type session struct {
	cfg    *config
	log    *slog.Logger
	mp     string // absolute mount point (or /dev/fd/N)
	img    *image
	fsys   *ifs.FS
	server *ifs.Server
	sigs   chan os.Signal // SIGINT, SIGTERM, SIGHUP from just before mounting on
}

// fuseConf is where fusermount3 reads user_allow_other.
const fuseConf = "/etc/fuse.conf"

// setup checks what can be checked without touching the mount point (it may
// be an autofs trigger; only one that mountinfo shows as an iszmount mount
// is examined, to clear it if dead), opens the image and mounts it. Errors
// carry their exit code.
func setup(cfg *config, log *slog.Logger) (*session, error) {
	s := &session{cfg: cfg, log: log, mp: cfg.mountPoint}
	if !ifs.IsDevFD(s.mp) {
		abs, err := filepath.Abs(s.mp)
		if err != nil {
			return nil, withCode(exitMountPoint, err)
		}
		s.mp = abs
	}
	if (cfg.allowOther || cfg.allowRoot) && os.Geteuid() != 0 && !userAllowOther(fuseConf) {
		opt := "allow_other"
		if cfg.allowRoot {
			opt = "allow_root"
		}
		return nil, withCode(exitFUSE, fmt.Errorf("%s is refused for users other than root unless %s has a line user_allow_other", opt, fuseConf))
	}
	if !ifs.IsDevFD(s.mp) {
		mounts, _ := mountinfo.Read() // never touches s.mp
		if m, ok := iszmountAt(mounts, s.mp); ok {
			if err := clearDead(s.mp, log); err != nil {
				return nil, withCode(exitMountPoint, fmt.Errorf("%s is already an iszmount mount point (of %s): %w", s.mp, m.Source, err))
			}
		}
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return nil, withCode(exitFUSE, fmt.Errorf("FUSE is unavailable (is the fuse module loaded?): %w", err))
	}
	password, err := cliutil.ImagePassword(cfg.image, cfg.password, cfg.passfile)
	if err != nil {
		return nil, withCode(exitPassword, err)
	}
	if s.img, err = openImage(cfg.image, password, setProcs(), cfg); err != nil {
		return nil, err
	}
	fopts := &ifs.Options{UID: cfg.uid, GID: cfg.gid, Umask: cfg.umask, Fmask: cfg.fmask, Dmask: cfg.dmask, Logger: log}
	if os.Geteuid() != 0 {
		// A user's mount shows the user's files, as fuse-archive does:
		// the disc's owners are other uids, often root with 0600 files.
		me, myGroup := uint32(os.Getuid()), uint32(os.Getgid())
		fopts.UID = cmp.Or(fopts.UID, &me)
		fopts.GID = cmp.Or(fopts.GID, &myGroup)
	}
	if cfg.allowRoot {
		me := uint32(os.Getuid())
		fopts.Permit = func(uid uint32) bool { return uid == 0 || uid == me }
	}
	if s.fsys, err = newFS(s.img, cfg, fopts, log); err != nil {
		s.img.Close()
		return nil, err
	}
	// From here on a signal must unmount, not kill: a killed server leaves
	// a dead mount ("transport endpoint is not connected") behind.
	s.sigs = make(chan os.Signal, 4)
	signal.Notify(s.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	fsName := cfg.fsName
	if fsName == "" {
		fsName, _ = filepath.Abs(cfg.image)
	}
	s.server, err = s.fsys.Mount(s.mp, &ifs.MountOptions{
		FsName:         fsName,
		Subtype:        cfg.subtype,
		AllowOther:     cfg.allowOther || cfg.allowRoot,
		NoExec:         cfg.noExec,
		Debug:          cfg.debug,
		AutoUnmount:    cfg.autoUnmount,
		SingleThreaded: cfg.singleThread,
	})
	if err != nil {
		signal.Stop(s.sigs)
		s.img.Close()
		var fe *ifs.FusermountError
		switch {
		case errors.Is(err, ifs.ErrNoFusermount):
			return nil, withCode(exitFUSE, err)
		case errors.As(err, &fe) && fe.NoDevice():
			return nil, withCode(exitFUSE, fmt.Errorf("FUSE is not usable: %w", err))
		}
		return nil, withCode(mountErrCode(err), fmt.Errorf("cannot mount on %s: %w", s.mp, err))
	}
	return s, nil
}

// serve runs until the file system is unmounted: by umount, by a signal, or
// after cfg.idle without use. It returns the exit status.
func (s *session) serve() int {
	defer s.img.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if s.cfg.verify {
		go s.verify(ctx)
	}
	if s.img.isz != nil {
		budget := s.cfg.cacheSize
		if budget <= 0 {
			budget = isz.DefaultCacheSize()
		}
		go governMemory(ctx, s.img.isz, budget, s.log)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s.watch(done)
	}()
	s.server.Wait()
	close(done)
	<-stopped
	s.log.Debug("unmounted", "mountpoint", s.mp)
	return exitOK
}

// watch unmounts on SIGINT, SIGTERM and SIGHUP, and after cfg.idle without
// requests, until done is closed.
func (s *session) watch(done <-chan struct{}) {
	defer signal.Stop(s.sigs)
	var tick <-chan time.Time
	if s.cfg.idle > 0 {
		t := time.NewTicker(min(s.cfg.idle/4, time.Second))
		defer t.Stop()
		tick = t.C
	}
	detached := false
	var lastTry time.Time
	for {
		select {
		case <-done:
			return
		case sig := <-s.sigs:
			if detached {
				s.log.Info("still busy; exiting once the last open file is closed", "signal", sig.String())
				continue
			}
			sdNotify("STOPPING=1")
			if ifs.IsDevFD(s.mp) {
				s.log.Info("mounted through a /dev/fd descriptor: exiting without unmounting; umount the mount point to remove it", "signal", sig.String())
				s.img.Close()
				os.Exit(exitOK)
			}
			if err := s.server.Unmount(); err == nil {
				continue
			}
			if err := s.server.Detach(); err != nil {
				s.log.Error("cannot unmount", "mountpoint", s.mp, "err", err)
				continue
			}
			detached = true
			s.log.Info("mount point busy: detached it; exiting once the last open file is closed", "mountpoint", s.mp)
		case now := <-tick:
			if now.Sub(s.fsys.LastUse()) < s.cfg.idle || now.Sub(lastTry) < s.cfg.idle || detached {
				continue
			}
			lastTry = now
			if err := s.server.Unmount(); err != nil {
				s.log.Debug("idle but busy, staying mounted", "err", err)
				continue
			}
			s.log.Info("unmounted after being idle", "idle", s.cfg.idle.String(), "mountpoint", s.mp)
		}
	}
}

// verify checks the image's checksums in the background (verify option).
func (s *session) verify(ctx context.Context) {
	if s.img.isz == nil {
		s.log.Info("verify: a plain ISO image has no checksums to verify", "image", s.img.path)
		return
	}
	start := time.Now()
	err := s.img.isz.Verify(ctx, nil)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		s.log.Error("verify: image is damaged", "image", s.img.path, "err", err)
	default:
		s.log.Info("verify: image OK", "image", s.img.path, "took", time.Since(start).Round(time.Millisecond).String())
	}
}

// userAllowOther reports whether fuse.conf (path) has user_allow_other.
func userAllowOther(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(line) == "user_allow_other" {
			return true
		}
	}
	return false
}

// clearDead unmounts the iszmount mount at mp if it is dead: its daemon
// ended without unmounting (kill -9), so the mount point answers ENOTCONN
// ("transport endpoint is not connected"). A live mount is left alone;
// the error says what to do.
func clearDead(mp string, log *slog.Logger) error {
	var st unix.Statfs_t // statfs always reaches the daemon; stat may be cached
	if err := unix.Statfs(mp, &st); !errors.Is(err, unix.ENOTCONN) {
		return errors.New("unmount it first")
	}
	if err := ifs.Unmount(mp, false); err != nil {
		return fmt.Errorf("its daemon has ended, and clearing the dead mount failed (%v); clear it with: fusermount3 -u %s", err, mp)
	}
	log.Info("cleared a dead iszmount mount whose daemon had ended", "mountpoint", mp)
	return nil
}

// iszmountAt returns the topmost mount at mp if it is an iszmount one.
func iszmountAt(mounts []mountinfo.Mount, mp string) (mountinfo.Mount, bool) {
	m, found := mountinfo.At(mounts, mp)
	return m, found && m.FSType == "fuse.iszmount"
}

// sdNotify sends a state line to systemd when NOTIFY_SOCKET is set
// (Type=notify units): READY=1 once mounted, STOPPING=1 when unmounting.
func sdNotify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	if addr[0] == '@' {
		addr = "\x00" + addr[1:]
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Sendto(fd, []byte(state), 0, &unix.SockaddrUnix{Name: addr})
}

// openLogFile opens logfile= for appending, with timestamps on its lines.
func openLogFile(name string, level slog.Leveler) (slog.Handler, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return textHandler(f, level, true), nil
}

// openSyslog logs to syslog (the journal under systemd), if there is
// one listening.
func openSyslog(level slog.Leveler) (slog.Handler, error) {
	w, err := syslog.New(syslog.LOG_DAEMON|syslog.LOG_INFO, "iszmount")
	if err != nil {
		return nil, err
	}
	return &syslogHandler{w: w, level: level}, nil
}
