package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/replicate"
)

const checkUsage = `Check a replication before it is sent, with the calls the API documents,
and send nothing: the checks "replicate" runs first.

Usage:
  cbr-replicate check --vault-id ID --destination-project-id ID
      --destination-region REGION --destination-vault-id ID [flags]

The checks, each with what the documents say (README, "Before the call"):
  replication capability  the source region replicates to the destination region
  source vault            a server backup vault, available (disk vaults: 6128)
  source backups          at least one available ECS backup with its system disk
  destination vault       a replication vault of the destination region and
                          project, of the source's type, with room (6120, 6119, 6129)
The destination vault needs a credential for the destination project: a
sign-in is scoped a second time to it, AK/SK signs with its ID; a ready
token is scoped to one project, so that check is skipped (unless the
destination project is the source's). Its endpoint: the catalog's when
signed in, else --destination-endpoint, else the region's.

Output (stdout): one line per check, "check  verdict  reason" (pass, fail,
skip); --output json: {"checks": [{"name", "verdict", "reason", "source"}]}.

Flags:
%s
` + authUsage + `
Exit status: 0 every check passed; 1 a check failed; 2 a check could not
run (skipped), or a usage or I/O error.
`

// deprecated returns the reason the spec gives for deprecating a property
// of a schema (x-deprecated-reason), if it is deprecated.
func deprecated(schema, property string) (string, bool) {
	doc, err := openapi.Doc()
	if err != nil || doc.Components.Schemas[schema] == nil {
		return "", false
	}
	p := doc.Components.Schemas[schema].Value.Properties[property]
	if p == nil || p.Value == nil || !p.Value.Deprecated {
		return "", false
	}
	reason, _ := p.Value.Extensions["x-deprecated-reason"].(string)
	return reason, true
}

// destinationClient is the client of the destination vault's check:
// scoped to the destination project (a second sign-in, AK/SK signing with
// its ID, or the source's token when the project is the same) at the
// destination region's endpoint; nil and the reason when there is none.
func (o *replicateOptions) destinationClient(ctx context.Context, hc *http.Client, srv *cbrtest.Server) (*client.Client, string) {
	p := o.param
	opts := o.Options // the flags' and the source's credential; the endpoint follows
	opts.Region, opts.ProjectID, opts.Endpoint, opts.HTTPClient = "", p.DestinationProjectId, o.destEndpoint, hc
	if opts.Endpoint == "" && srv != nil {
		opts.Endpoint = srv.RegionURL(p.DestinationRegion)
	}
	switch {
	case o.creds.signsRequests():
		signer, err := aksk.NewSigner(o.creds.keys, p.DestinationProjectId)
		if err != nil {
			return nil, err.Error()
		}
		opts.Signer = signer
	case o.creds.signsIn() && o.ProjectID != p.DestinationProjectId:
		cfg := *o.creds.signIn
		cfg.ProjectID, cfg.ProjectName, cfg.ProjectDomainID, cfg.ProjectDomainName = p.DestinationProjectId, "", "", ""
		session, err := auth.NewSession(cfg, auth.WithHTTPClient(hc))
		if err == nil && opts.Endpoint == "" {
			opts.Endpoint, err = session.Endpoint(ctx, "cbr", p.DestinationRegion)
		}
		if err != nil {
			return nil, "could not sign in to the destination project: " + authText(err)
		}
		opts.Token = session
	case o.ProjectID == p.DestinationProjectId || o.mock:
		if opts.Token == nil { // the source's session, else the token read
			opts.Token = client.StaticToken(o.token.Reveal())
		}
	default:
		return nil, "a ready token is scoped to one project, the source's: sign in (--os-cloud, OS_CLOUD, OS_AUTH_URL) or sign with AK/SK to check the destination vault"
	}
	if opts.Endpoint == "" {
		var err error
		if opts.Endpoint, err = openapi.ServerURL(p.DestinationRegion); err != nil {
			return nil, fmt.Sprintf("no CBR endpoint is known for region %s: give --destination-endpoint", p.DestinationRegion)
		}
	}
	c, err := client.New(opts)
	if err != nil {
		var oe *client.OptionError
		if errors.As(err, &oe) {
			return nil, fmt.Sprintf("the destination endpoint %s %s", oe.Value, oe.Reason)
		}
		return nil, err.Error()
	}
	o.warnInsecure(c, opts.Signer != nil) // --allow-http reaches the catalog's URL too
	return c, ""
}

// progress prints a line per check as it ends (stdout for check, stderr
// before a replication); on a terminal the check in progress shows first.
func (o *replicateOptions) progress() func(string, *replicate.Check) {
	w := o.errOut
	if o.checkOnly {
		if o.output == outputJSON {
			return nil
		}
		w = o.out
	}
	return func(name string, done *replicate.Check) {
		switch {
		case done == nil && o.tty:
			fmt.Fprintf(o.errOut, "%-22s  ...\r", name)
		case done != nil:
			if o.tty && w != o.errOut {
				fmt.Fprintf(o.errOut, "%-22s     \r", "")
			}
			fmt.Fprintf(w, "%-22s  %-4s  %s\n", done.Name, done.Verdict, redact.Line(done.Reason))
		}
	}
}

// printReport ends the check command: JSON when asked, and the exit status
// (1 when a check failed, 2 when one could not run).
func (o *replicateOptions) printReport(r replicate.Report) error {
	if o.output == outputJSON {
		if err := writeJSON(o.out, r); err != nil {
			return err
		}
	}
	if r.Failed() != nil {
		return &invalidError{} // the table or the JSON says which and why
	}
	if s := r.Skipped(); s != nil {
		return fmt.Errorf("the %s check could not run: %s", s.Name, redact.Line(s.Reason)) // the server's words stay on the line
	}
	return nil
}

// confirm asks, on a terminal and without --yes, whether to send the
// one-way call; anything but yes sends nothing.
func (o *replicateOptions) confirm() error {
	if !o.tty || o.yes {
		return nil
	}
	fmt.Fprintf(o.errOut, "Vault %s can be replicated to region %s only once, ever (even if its backups are deleted later).\nReplicate now? [y/N] ",
		redact.Printable(o.param.VaultId), redact.Printable(o.param.DestinationRegion))
	answer, err := bufio.NewReader(io.LimitReader(o.in, 64)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the answer: %w", err)
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return &invalidError{errors.New("not confirmed; nothing was sent")}
	}
	return nil
}
