package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
)

// readIAMUsers reads --iam-users-file with cbrtest.ParseIAMUsers, whose
// errors give line numbers only.
func readIAMUsers(s streams, name string) ([]cbrtest.IAMUser, error) {
	b, err := readSecretsFile(s, "--iam-users-file", name)
	if err != nil {
		return nil, err
	}
	users, err := cbrtest.ParseIAMUsers(bytes.NewReader(b))
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("--iam-users-file %s: %s", name, oneLineList(strings.TrimPrefix(err.Error(), "cbrtest: ")))}
	}
	return users, nil
}

// readKeys reads --aksk-file: one "AK SK [security-token]" key pair a
// line (the token of a temporary key pair as an optional third column),
// blank lines and lines starting with # skipped. Every bad line is
// reported at once, by number, never with its content (it holds secrets).
func readKeys(s streams, name string) ([]aksk.Credentials, error) {
	b, err := readSecretsFile(s, "--aksk-file", name)
	if err != nil {
		return nil, err
	}
	var (
		keys []aksk.Credentials
		errs []error
		seen = map[string]int{}
	)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, len(b)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		switch {
		case len(f) != 2 && len(f) != 3:
			errs = append(errs, fmt.Errorf("line %d: %d fields, want 2 or 3 (access key, secret key, optional security token)", n, len(f)))
			continue
		case seen[f[0]] != 0:
			errs = append(errs, fmt.Errorf("line %d: the access key of line %d again", n, seen[f[0]]))
			continue
		}
		seen[f[0]] = n
		token := ""
		if len(f) == 3 {
			token = f[2]
		}
		keys = append(keys, aksk.NewCredentials(f[0], f[1], token))
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 && len(keys) == 0 {
		errs = append(errs, errors.New("no key pair"))
	}
	if len(errs) > 0 {
		return nil, &usageError{err: fmt.Errorf("--aksk-file %s: %s", name, oneLineList(errors.Join(errs...).Error()))}
	}
	return keys, nil
}

// oneLineList joins the lines of a joined error with "; ".
func oneLineList(s string) string {
	return strings.Join(strings.Split(s, "\n"), "; ")
}
