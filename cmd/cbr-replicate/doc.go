// Command cbr-replicate replicates every backup of an Open Telekom Cloud CBR
// vault into a vault of another region ("Replicating a Restore Point",
// POST /v3/{project_id}/checkpoints/replicate), checks request and response
// bodies against that API page, and serves a fake of the call for tests.
//
// Usage:
//
//	cbr-replicate replicate --vault-id ID --destination-project-id ID \
//	    --destination-region REGION --destination-vault-id ID \
//	    [--auto-trigger[=BOOL]] [--enable-acceleration[=BOOL]] \
//	    [--project-id ID] [--region eu-de|eu-nl] [--endpoint URL] [--allow-http] \
//	    [--token-file FILE | --os-cloud NAME] [--timeout 60s] [--dry-run] [--mock [--world FILE]]
//	    [--validate-response] [--output text|json]
//	cbr-replicate validate request|response [--status N] [--output text|json] [--quiet] [FILE|-]
//	cbr-replicate mock [--listen 127.0.0.1:8080] [--source-region REGION] [--status N] [--world FILE]
//	    [--token-file FILE | --iam-users-file FILE] [--aksk-file FILE]
//	cbr-replicate help [COMMAND] | --help | --version
//
// replicate authenticates the first way that is given, in one order of
// precedence (credentials.go, printed by --help): --token-file (a ready
// token), --os-cloud (sign in with clouds.yaml and secure.yaml), OS_AUTH_TOKEN,
// OS_ACCESS_KEY and OS_SECRET_KEY (AK/SK signing, package aksk; also
// HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), OS_CLOUD, and the OS_* variables
// of an openrc (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, ...). A sign-in goes
// through package auth (gophercloud): it gives the project ID (unless
// --project-id or OS_PROJECT_ID, which must then be the token's) and the
// CBR endpoint of the token's catalog (unless --endpoint), and a refused
// sign-in exits 1, an unreachable IAM 2, with nothing sent to CBR. The
// region is --region, else OS_REGION_NAME, else clouds.yaml's region_name,
// else eu-de. No flag takes a token, password or secret key itself, so none
// lands in shell history or ps, and none is printed: --dry-run says where it
// would sign in (without signing in) and shows "X-Auth-Token: [REDACTED]" or
// "Authorization: [REDACTED]" (every secret header, as package
// internal/redact spells it). With --mock and a sign-in configuration, the
// in-process fake serves IAM for the configuration's user, so the sign-in
// runs for real on loopback; with AK/SK the fake verifies the signature. --endpoint must be
// https, or plain http to a loopback host; --allow-http permits plain http
// to any host, with a warning on stderr.
//
// Flags are GNU-style long flags (github.com/spf13/pflag): --flag=value or
// --flag value, in any order with the arguments. A flag of any subcommand
// given twice with different values is a usage error, not "last one wins". The booleans
// --auto-trigger and --enable-acceleration are sent only when given, so the
// service applies its own default otherwise; --auto-trigger=false sends false.
//
// Every request body is checked against the API page (package validate)
// before anything is sent, and every violation is printed at once, one a
// line: "pointer  rule  message". The validate subcommand prints "valid" for
// a valid body (or nothing with --quiet), and --output json prints
// {"valid": bool, "violations": [...]}, violations always an array.
//
// The mock subcommand serves package cbrtest's fake on a real http.Server,
// with GET /openapi.yaml (openapi/cbr-replicate.yaml itself, comments
// included, from package openapi) and GET /openapi.json (the spec embedded
// in package cbr), one log line per request on stderr and a graceful
// shutdown on SIGINT or SIGTERM: requests in flight get 10 seconds, then
// their connections are closed, and the exit status is 0. --iam-users-file
// ("domain user password project" a line) adds the fake's IAM and
// --aksk-file ("AK SK" a line) its AK/SK verification; both files hold
// secrets, are reported by line number only, and get a warning when group
// or others can read them.
//
// Every text output escapes control characters in what came from a server,
// a file or standard input (strconv.Quote style: \x1b, \r, \u009b), so an
// answer cannot drive the terminal; JSON output is escaped by its encoder.
//
// Each subcommand is an options struct filled by flag parsing (parseX) and
// a run function returning an error (xRun); exitCode maps errors to the exit
// status once, for all: 0 success or valid; 1 invalid input, a violation or
// an API error; 2 usage or I/O error, network failure or timeout. Results go
// to standard output, errors to standard error.
package main
