package zerovalue

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/replicate"
	"github.com/cbr-replicate/cbr-replicate/secret"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// built is a type whose zero value is unusable (it needs its constructor):
// every method of its zero value and nil pointer that returns an error
// returns one. The other types are data: their zero values are valid, and
// every method answers without a panic.
type built []any

// zeros are, per package directory, every exported type by name with its
// zero value (and, for a type handed around as a pointer, its nil
// pointer); an interface type has no value to call.
var zeros = map[string]map[string]any{
	"auth": {
		"Config": []any{auth.Config{}, (*auth.Config)(nil)}, "Option": []any{auth.Option(nil)},
		"Session": built{new(auth.Session), (*auth.Session)(nil)}, "SignInError": []any{auth.SignInError{}, (*auth.SignInError)(nil)},
	},
	"aksk": {
		"Credentials": []any{aksk.Credentials{}, (*aksk.Credentials)(nil)}, "Signer": built{&aksk.Signer{}, (*aksk.Signer)(nil)},
		"Reason": []any{aksk.Reason("")}, "VerifyError": []any{aksk.VerifyError{}, (*aksk.VerifyError)(nil)},
	},
	"cbrtest": {
		"Fake": built{new(cbrtest.Fake), (*cbrtest.Fake)(nil)}, "Request": []any{cbrtest.Request{}},
		"IAMUser": []any{cbrtest.IAMUser{}}, "IAMEndpoint": []any{cbrtest.IAMEndpoint{}},
		"IAMCatalogForm": []any{cbrtest.IAMCatalogForm(0)}, "IAMOptions": []any{cbrtest.IAMOptions{}},
		"IAM": built{new(cbrtest.IAM), (*cbrtest.IAM)(nil)}, "Option": []any{cbrtest.Option(nil)},
		"OptionError": []any{cbrtest.OptionError{}, (*cbrtest.OptionError)(nil)}, "Server": built{new(cbrtest.Server), (*cbrtest.Server)(nil)},
		"World": []any{cbrtest.World{}, (*cbrtest.World)(nil)}, "Vault": []any{cbrtest.Vault{}},
	},
	"client": {
		"Client": built{new(client.Client), (*client.Client)(nil)}, "Builder": []any{client.Builder(nil)},
		"OptionError": []any{client.OptionError{}, (*client.OptionError)(nil)}, "APIError": []any{client.APIError{}, (*client.APIError)(nil)},
		"DecodeError": []any{client.DecodeError{}, (*client.DecodeError)(nil)}, "Options": []any{client.Options{}},
		"TokenSource": nil, "TokenInvalidator": nil, "RequestSigner": nil, "TokenFunc": built{client.TokenFunc(nil)},
	},
	"replicate": {
		"Verdict": []any{replicate.Verdict("")}, "Check": []any{replicate.Check{}}, "Report": []any{replicate.Report{}},
		"Plan": []any{replicate.Plan{}},
	},
	"secret": {"Value": []any{secret.Value{}}},
	"validate": {
		"Violation": []any{validate.Violation{}}, "Error": []any{validate.Error{}, (*validate.Error)(nil)},
		"ResponseError":   []any{validate.ResponseError{}, (*validate.ResponseError)(nil)},
		"TransportOption": []any{validate.TransportOption(nil)}, "Validator": built{new(validate.Validator), (*validate.Validator)(nil)},
		"Option": []any{validate.Option(nil)}, "Route": []any{validate.Route{}},
	},
}

// exportedTypes are the names of the exported types the package in dir
// declares, read from its source, so that a new type cannot be forgotten.
func exportedTypes(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					if name := s.(*ast.TypeSpec).Name.Name; ast.IsExported(name) {
						names = append(names, name)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// arg is a plain argument of type in: a context, a recorder and a request
// for a handler's, an empty reader, else the zero value.
func arg(t *testing.T, in reflect.Type) reflect.Value {
	switch in {
	case reflect.TypeFor[context.Context]():
		return reflect.ValueOf(t.Context())
	case reflect.TypeFor[http.ResponseWriter]():
		return reflect.ValueOf(httptest.NewRecorder())
	case reflect.TypeFor[*http.Request]():
		return reflect.ValueOf(httptest.NewRequest(http.MethodGet, "/v3/p/replication-capabilities", nil))
	case reflect.TypeFor[io.Reader]():
		return reflect.ValueOf(strings.NewReader(""))
	case reflect.TypeFor[fmt.State]():
		return reflect.ValueOf(state{})
	}
	return reflect.Zero(in)
}

// state is a fmt.State that writes nowhere, for Format methods.
type state struct{}

func (state) Write(b []byte) (int, error) { return len(b), nil }
func (state) Width() (int, bool)          { return 0, false }
func (state) Precision() (int, bool)      { return 0, false }
func (state) Flag(int) bool               { return false }

func TestZeroValuesAnswerEveryMethodWithoutAPanic(t *testing.T) {
	errorType := reflect.TypeFor[error]()
	for dir, types := range zeros {
		assert.Equal(t, exportedTypes(t, dir), slices.Sorted(func(yield func(string) bool) {
			for name := range types {
				if !yield(name) {
					return
				}
			}
		}), "every exported type of %s has its zero values here", dir)
		for name, values := range types {
			mustFail := false
			if b, ok := values.(built); ok {
				values, mustFail = []any(b), true
			}
			list, _ := values.([]any)
			for _, v := range list {
				rv := reflect.ValueOf(v)
				for i := range rv.NumMethod() {
					method := rv.Type().Method(i).Name
					t.Run(dir+"."+name+"/"+rv.Type().String()+"."+method, func(t *testing.T) {
						m := rv.Method(i)
						var args []reflect.Value
						for j := range m.Type().NumIn() {
							if !(m.Type().IsVariadic() && j == m.Type().NumIn()-1) {
								args = append(args, arg(t, m.Type().In(j)))
							}
						}
						var out []reflect.Value
						require.NotPanics(t, func() { out = m.Call(args) })
						if n := len(out); mustFail && n > 0 && out[n-1].Type() == errorType {
							assert.False(t, out[n-1].IsNil(), "a zero value fails with an error")
						}
					})
				}
			}
		}
	}
}
