package config

import (
	"fmt"
	"strings"
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
	return tok, nil
}
