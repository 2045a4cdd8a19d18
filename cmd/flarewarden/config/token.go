package config

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// readTokenFile returns the token held in the file at path, read with
// readFile and trimmed of surrounding white space. field names where path
// came from (a config field or an environment variable). Errors name field
// and path, never the file's content; a file holding only white space is
// an error.
func readTokenFile(field, path string, readFile func(string) ([]byte, error)) (string, error) {
	b, err := readFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: read token file: %w", field, err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s: token file %s is empty", field, path)
	}
	if err := checkToken(tok); err != nil {
		return "", fmt.Errorf("%s: token file %s: %w", field, path, err)
	}
	return tok, nil
}

// checkToken refuses a token (already trimmed) that an HTTP header cannot
// carry as one word: API tokens are printable ASCII without spaces. A
// line break inside (a file with two lines, a value with a stray CR) would
// otherwise fail every request as if the network had. The error says what
// is wrong, never the token.
func checkToken(tok string) error {
	i := strings.IndexFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' })
	if i < 0 {
		return nil
	}
	return fmt.Errorf("malformed token: it holds %s inside (a token is one line of printable characters without spaces)",
		describeChar(tok[i:]))
}

// describeChar names the first character of rest, refused in a token,
// without showing the token.
func describeChar(rest string) string {
	r, _ := utf8.DecodeRuneInString(rest)
	switch {
	case r == '\n':
		return "a line break"
	case r == '\r':
		return "a carriage return"
	case r == '\t':
		return "a tab"
	case r == ' ':
		return "a space"
	case r < ' ' || r == 0x7f:
		return "a control character"
	}
	return "a non-ASCII character (a byte order mark?)"
}
