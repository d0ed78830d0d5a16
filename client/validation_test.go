package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

func TestReplicateInvalidRequestIsNotSent(t *testing.T) {
	for _, tc := range []struct {
		name        string
		mod         func(*cbr.CheckpointReplicateParam)
		wantPointer string
		wantRule    string
	}{
		{
			name:        "destination_region longer than 255 characters",
			mod:         func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion = strings.Repeat("r", 256) },
			wantPointer: "/replicate/destination_region", wantRule: "maxLength",
		},
		{
			name:        "destination_region of 256 multi-byte characters",
			mod:         func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion = strings.Repeat("é", 256) },
			wantPointer: "/replicate/destination_region", wantRule: "maxLength",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, answerPage(t))
			c := newClient(t, srv.URL)
			p := pageParam(t)
			tc.mod(&p)

			got, err := c.Replicate(context.Background(), p)
			assert.Nil(t, got)
			var verr *validate.Error
			require.ErrorAs(t, err, &verr)
			require.NotEmpty(t, verr.Violations)
			var found bool
			for _, v := range verr.Violations {
				if v.Pointer == tc.wantPointer && v.Rule == tc.wantRule {
					found = true
				}
			}
			assert.True(t, found, "violations %+v lack %s %s", verr.Violations, tc.wantPointer, tc.wantRule)
			assert.Contains(t, err.Error(), "nothing was sent")
			assert.Contains(t, err.Error(), tc.wantPointer)
			assert.NotContains(t, err.Error(), testToken)
			var apiErr *client.APIError
			assert.False(t, errors.As(err, &apiErr), "an invalid request is not an API error")
			assert.Zero(t, srv.count.Load(), "the server receives nothing")
		})
	}
}

func TestReplicateValidRequestsAtTheLimitsAreSent(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*cbr.CheckpointReplicateParam)
	}{
		{name: "destination_region of exactly 255 characters", mod: func(p *cbr.CheckpointReplicateParam) {
			p.DestinationRegion = strings.Repeat("r", 255)
		}},
		{name: "destination_region of 255 multi-byte characters (510 bytes)", mod: func(p *cbr.CheckpointReplicateParam) {
			p.DestinationRegion = strings.Repeat("é", 255)
		}},
		{name: "empty destination_region (the page's Minimum: 0)", mod: func(p *cbr.CheckpointReplicateParam) {
			p.DestinationRegion = ""
		}},
		{name: "the zero UUID as vault_id is syntactically valid", mod: func(p *cbr.CheckpointReplicateParam) {
			p.VaultId = "00000000-0000-0000-0000-000000000000"
		}},
		{name: "empty destination_project_id and destination_vault_id are present (the spec sets no minLength)", mod: func(p *cbr.CheckpointReplicateParam) {
			p.DestinationProjectId, p.DestinationVaultId = "", ""
		}},
		{name: "optional booleans left out", mod: func(p *cbr.CheckpointReplicateParam) {
			p.AutoTrigger, p.EnableAcceleration = nil, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, answerPage(t))
			c := newClient(t, srv.URL)
			p := pageParam(t)
			tc.mod(&p)
			_, err := c.Replicate(context.Background(), p)
			require.NoError(t, err)
			require.Equal(t, int64(1), srv.count.Load())
			var sent cbr.CheckpointReplicateReq
			require.NoError(t, json.Unmarshal(srv.requests()[0].Body, &sent))
			assert.Equal(t, p, sent.Replicate)
		})
	}
}

func TestReplicateSkipRequestValidationLeavesTheVerdictToTheServer(t *testing.T) {
	srv := newServer(t, answerJSON(http.StatusBadRequest,
		[]byte(`{"error_code":"BackupService.9900","error_msg":"Parameter verification failed."}`)))
	c := newClient(t, srv.URL, withoutRequestValidation)
	p := pageParam(t)
	p.DestinationRegion = strings.Repeat("r", 256)

	_, err := c.Replicate(context.Background(), p)
	assert.True(t, client.IsCode(err, "BackupService.9900"))
	assert.Equal(t, int64(1), srv.count.Load(), "sent, since validation is off")
}

func TestReplicateResponseDrift(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		// with ValidateResponses on
		wantPointer string
		// with it off: nil means the answer passes silently
		offErr func(t *testing.T, got *cbr.CheckpointReplicateRespBody, err error)
	}{
		{
			name:        "backups as an object",
			body:        `{"replication":{"backups":{"backup_id":"b1","replication_record_id":"r1"},"vault_id":"v"}}`,
			wantPointer: "/replication/backups",
			offErr: func(t *testing.T, got *cbr.CheckpointReplicateRespBody, err error) {
				assert.Nil(t, got)
				var de *client.DecodeError
				require.ErrorAs(t, err, &de, "off: the answer does not decode")
				var se *jsonv2.SemanticError
				require.ErrorAs(t, err, &se)
				assert.Contains(t, err.Error(), "backups")
			},
		},
		{
			name:        "backups null",
			body:        `{"replication":{"backups":null,"vault_id":"v"}}`,
			wantPointer: "/replication/backups",
			offErr: func(t *testing.T, got *cbr.CheckpointReplicateRespBody, err error) {
				require.NoError(t, err, "off: null decodes into a nil slice and passes silently")
				assert.Nil(t, got.Backups)
				assert.Equal(t, "v", got.VaultId)
			},
		},
		{
			name:        "vault_id as a number",
			body:        `{"replication":{"vault_id":42}}`,
			wantPointer: "/replication/vault_id",
			offErr: func(t *testing.T, got *cbr.CheckpointReplicateRespBody, err error) {
				var de *client.DecodeError
				require.ErrorAs(t, err, &de)
			},
		},
	} {
		t.Run(tc.name+" is detected with ValidateResponses", func(t *testing.T) {
			srv := newServer(t, answerJSON(http.StatusOK, []byte(tc.body)))
			c := newClient(t, srv.URL, withResponseValidation)
			got, err := c.Replicate(context.Background(), pageParam(t))
			assert.Nil(t, got)
			var re *validate.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.StatusOK, re.StatusCode)
			assert.JSONEq(t, tc.body, string(re.Body))
			var pointers []string
			for _, v := range re.Err.Violations {
				pointers = append(pointers, v.Pointer)
			}
			assert.Contains(t, pointers, tc.wantPointer)
			assert.Contains(t, err.Error(), "may have started")
			assert.Equal(t, int64(1), srv.count.Load())
		})
		t.Run(tc.name+" without ValidateResponses", func(t *testing.T) {
			srv := newServer(t, answerJSON(http.StatusOK, []byte(tc.body)))
			c := newClient(t, srv.URL)
			got, err := c.Replicate(context.Background(), pageParam(t))
			tc.offErr(t, got, err)
		})
	}
}

func TestReplicateResponseValidationOnlyWithSkipRequestValidation(t *testing.T) {
	srv := newServer(t, answerJSON(http.StatusOK, []byte(`{"replication":{"backups":{}}}`)))
	c := newClient(t, srv.URL, withoutRequestValidation, withResponseValidation)
	p := pageParam(t)
	p.DestinationRegion = strings.Repeat("r", 256) // not checked: sent

	_, err := c.Replicate(context.Background(), p)
	var re *validate.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, int64(1), srv.count.Load())
}

func TestReplicateErrorAnswerThatBreaksTheSpecIsStillAnAPIError(t *testing.T) {
	const page = "<html><head><title>502 Bad Gateway</title></head></html>"
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Request-Id", "gw-1")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(page))
	})
	c := newClient(t, srv.URL, withResponseValidation)

	_, err := c.Replicate(context.Background(), pageParam(t))
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr, "the status matters most")
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.Equal(t, "gw-1", apiErr.RequestID)
	assert.Equal(t, page, string(apiErr.Body))
	var re *validate.ResponseError
	require.ErrorAs(t, err, &re, "and the contract drift is reported too")
}
