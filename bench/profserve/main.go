// Command profserve runs the server of "mtlsdoctor serve" with a CPU
// profile, for bench/profile.sh. It takes the serve flags that the
// benchmark needs and writes the profile when it receives SIGINT or
// SIGTERM.
//
//	profserve -addr 127.0.0.1:24431 -dir certs -cpuprofile serve.pprof 2>serve.log
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/mtlsdoctor/mtlsdoctor/serve"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:24431", "address to listen on")
	dir := flag.String("dir", ".", "folder with the files of mtlsdoctor gen")
	profile := flag.String("cpuprofile", "serve.pprof", "CPU profile to write")
	logFormat := flag.String("log-format", "text", "server log format: text or json")
	flag.Parse()
	if err := run(*addr, *dir, *profile, *logFormat); err != nil {
		fmt.Fprintln(os.Stderr, "profserve:", err)
		os.Exit(1)
	}
}

func run(addr, dir, profile, logFormat string) error {
	format, err := serve.ParseLogFormat(logFormat)
	if err != nil {
		return err
	}
	srv, err := serve.New(serve.Config{
		Addr:          addr,
		CertFile:      filepath.Join(dir, "server-crt.pem"),
		KeyFile:       filepath.Join(dir, "server-key.pem"),
		ClientCAFiles: []string{filepath.Join(dir, "test-ca-crt.pem")},
		Logger:        serve.NewLogger(os.Stderr, format),
	})
	if err != nil {
		return err
	}

	out, err := os.Create(profile)
	if err != nil {
		return fmt.Errorf("create CPU profile: %w", err)
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return fmt.Errorf("start CPU profile: %w", err)
	}
	defer pprof.StopCPUProfile()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return srv.ListenAndServe(ctx)
}
