package leader

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{Namespace: "flarewarden", Name: "flarewarden", Identity: "a"}
}

func TestWithDefaultsFillsZeroFields(t *testing.T) {
	c, err := Config{Namespace: "ns", Name: "n"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.LeaseDuration != DefaultLeaseDuration || c.RenewDeadline != DefaultRenewDeadline || c.RetryPeriod != DefaultRetryPeriod {
		t.Errorf("timings = %v/%v/%v, want defaults", c.LeaseDuration, c.RenewDeadline, c.RetryPeriod)
	}
	host, _ := os.Hostname()
	if c.Identity != host {
		t.Errorf("Identity = %q, want hostname %q", c.Identity, host)
	}
	if c.Log == nil {
		t.Error("Log is nil")
	}
	if err := c.validate(); err != nil {
		t.Errorf("defaulted config invalid: %v", err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want []string
	}{
		{"no namespace", func(c *Config) { c.Namespace = "" }, []string{"Namespace", "--leader-elect-namespace"}},
		{"no name", func(c *Config) { c.Name = "" }, []string{"Name", "--leader-elect-name"}},
		{"lease not above renew", func(c *Config) { c.LeaseDuration, c.RenewDeadline = 10*time.Second, 10*time.Second },
			[]string{"LeaseDuration", "must be greater than RenewDeadline"}},
		{"lease not above renew in whole seconds", func(c *Config) { c.LeaseDuration, c.RenewDeadline = 10500*time.Millisecond, 10*time.Second },
			[]string{"LeaseDuration", "must be greater than RenewDeadline", "whole seconds"}},
		{"renew not above 1.2 retry", func(c *Config) { c.RenewDeadline, c.RetryPeriod = 12*time.Second, 10*time.Second },
			[]string{"RenewDeadline", "1.2 times RetryPeriod"}},
		{"sub-second lease", func(c *Config) {
			c.LeaseDuration, c.RenewDeadline, c.RetryPeriod = 900*time.Millisecond, 500*time.Millisecond, 100*time.Millisecond
		}, []string{"LeaseDuration", "under 1s"}},
		{"negative retry", func(c *Config) { c.RetryPeriod = -time.Second }, []string{"RetryPeriod", "not positive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := validConfig().withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(&c)
			err = c.validate()
			if err == nil {
				t.Fatal("validate accepted an invalid config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRunRejectsBadConfigAndClient(t *testing.T) {
	lead := func(context.Context) {}
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "missing.kubeconfig")
	for _, tc := range []struct {
		name string
		c    Config
		lead func(context.Context)
		want string
	}{
		{"nil lead", validConfig(), nil, "lead function is nil"},
		{"invalid timings", Config{Namespace: "n", Name: "n", LeaseDuration: time.Second, RenewDeadline: 2 * time.Second}, lead, "LeaseDuration"},
		{"missing kubeconfig", Config{Namespace: "n", Name: "n", Kubeconfig: missing}, lead, "--kubeconfig"},
		{"not in a cluster", validConfig(), lead, "in-cluster config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "not in a cluster" && os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
				t.Skip("running inside a cluster")
			}
			err := Run(ctx, tc.c, tc.lead, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
