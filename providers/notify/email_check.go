package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"os"
	"strings"
)

// Default SMTP ports per TLS mode.
var defaultPorts = map[string]int{"starttls": 587, "tls": 465, "none": 25}

// addEmail checks o, reads its password with readFile (nil: os.ReadFile)
// and appends its target. Errors name the notify.email.* field, never the
// password.
func (n *Notifier) addEmail(o Email, readFile func(string) ([]byte, error)) error {
	if o.TLS == "" {
		o.TLS = "starttls"
	}
	port := o.Port
	if port == 0 {
		port = defaultPorts[o.TLS]
	}
	errs := checkEmail(o)
	password, err := readPassword(o, readFile)
	if err := errors.Join(append(errs, err)...); err != nil {
		return err
	}
	server := smtpURL(o.Host, port)
	n.targets = append(n.targets, target{
		field:  "notify.email",
		name:   server.String(),
		secret: scrubber{password},
		plan: email{server: server, from: o.From, to: o.To,
			opts: clientOptions(o, port, password, n.s.timeout)},
	})
	return nil
}

// checkEmail checks the fields of o but the password file.
func checkEmail(o Email) []error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("notify.email."+field+": "+format, args...))
	}
	switch _, known := defaultPorts[o.TLS]; {
	case o.Host == "":
		add("host", "is empty")
	case strings.ContainsAny(o.Host, " /:@") && !isIPv6(o.Host):
		add("host", "%q is not a host name or address", o.Host)
	case !known:
		add("tls", "%q is not starttls, tls or none", o.TLS)
	case o.TLS == "none" && !isLoopback(o.Host):
		add("tls", "none (plain SMTP) is allowed for a loopback host only: the password and messages would travel in clear")
	}
	if o.Port < 0 || o.Port > 65535 {
		add("port", "%d is not a port number", o.Port)
	}
	if err := checkAddress(o.From); err != nil {
		add("from", "%v", err)
	}
	if len(o.To) == 0 {
		add("to", "is empty: list at least one address")
	}
	for i, to := range o.To {
		if err := checkAddress(to); err != nil {
			add(fmt.Sprintf("to[%d]", i), "%v", err)
		}
	}
	return errs
}

// checkAddress checks one e-mail address, with or without a display name.
func checkAddress(a string) error {
	if a == "" {
		return errors.New("is empty")
	}
	if _, err := mail.ParseAddress(a); err != nil {
		return fmt.Errorf("%q is not an e-mail address", a)
	}
	return nil
}

// readPassword returns the password of o read from its file, without its
// final line break; "" without a username. Errors name the field and the
// file, never its content.
func readPassword(o Email, readFile func(string) ([]byte, error)) (string, error) {
	switch {
	case o.Username == "" && o.PasswordFile != "":
		return "", errors.New("notify.email.username: is empty: password_file needs a username")
	case o.Username == "":
		return "", nil
	case o.PasswordFile == "":
		return "", errors.New("notify.email.password_file: is empty: username needs a password file")
	}
	if readFile == nil {
		readFile = os.ReadFile
	}
	b, err := readFile(o.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("notify.email.password_file: %w", err)
	}
	password := strings.TrimRight(string(b), "\r\n")
	switch {
	case password == "":
		return "", fmt.Errorf("notify.email.password_file: %s is empty", o.PasswordFile)
	case strings.ContainsAny(password, "\r\n"):
		return "", fmt.Errorf("notify.email.password_file: %s holds more than one line", o.PasswordFile)
	}
	return password, nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	a, err := netip.ParseAddr(host)
	return strings.EqualFold(host, "localhost") || (err == nil && a.Unmap().IsLoopback())
}

// isIPv6 reports whether host is an IPv6 address.
func isIPv6(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is6()
}
