package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/loopback"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/replicate"
	"github.com/cbr-replicate/cbr-replicate/secret"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const replicateUsage = `Replicate every backup of a CBR vault into a vault of another region
(POST /v3/{project_id}/checkpoints/replicate, "Replicating a Restore Point").

Usage:
  cbr-replicate replicate --vault-id ID --destination-project-id ID
      --destination-region REGION --destination-vault-id ID [flags]

The request body is checked against the API page before anything is sent;
every violation is printed at once ("pointer  rule  message") and nothing is
sent. --auto-trigger and --enable-acceleration are sent only when given
(--auto-trigger=false sends false); otherwise the service's default applies.
Today's page withdrew enable_acceleration (2024-09-06): --enable-acceleration
warns, and sends it.

The replication is one-way: a vault can be replicated to a region only once,
ever. So the checks of "cbr-replicate check" run first (--no-preflight skips
them), one line each on stderr, and nothing is sent when one fails; on a
terminal the command then asks before it sends (--yes does not ask).

No flag takes a token, password or secret key itself (--token-file takes
a file name; a trailing newline is removed), so none lands in shell history
or ps, and none is ever printed.

Flags:
%s
` + authUsage + `
Environment (besides authentication above):
  OS_PROJECT_ID   project ID, unless --project-id
  OS_REGION_NAME  region, unless --region (default: clouds.yaml, else eu-de)

Output (stdout):
  text  a summary: vault, source region, destination, each backup ID ->
        replication record ID
  json  the response body, {"replication": {...}}

--endpoint must be https, or plain http to a loopback host (a local fake);
--allow-http permits plain http to any host, with a warning on stderr: the
token (or signed request) then travels unencrypted. IAM's auth URL must be
https, or plain http to a loopback host.

Exit status: 0 replication started; 1 invalid input, violation, a failed
check, API error (status, code, meaning and request ID on stderr), refused
sign-in or not confirmed; 2 usage
or I/O error (missing flags, unreadable token file, network failure,
timeout, IAM unreachable).

Examples:
  export OS_CLOUD=otc   # clouds.yaml; the password in secure.yaml
  cbr-replicate replicate --vault-id 3b5816b5-f29c-4172-9d9a-76c719a659ce \
      --destination-project-id 68589cac08274b82b4e254268a3862d8 \
      --destination-region eu-nl \
      --destination-vault-id 0ca3eb86-8800-46da-9c37-9d657a825274
  export OS_AUTH_TOKEN=... OS_PROJECT_ID=4229d7a45436489f8c3dc2b1d35d4987
  cbr-replicate replicate --vault-id 3b5816b5-f29c-4172-9d9a-76c719a659ce \
      --destination-project-id 68589cac08274b82b4e254268a3862d8 \
      --destination-region eu-nl \
      --destination-vault-id 0ca3eb86-8800-46da-9c37-9d657a825274 --auto-trigger
  cbr-replicate replicate --mock --project-id p1 ...   (no cloud account needed;
      with a sign-in configuration the sign-in runs against a fake IAM)
  cbr-replicate replicate --dry-run ...                (print the request only)
`

// mockToken is the token sent to the in-process fake of --mock when no
// token is configured; the fake accepts any non-empty token.
const mockToken = "mock-token"

// replicateOptions is "cbr-replicate replicate" after flag parsing.
type replicateOptions struct {
	streams
	// The client's options: the flags' Region, ProjectID, Timeout,
	// AllowInsecureHTTP and ValidateResponses, and the Token (a session) or
	// Signer replicateRun prepares; newClient adds the endpoint.
	client.Options
	param        cbr.CheckpointReplicateParam
	projectFrom  string // "--project-id", "OS_PROJECT_ID" or "the token's project", for messages
	endpointFrom string // "--endpoint" or "the catalog's CBR URL", for messages
	endpoint     string
	tokenFile    string
	cloud        string // --os-cloud
	dryRun       bool
	mock         bool
	checkOnly    bool   // the check command: the checks, not the replication
	noPreflight  bool   // --no-preflight
	yes          bool   // --yes: no question on a terminal
	destEndpoint string // --destination-endpoint
	world        string // --world: the file of the --mock's world
	output       outputFormat
	creds        credentials // how to authenticate, chosen by parseCall

	// Set by replicateRun: the token read; and for a --dry-run that would
	// sign in, where.
	token      secret.Value
	signInNote string
}

// parseCall parses the command line of replicate or check (cmd), which
// take the same flags, chooses the way to authenticate, fills project and
// region from the environment, and reports every usage problem at once.
func parseCall(s streams, cmd string, args []string) (*replicateOptions, error) {
	usage := replicateUsage
	if cmd == "check" {
		usage = checkUsage
	}
	o := &replicateOptions{streams: s, output: outputText, endpointFrom: "--endpoint", checkOnly: cmd == "check"}
	var autoTrigger, acceleration bool
	fs := newFlagSet(cmd)
	fs.StringVar(&o.param.VaultId, "vault-id", "", "ID (UUID) of the source vault (required)")
	fs.StringVar(&o.param.DestinationProjectId, "destination-project-id", "", "ID of the destination project (required)")
	fs.StringVar(&o.param.DestinationRegion, "destination-region", "", "ID of the destination region, at most 255 characters (required)")
	fs.StringVar(&o.param.DestinationVaultId, "destination-vault-id", "", "ID of the vault in the destination region (required)")
	fs.BoolVar(&autoTrigger, "auto-trigger", false, "trigger the replication now (sent only when given)")
	fs.BoolVar(&acceleration, "enable-acceleration", false, "shorten cross-region replication (sent only when given)")
	fs.StringVar(&o.ProjectID, "project-id", "", "project ID of the source vault (default $OS_PROJECT_ID, else the token's project)")
	fs.StringVar(&o.Region, "region", "", "region of the source vault: eu-de or eu-nl (default $OS_REGION_NAME, else clouds.yaml, else eu-de)")
	fs.StringVar(&o.endpoint, "endpoint", "", "CBR endpoint URL; overrides the catalog and --region (e.g. another cloud of the family)")
	fs.BoolVar(&o.AllowInsecureHTTP, "allow-http", false, "allow a plain http --endpoint to a host that is not loopback (the token travels unencrypted)")
	fs.StringVar(&o.tokenFile, "token-file", "", "read the token from this file (- for stdin) instead of $OS_AUTH_TOKEN")
	fs.StringVar(&o.cloud, "os-cloud", "", "sign in with this cloud of clouds.yaml (default $OS_CLOUD, after the ways above it)")
	fs.DurationVar(&o.Timeout, "timeout", client.DefaultTimeout, "give up on the call, sign-in included, after this long")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the validated request (credentials redacted), sign in nowhere and send nothing")
	fs.BoolVar(&o.mock, "mock", false, "send to an in-process fake on loopback (no cloud account or token needed)")
	fs.StringVar(&o.world, "world", "", "with --mock: the fake's regions and vaults, a YAML file (see cbr-replicate mock --help)")
	fs.BoolVar(&o.ValidateResponses, "validate-response", false, "also check the response against the API page (contract drift is exit 1)")
	fs.StringVar(&o.destEndpoint, "destination-endpoint", "", "CBR endpoint of the destination region, for its checks (default: the catalog's, else the region's)")
	fs.BoolVar(&o.noPreflight, "no-preflight", false, "send without checking the replication first")
	fs.BoolVar(&o.yes, "yes", false, "do not ask before the one-way call on a terminal")
	fs.VarP(&o.output, "output", "o", "output format: text or json")
	if err := parseFlags(s, fs, usage, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (every value is given by a flag)", fs.Arg(0))
	}
	if fs.Changed("auto-trigger") {
		o.param.AutoTrigger = &autoTrigger
	}
	if fs.Changed("enable-acceleration") {
		o.param.EnableAcceleration = &acceleration
	}
	authProblems := o.fromEnvironment(fs)
	if problems := append(o.problems(fs), authProblems...); len(problems) > 0 {
		return nil, usagef("%s", strings.Join(problems, "; "))
	}
	return o, nil
}

// fromEnvironment chooses the way to authenticate and fills what the
// command line left open from the environment: the project ID, and the
// region (then from clouds.yaml). It returns the problems of the way.
func (o *replicateOptions) fromEnvironment(fs *pflag.FlagSet) []string {
	var problems []string
	o.creds, problems = chooseCredentials(o.getenv, o.tokenFile, o.cloud, fs.Changed("os-cloud"))
	o.projectFrom = "--project-id"
	if !fs.Changed("project-id") {
		o.ProjectID, o.projectFrom = strings.TrimSpace(o.getenv("OS_PROJECT_ID")), "OS_PROJECT_ID"
	}
	if !fs.Changed("region") {
		o.Region = o.getenv("OS_REGION_NAME")
	}
	if c := o.creds.signIn; c != nil {
		if c.ProjectID == "" && c.ProjectName == "" {
			c.ProjectID = o.ProjectID // an explicit project ID scopes a configuration without one
		}
		o.Region = cmp.Or(o.Region, c.Region)
		problems = append(problems, o.signInProblems()...)
	}
	o.Region = cmp.Or(o.Region, openapi.DefaultRegion()) // the spec's default server region
	return problems
}

// problems lists every usage problem of the parsed command line: missing
// flags first, then values the client would refuse, in flag words.
func (o *replicateOptions) problems(fs interface{ Changed(string) bool }) []string {
	var missing, problems []string
	for _, name := range []string{"vault-id", "destination-project-id", "destination-region", "destination-vault-id"} {
		if !fs.Changed(name) {
			missing = append(missing, "--"+name)
		}
	}
	check := *o // the client's options are checked even when some are missing
	if strings.TrimSpace(o.ProjectID) == "" {
		// A sign-in gives the token's project.
		if !o.creds.signsIn() {
			missing = append(missing, "--project-id (or OS_PROJECT_ID)")
		}
		check.ProjectID = unknownProject
	}
	// The fake of --mock accepts any token: it needs none.
	if !o.mock && o.creds.from == "" {
		missing = append(missing, missingCredentials)
	}
	if len(missing) > 0 {
		problems = append(problems, "missing "+strings.Join(missing, ", "))
	}
	if fs.Changed("world") && (!o.mock || o.world == "") {
		problems = append(problems, "--world needs --mock and a file name")
	}
	if fs.Changed("token-file") && o.tokenFile == "" {
		problems = append(problems, "--token-file needs a file name (- for standard input)")
	}
	if o.Timeout <= 0 {
		problems = append(problems, fmt.Sprintf("--timeout must be positive, not %s", o.Timeout))
	}
	endpoint := o.endpoint
	if o.mock {
		if fs.Changed("endpoint") {
			return append(problems, "--mock and --endpoint exclude each other")
		}
		endpoint = "http://127.0.0.1" // the fake's, known once it runs
	}
	if _, err := check.newClient(endpoint, "--endpoint", nil); err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// unknownProject stands for the project ID while parsing a sign-in's
// command line: the token's project is known only once signed in.
const unknownProject = "PROJECT_ID_OF_THE_TOKEN"

// newClient builds the client for endpoint ("" for --region; endpointFrom
// says where it came from, for messages) with the authentication
// replicateRun prepared: the signer, the session, or the token read
// (o.token, taken when a request is built). Its error is a *usageError in
// the command's words.
func (o *replicateOptions) newClient(endpoint, endpointFrom string, hc *http.Client) (*client.Client, error) {
	if o.ProjectID == unknownProject && endpoint != "" {
		// The project is the token's, unknown yet: whatever project the
		// endpoint names is checked against it once signed in.
		root, err := client.ServiceRoot(endpoint, "", o.AllowInsecureHTTP)
		if err != nil {
			return nil, o.optionError(err, endpointFrom)
		}
		endpoint = root
	}
	opts := o.Options
	opts.Endpoint, opts.HTTPClient = endpoint, hc
	if opts.Token == nil && opts.Signer == nil {
		opts.Token = client.TokenFunc(func(context.Context) (string, error) { return o.token.Reveal(), nil })
	}
	c, err := client.New(opts)
	if err != nil {
		return nil, o.optionError(err, endpointFrom)
	}
	return c, nil
}

// optionError says what client.New refused in the command's words: the
// flag, or where the value came from (the catalog's CBR URL, the token's
// project).
func (o *replicateOptions) optionError(err error, endpointFrom string) error {
	oe, ok := errors.AsType[*client.OptionError](err)
	if !ok {
		return &usageError{err: err}
	}
	what := map[string]string{"Endpoint": endpointFrom, "Region": "--region", "ProjectID": o.projectFrom,
		"Timeout": "--timeout", "Token": "the token"}[oe.Field]
	reason := oe.Reason
	switch {
	case oe.Insecure:
		reason = "is plain http to a host that is not loopback: the token would travel unencrypted (use https, or --allow-http)"
	case oe.ProjectID != "":
		reason = fmt.Sprintf("names project %s, but the project is %s (%s)", oe.ProjectID, o.ProjectID, o.projectFrom)
	case oe.Field == "Region":
		reason = "is an unknown region: known regions are " + strings.Join(openapi.Regions(), ", ") + " (set --endpoint for another cloud)"
	}
	if oe.Value != "" {
		return usagef("%s %q %s", what, oe.Value, reason)
	}
	return usagef("%s %s", what, reason)
}

// replicateRun authenticates (signing in, unless --dry-run), builds the
// request (the client checks it against the page: an invalid one is not
// sent), prints it for --dry-run; otherwise it runs the pre-flight checks
// (unless --no-preflight), asks on a terminal (unless --yes), and sends it
// and prints the answer. The check command stops after the checks.
func replicateRun(ctx context.Context, o *replicateOptions) error {
	var srv *cbrtest.Server
	endpoint, hc := o.endpoint, (*http.Client)(nil)
	if o.mock {
		var err error
		if srv, err = o.startMock(); err != nil {
			return err
		}
		defer srv.Close()
		endpoint, hc = srv.URL, srv.Client()
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	endpoint, err := o.authenticate(ctx, endpoint, hc)
	if err != nil {
		return o.callError(ctx, err)
	}
	c, err := o.newClient(endpoint, o.endpointFrom, hc)
	if err != nil {
		return err
	}
	o.warnInsecure(c, o.Signer != nil)
	if reason, ok := deprecated("CheckpointReplicateParam", "enable_acceleration"); ok && o.param.EnableAcceleration != nil {
		fmt.Fprintf(o.errOut, "warning: --enable-acceleration: %s It is sent as asked.\n", reason)
	}
	// Built and validated first: an invalid request runs no check either.
	req, err := c.NewReplicateRequest(ctx, o.param)
	if err != nil {
		return o.callError(ctx, err)
	}
	if o.dryRun {
		return printDryRun(o.out, req, o.output, o.signInNote)
	}
	if o.checkOnly || !o.noPreflight {
		dest, skip := o.destinationClient(ctx, hc, srv)
		report := replicate.Preflight(ctx, replicate.Plan{Param: o.param, Source: c, Destination: dest, DestinationSkip: skip}, o.progress())
		if o.checkOnly {
			return o.printReport(report)
		}
		if f := report.Failed(); f != nil {
			return &invalidError{fmt.Errorf("the %s check failed; nothing was sent: %s", f.Name, redact.Line(f.Reason))}
		}
	}
	if err := o.confirm(); err != nil {
		return err
	}
	res, err := c.Replicate(ctx, o.param)
	if err != nil {
		return o.callError(ctx, err)
	}
	return printReplication(o.out, res, o.output)
}

// warnInsecure says on stderr, for --allow-http, that c (signed: with
// AK/SK) sends its credential in clear to a host that is not loopback.
func (o *replicateOptions) warnInsecure(c *client.Client, signed bool) {
	u, _ := url.Parse(c.Endpoint())
	if !o.AllowInsecureHTTP || !loopback.Unencrypted(u) {
		return
	}
	what := "the token travels"
	if signed {
		what = "the signed request travels"
	}
	fmt.Fprintf(o.errOut, "warning: --allow-http: %s unencrypted to %s\n", what, redact.Printable(u.Host))
}

// startMock starts the in-process fake of --mock, in the --region and the
// --world given: with the sign-in configuration's user in its IAM (and the
// configuration pointed at it), with the AK/SK pair, or accepting any
// token.
func (o *replicateOptions) startMock() (*cbrtest.Server, error) {
	opts := []cbrtest.Option{cbrtest.WithSourceRegion(o.Region)}
	if o.world != "" {
		w, err := readWorld(o.streams, o.world, o.Region, "--region")
		if err != nil {
			return nil, err
		}
		opts = append(opts, cbrtest.WithWorld(w))
	}
	switch {
	case o.creds.signsIn():
		opts = append(opts, cbrtest.WithIAM(o.creds.mockUser)) // parseCall adapted the configuration to it
	case o.creds.signsRequests():
		opts = append(opts, cbrtest.WithAKSK(o.creds.keys))
	}
	srv, err := cbrtest.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("start the fake of --mock: %w", err)
	}
	if o.creds.signsIn() {
		o.creds.signIn.AuthURL = srv.URL + "/v3"
	}
	return srv, nil
}

// callError explains a failed call. An invalid request, an API error or an
// answer that is not the page's is an *invalidError (exit 1); a network
// failure, timeout or interruption a plain error (exit 2). The client's
// errors carry no token.
func (o *replicateOptions) callError(ctx context.Context, err error) error {
	var (
		apiErr    *client.APIError
		decodeErr *client.DecodeError
		respErr   *validate.ResponseError
		verr      *validate.Error
		signIn    *auth.SignInError
	)
	msg := err.Error()
	switch {
	case errors.As(err, new(*usageError)) || errors.As(err, new(*invalidError)):
		return err // explained already
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return fmt.Errorf("no answer within --timeout %s: %s", o.Timeout, msg)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted: %s", msg)
	case errors.As(err, &signIn) && signIn.Refused:
		return &invalidError{errors.New("sign-in failed: " + authText(signIn))}
	case errors.As(err, &signIn):
		return errors.New("sign-in failed: " + authText(signIn))
	case errors.As(err, &apiErr):
		return &invalidError{errors.New(apiErrorText(apiErr))}
	case errors.As(err, &decodeErr):
		return &invalidError{fmt.Errorf("the service accepted the request (HTTP %d) but its answer is not the page's response;\n"+
			"  the replication may have started: check the vault's replication records before trying again.\n"+
			"  error:      %s\n  request id: %s", decodeErr.StatusCode, redact.Line(messageOf(decodeErr.Err)), orNone(limit.Text(decodeErr.RequestID, limit.Message)))}
	case errors.As(err, &respErr):
		headline := fmt.Sprintf("the response (status %d) does not match the API page", respErr.StatusCode)
		if respErr.Err == nil {
			return &invalidError{errors.New(headline)}
		}
		return &invalidError{errors.New(violationsText(headline, respErr.Err.Violations))}
	case errors.As(err, &verr):
		return &invalidError{errors.New(violationsText("the request is invalid; nothing was sent", verr.Violations))}
	}
	return errors.New(msg)
}

// apiErrorText shows an error answer of the service readably; every
// server-supplied field is cut (limit.Message) and goes through redact.Line.
func apiErrorText(e *client.APIError) string {
	said := func(s string) string { return redact.Line(limit.Text(s, limit.Message)) }
	var b strings.Builder
	fmt.Fprintf(&b, "the service refused the replication: HTTP %d %s\n", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		fmt.Fprintf(&b, "  code:       %s\n", said(e.Code))
		if m := client.CodeMeaning(e.Code); m != "" {
			fmt.Fprintf(&b, "  meaning:    %s\n", m)
		}
	}
	if e.Message != "" {
		fmt.Fprintf(&b, "  message:    %s\n", said(e.Message))
	}
	if e.Code == "" && e.Message == "" {
		fmt.Fprintf(&b, "  body:       %s\n", bodySnippet(e.Body))
	}
	fmt.Fprintf(&b, "  request id: %s", cmp.Or(said(e.RequestID), "(none)"))
	return b.String()
}

// bodySnippet shows the start of a body that is not a CBR error (an HTML
// page of a gateway, nothing at all) on one printable line.
func bodySnippet(body []byte) string {
	return cmp.Or(redact.Printable(limit.Text(redact.Fold(string(body)), 200)), "(empty)")
}

// printReplication prints the result of a replication on stdout (the
// client returns none without its "replication" object).
func printReplication(w io.Writer, r *cbr.CheckpointReplicateRespBody, format outputFormat) error {
	if format == outputJSON {
		return writeJSON(w, cbr.CheckpointReplicateResp{Replication: r})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Replication of vault %s started.\n", orNone(r.VaultId))
	fmt.Fprintf(&b, "  source:       region %s, project %s\n", orNone(r.SourceRegion), orNone(r.ProjectId))
	fmt.Fprintf(&b, "  destination:  vault %s, region %s, project %s\n", orNone(r.DestinationVaultId), orNone(r.DestinationRegion), orNone(r.DestinationProjectId))
	if r.ProviderId != "" {
		fmt.Fprintf(&b, "  provider:     %s\n", redact.Printable(r.ProviderId))
	}
	fmt.Fprintf(&b, "  backups:      %d (backup ID -> replication record ID)\n", len(r.Backups))
	for _, bk := range r.Backups {
		fmt.Fprintf(&b, "    %s -> %s\n", orNone(bk.BackupId), orNone(bk.ReplicationRecordId))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// dryRunRequest is the --output json document of --dry-run.
type dryRunRequest struct {
	SignIn string            `json:"sign_in,omitempty"`
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Header map[string]string `json:"header"`
	Body   json.RawMessage   `json:"body"`
}

// printDryRun prints where a sign-in would happen (signIn, as
// auth.Config.Describe says it; "" for none) and
// the request NewRequest built, exactly its body, every secret header
// (X-Auth-Token, Authorization) shown as [REDACTED].
func printDryRun(w io.Writer, r *http.Request, format outputFormat, signIn string) error {
	body, err := limit.ReadAll(r.Body, limit.Request)
	if err != nil {
		return fmt.Errorf("dry run: read the request body: %w", err)
	}
	header := make(map[string]string, len(r.Header))
	for name, values := range redact.Header(r.Header) {
		header[name] = strings.Join(values, ", ")
	}
	if format == outputJSON {
		return writeJSON(w, dryRunRequest{SignIn: signIn, Method: r.Method, URL: r.URL.String(), Header: header, Body: body})
	}
	var b bytes.Buffer
	if signIn != "" {
		fmt.Fprintf(&b, "# would sign in at %s\n", redact.Printable(signIn))
	}
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.String())
	for _, name := range slices.Sorted(maps.Keys(header)) {
		fmt.Fprintf(&b, "%s: %s\n", name, redact.Printable(header[name]))
	}
	b.WriteString("\n")
	if err := json.Indent(&b, body, "", "  "); err != nil {
		return fmt.Errorf("dry run: the request body is not JSON: %w", err)
	}
	b.WriteString("\n")
	_, err = w.Write(redact.JSON(b.Bytes()))
	return err
}
