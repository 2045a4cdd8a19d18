package config

import (
	"strings"
	"testing"
	"time"
)

func TestServerDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != DefaultListen || time.Duration(c.Server.ReadyGrace) != 15*time.Minute {
		t.Fatalf("server defaults: %+v", c.Server)
	}
}

func TestServerListenEmptyDisables(t *testing.T) {
	c, err := Parse([]byte(minimal + "server: {listen: \"\", token_file: /run/t, ready_grace: 1m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != "" || c.Server.TokenFile != "/run/t" || time.Duration(c.Server.ReadyGrace) != time.Minute {
		t.Fatalf("server: %+v", c.Server)
	}
}

func TestServerInvalid(t *testing.T) {
	_, err := Parse([]byte(minimal + "server: {listen: nope, ready_grace: -1s}\n"))
	if err == nil || !strings.Contains(err.Error(), "server.listen") || !strings.Contains(err.Error(), "server.ready_grace") {
		t.Fatalf("want errors naming server.listen and server.ready_grace, got %v", err)
	}
}
