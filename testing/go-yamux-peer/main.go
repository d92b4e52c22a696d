// Command peer is a hashicorp/yamux peer for Hearth's interop tests. It dials ADDR, runs a
// yamux session (role server or client) and serves three kinds of streams, chosen by the
// stream's first byte:
//
//	'E' + u64 length: echo exactly that many bytes back, then close.
//	'S': sink; read to EOF (our FIN), answer "<bytes> <sha256 hex>\n", then close. A FIN that
//	     rode on a data frame made hashicorp's reader lose that frame's tail now and then.
//	'C': control; line commands "open N L" (open N streams, each sending L pattern bytes
//	     and checking the echo by SHA-256; answers "ok N" or "fail ..."), "ping" (answers
//	     "pong <ns>"), "close" (closes the session).
//
// With -noaccept it never accepts, so streams beyond -backlog are reset by yamux.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"os"
	"sync"

	"github.com/hashicorp/yamux"
)

func main() {
	addr := flag.String("addr", "", "address to dial")
	role := flag.String("role", "server", "yamux role: server or client")
	backlog := flag.Int("backlog", 256, "yamux AcceptBacklog")
	noAccept := flag.Bool("noaccept", false, "never accept streams")
	flag.Parse()

	conn, err := net.Dial("tcp", *addr)
	if err != nil {
		log.Fatalf("dial: %v", err)
	}
	cfg := yamux.DefaultConfig()
	cfg.AcceptBacklog = *backlog
	cfg.LogOutput = os.Stderr
	var sess *yamux.Session
	if *role == "client" {
		sess, err = yamux.Client(conn, cfg)
	} else {
		sess, err = yamux.Server(conn, cfg)
	}
	if err != nil {
		log.Fatalf("session: %v", err)
	}
	if *noAccept {
		<-sess.CloseChan()
		return
	}
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			return // session closed: normal exit
		}
		go serve(sess, st)
	}
}

func serve(sess *yamux.Session, st *yamux.Stream) {
	kind := make([]byte, 1)
	if _, err := io.ReadFull(st, kind); err != nil {
		st.Close()
		return
	}
	switch kind[0] {
	case 'E':
		echo(st)
	case 'S':
		sink(st)
	case 'C':
		control(sess, st)
	default:
		st.Close()
	}
}

func echo(st *yamux.Stream) {
	defer st.Close()
	var n uint64
	if err := binary.Read(st, binary.BigEndian, &n); err != nil {
		return
	}
	if _, err := io.CopyN(st, st, int64(n)); err != nil {
		log.Printf("echo %d: %v", st.StreamID(), err)
	}
}

func sink(st *yamux.Stream) {
	defer st.Close()
	h := sha256.New()
	n, err := io.Copy(h, st)
	if err != nil {
		fmt.Fprintf(st, "fail %v\n", err)
		return
	}
	fmt.Fprintf(st, "%d %x\n", n, h.Sum(nil))
}

func control(sess *yamux.Session, st *yamux.Stream) {
	r := bufio.NewReader(st)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		var n, l int
		switch {
		case line == "ping\n":
			d, err := sess.Ping()
			if err != nil {
				fmt.Fprintf(st, "fail %v\n", err)
			} else {
				fmt.Fprintf(st, "pong %d\n", d.Nanoseconds())
			}
		case line == "close\n":
			sess.Close()
			return
		case func() bool { _, e := fmt.Sscanf(line, "open %d %d\n", &n, &l); return e == nil }():
			fmt.Fprintln(st, openMany(sess, n, l))
		default:
			fmt.Fprintf(st, "fail unknown command %q\n", line)
		}
	}
}

// openMany opens n streams that each send l pattern bytes and expect them echoed back.
func openMany(sess *yamux.Session, n, l int) string {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := sendAndCheck(sess, i, l); err != nil {
				errs <- fmt.Errorf("stream %d: %w", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return "fail " + err.Error()
	}
	return fmt.Sprintf("ok %d", n)
}

func sendAndCheck(sess *yamux.Session, seed, l int) error {
	st, err := sess.OpenStream()
	if err != nil {
		return err
	}
	defer st.Close()
	var hdr [8]byte
	binary.BigEndian.PutUint64(hdr[:], uint64(l))
	if _, err := st.Write(hdr[:]); err != nil {
		return err
	}
	sent := sha256.New()
	done := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewSource(int64(seed)))
		buf := make([]byte, 32*1024)
		for left := l; left > 0; {
			c := buf
			if left < len(c) {
				c = c[:left]
			}
			rng.Read(c)
			sent.Write(c)
			if _, err := st.Write(c); err != nil {
				done <- err
				return
			}
			left -= len(c)
		}
		done <- nil
	}()
	got := sha256.New()
	if _, err := io.CopyN(got, st, int64(l)); err != nil {
		return fmt.Errorf("read echo: %w", err)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if !bytes.Equal(sent.Sum(nil), got.Sum(nil)) {
		return fmt.Errorf("echo differs")
	}
	return nil
}
